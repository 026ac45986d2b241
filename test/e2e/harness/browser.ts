/**
 * Real Chromium through playwright-core. One browser per test file (`launchBrowser` in
 * `beforeAll`), one context per page (`newPage`) so storage and caches do not leak between tests.
 *
 * A missing Chromium is an error, never a skip: CI installs it (`.ci/run`).
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';

export type { Browser, BrowserContext, Page } from 'playwright-core';

/** Flags for a quiet, network-isolated headless Chromium (see the project brief). */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The Chromium executable: `CHROMIUM_PATH` or /usr/bin/chromium. */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium';
}

/** Launches headless Chromium. Throws a loud, actionable error when it is not installed. */
export async function launchBrowser(opts: { args?: readonly string[]; headless?: boolean } = {}): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium not found at ${executablePath}. The e2e tests need a real Chromium and are never skipped.\n` +
        `Install it (Debian/Ubuntu, as root): apt-get update && apt-get install -y chromium\n` +
        `or point CHROMIUM_PATH at a Chromium/Chrome binary. CI does this in .ci/run.`,
    );
  }
  return chromium.launch({ executablePath, headless: opts.headless ?? true, args: [...CHROMIUM_ARGS, ...(opts.args ?? [])] });
}

/** A page that records what went wrong in it. */
export interface TestPage {
  page: Page;
  context: BrowserContext;
  /** every console message, `type: text` */
  console: string[];
  /** `console.error` messages and browser-reported errors (failed loads, CSP violations) */
  consoleErrors: string[];
  /** uncaught exceptions and unhandled rejections, as Playwright reports them (stack or message) */
  pageErrors: string[];
  /** unhandled promise rejections (recorded by an init script, whatever the page does) */
  unhandledRejections: string[];
  /**
   * All of the above problems (page errors, unhandled rejections, console errors), each once,
   * minus those matching `ignore`; tests typically `expect(p.problems()).toEqual([])`.
   */
  problems(ignore?: readonly RegExp[]): string[];
  /** closes the page's context */
  close(): Promise<void>;
}

/** Marker the init script prefixes unhandled rejections with. */
const REJECTION = '[harness:unhandledrejection] ';

// Runs in the page before any of its scripts (Playwright injects it, so CSP does not apply).
// Reports through console.debug, which the console listener sorts out.
function initScript(marker: string): void {
  addEventListener('unhandledrejection', (e: PromiseRejectionEvent) => {
    const r = e.reason as { stack?: string } | undefined;
    console.debug(marker + (r && r.stack ? r.stack : String(e.reason)));
  });
}

/**
 * Opens a page in a fresh context of `browser`, recording console errors, page errors and
 * unhandled rejections. `opts` are Playwright context options (viewport, storage, CSP bypass...).
 */
export async function newPage(browser: Browser, opts: BrowserContextOptions = {}): Promise<TestPage> {
  const context = await browser.newContext(opts);
  await context.addInitScript(initScript, REJECTION);
  const page = await context.newPage();
  const tp: TestPage = {
    page,
    context,
    console: [],
    consoleErrors: [],
    pageErrors: [],
    unhandledRejections: [],
    problems(ignore = []) {
      // Playwright also reports unhandled rejections as page errors: list those once
      const rejections = new Set(tp.unhandledRejections);
      const all = [
        ...tp.pageErrors.filter((e) => !rejections.has(e)).map((e) => `page error: ${e}`),
        ...tp.unhandledRejections.map((e) => `unhandled rejection: ${e}`),
        ...tp.consoleErrors.map((e) => `console error: ${e}`),
      ];
      return all.filter((m) => !ignore.some((re) => re.test(m)));
    },
    close: () => context.close(),
  };
  page.on('console', (m) => {
    const text = m.text();
    if (text.startsWith(REJECTION)) return void tp.unhandledRejections.push(text.slice(REJECTION.length));
    tp.console.push(`${m.type()}: ${text}`);
    if (m.type() === 'error') tp.consoleErrors.push(text);
  });
  page.on('pageerror', (e) => tp.pageErrors.push(e.stack || e.message));
  return tp;
}

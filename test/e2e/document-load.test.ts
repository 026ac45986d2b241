/**
 * Page load and web vitals in real Chromium, through the real SDK pipelines (BatchSpanProcessor,
 * PeriodicExportingMetricReader, BatchLogRecordProcessor, OTLP JSON exporters) to the receiver:
 *
 * - a page served with `Server-Timing: traceparent;desc="00-…"`, with an image (LCP), a layout
 *   shift (CLS), a click (INP) and some resources, then navigated away: the documentLoad tree is
 *   parented to the server span, and all five vitals arrive as metrics and as events, INP and CLS
 *   sent by the exit itself (nothing exports before it: intervals are 10 minutes);
 * - the same with `<meta name="traceparent">` and the attribution build;
 * - a page with 2000 resources: the cap holds and the rest is counted.
 *
 * Every payload is schema-checked by the receiver. The page code (test/e2e/fixtures/document-load/
 * app.ts) is bundled from src/ here, as an IIFE loaded first in <head> (like the snippet).
 */
import { build } from 'esbuild';
import { resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, REPO_ROOT, startReceiver, startServer } from './harness';
import type { Browser, FlatLog, FlatMetric, FlatSpan, Received, Receiver, TestPage, TestServer } from './harness';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SERVER_SPAN = '00f067aa0ba902b7';
const META_SPAN = 'a3ce929d0e0e4736';
const VITALS = ['cls', 'fcp', 'inp', 'lcp', 'ttfb'];

async function bundle(): Promise<string> {
  // `otelite` and `otelite/*` resolve to src/, as entries.mjs (the package's exports) maps them
  const { srcAlias } = (await import(resolve(REPO_ROOT, 'entries.mjs'))) as { srcAlias: (root: string) => Record<string, string> };
  const alias = srcAlias(REPO_ROOT);
  const r = await build({
    entryPoints: [resolve(REPO_ROOT, 'test/e2e/fixtures/document-load/app.ts')],
    bundle: true,
    format: 'iife',
    target: 'es2022',
    alias,
    write: false,
    logLevel: 'silent',
  });
  return r.outputFiles[0].text;
}

/**
 * The LCP image. Chromium skips low-entropy images as LCP candidates (under 0.05 bits per
 * displayed pixel: a plain 600x400 rectangle is too little), hence a few KB of rectangles.
 */
const HERO = `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="400">${Array.from(
  { length: 120 },
  (_, i) => `<rect x="${(i * 37) % 600}" y="${(i * 53) % 400}" width="${20 + (i % 7) * 9}" height="${15 + (i % 5) * 11}" fill="#${((i * 2654435761) >>> 8).toString(16).padStart(6, '0').slice(0, 6)}"/>`,
).join('')}</svg>`;
/** 1x1 PNG: 2000 SVG images would take minutes to load (each is a document of its own). */
const DOT = { body: Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64'), type: 'image/png' };

/** The shop page: its own script first, a style sheet, a hero image, an ignored pixel, a button. */
const page = (head = '') => `<!doctype html>
<html><head><meta charset="utf-8"><title>shop</title>${head}
<script src="/app.js"></script>
<link rel="stylesheet" href="/style.css">
</head><body>
<div id="slot" style="height:0"></div>
<p id="text">Welcome to the shop. Everything here is on sale today.</p>
<img id="hero" src="/hero.svg" width="600" height="400" alt="hero">
<img src="/ignored.png" width="1" height="1" alt="">
<button id="buy">Buy</button>
</body></html>`;

const many = `<!doctype html>
<html><head><meta charset="utf-8"><title>many</title><script src="/app.js"></script></head><body>
${Array.from({ length: 2000 }, (_, i) => `<img src="/dot.png?i=${i}" width="1" height="1" alt="">`).join('')}
</body></html>`;

let browser: Browser;
let receiver: Receiver;
let site: TestServer;
let p: TestPage | undefined;

beforeAll(async () => {
  const app = await bundle();
  [browser, receiver, site] = await Promise.all([
    launchBrowser(),
    startReceiver({ cors: { origins: '*' } }),
    startServer({
      routes: {
        '/app.js': app,
        '/index.html': { body: page(), headers: { 'Server-Timing': `cache;desc=miss, traceparent;desc="00-${TRACE_ID}-${SERVER_SPAN}-01"` } },
        '/meta.html': page(`<meta name="traceparent" content="00-${TRACE_ID}-${META_SPAN}-01">`),
        '/many.html': many,
        '/next.html': '<!doctype html><title>next</title><p>next page</p>',
        '/style.css': 'body { font: 16px sans-serif; margin: 0 } p { margin: 8px }',
        '/hero.svg': HERO,
        '/ignored.png': DOT,
        '/dot.png': DOT,
      },
    }),
  ]);
});
afterAll(async () => {
  await Promise.all([browser?.close(), receiver?.close(), site?.close()]);
});
afterEach(async () => {
  await p?.close();
  p = undefined;
  receiver.reset();
});

type T = { t: { flush(): Promise<boolean>; shift(): Promise<boolean> } };

async function open(path: string, query = ''): Promise<TestPage> {
  p = await newPage(browser);
  // 2000 images take ~8 s to load here
  await p.page.goto(site.at(`${path}?endpoint=${encodeURIComponent(receiver.url)}${query}`), { timeout: 60_000 });
  await p.page.waitForFunction(() => 't' in window);
  return p;
}

const spansByName = (spans: FlatSpan<Received>[], n: string) => spans.filter((s) => s.name == n);
const ms = (nanos: string | undefined) => Number(BigInt(nanos ?? '0') / 1000n) / 1000;

/** Loads, shifts, clicks, leaves; returns the times of those steps (epoch ms, test clock). */
async function visit(path: string, query = '') {
  const { page } = await open(path, query);
  const loaded = Date.now();
  // documentLoad is made after load, when idle: wait until the page has had its idle time
  await page.waitForTimeout(300);
  await page.evaluate(() => (window as unknown as T).t.shift());
  await page.waitForTimeout(600);
  const clicked = Date.now();
  await page.click('#buy');
  // LCP is reported at the first input, once the page is idle (~1 s in FACTS.md)
  await page.waitForTimeout(1500);
  const left = Date.now();
  await page.goto(site.at('/next.html'));
  return { loaded, clicked, left };
}

/** Waits for the five vitals as events and as metrics; returns them. */
async function vitals() {
  const events = await receiver.waitFor((r) => {
    const l = r.logs().filter((x) => x.eventName == 'browser.web_vital');
    return VITALS.every((v) => l.some((x) => x.attrs['browser.web_vital.name'] == v)) && l;
  }, 10_000);
  const metrics = await receiver.waitFor((r) => {
    const m = r.metrics().filter((x) => x.name.startsWith('browser.web_vital.'));
    return VITALS.every((v) => m.some((x) => x.name == 'browser.web_vital.' + v)) && m;
  }, 10_000);
  return { events, metrics };
}

/** A line per vital: when the page emitted its event, when event and metric reached the receiver. */
function timings(step: { loaded: number; clicked: number; left: number }, events: FlatLog<Received>[], metrics: FlatMetric<Received>[]) {
  const rel = (t: number) => `${t - step.left >= 0 ? '+' : ''}${Math.round(t - step.left)} ms`;
  const rows = VITALS.map((v) => {
    const e = events.find((x) => x.attrs['browser.web_vital.name'] == v)!;
    const m = metrics.find((x) => x.name == 'browser.web_vital.' + v)!;
    return `${v.padEnd(5)} emitted ${rel(ms(e.timeUnixNano)).padStart(9)}  event received ${rel(e.req.time).padStart(8)} (${e.req.contentType})  metric received ${rel(m.req.time).padStart(8)}`;
  });
  // the exports that came after the page was left, in order: what each exit event sent
  const exits = receiver.received
    .filter((r) => r.time >= step.left)
    .map((r) => {
      const names =
        r.signal == 'logs'
          ? receiver.logs().filter((l) => l.req == r).map((l) => l.attrs['browser.web_vital.name'])
          : r.signal == 'metrics'
            ? receiver.metrics().filter((m) => m.req == r).map((m) => m.name.replace('browser.web_vital.', ''))
            : receiver.spans().filter((s) => s.req == r).map((s) => s.name);
      return `${rel(r.time).padStart(8)} ${String(r.signal).padEnd(7)} ${r.contentType}${r.gzip ? ' gzip' : ''}: ${names.join(' ')}`;
    });
  console.log(
    `web vitals relative to leaving the page (load at ${rel(step.loaded)}, click at ${rel(step.clicked)}):\n  ${rows.join('\n  ')}` +
      `\nexports after leaving:\n  ${exits.join('\n  ')}`,
  );
}

describe('document load and web vitals in Chromium', () => {
  it('joins the server trace from Server-Timing; all five vitals arrive as metrics and events, INP and CLS at the exit', async () => {
    const step = await visit('/index.html');
    const { events, metrics } = await vitals();

    const spans = await receiver.waitFor((r) => (r.spans().some((s) => s.name == 'documentLoad') ? r.spans() : undefined));
    const [root] = spansByName(spans, 'documentLoad');
    expect(root.traceId).toBe(TRACE_ID);
    expect(root.parentSpanId).toBe(SERVER_SPAN);
    expect(root.scope.name).toBe('otelite/document-load');
    expect(root.attrs['url.full']).toMatch(/\/index\.html\?endpoint=/);
    expect(root.attrs['user_agent.original']).toMatch(/Chrome/);
    expect(root.attrs['otelite.document_load.resources_dropped']).toBeUndefined();
    const ev = (root.events ?? []).map((e) => e.name);
    for (const n of ['fetchStart', 'domInteractive', 'domContentLoadedEventEnd', 'domComplete', 'loadEventStart', 'loadEventEnd'])
      expect(ev).toContain(n);
    expect(ms(root.endTimeUnixNano)).toBeGreaterThan(ms(root.startTimeUnixNano));

    const children = spans.filter((s) => s.parentSpanId == root.spanId);
    expect(children.every((s) => s.traceId == TRACE_ID)).toBe(true);
    const [doc] = spansByName(children, 'documentFetch');
    expect(doc.attrs).toMatchObject({ 'http.response.status_code': 200, 'network.protocol.version': '1.1' });
    expect(doc.attrs['url.full']).toBe(root.attrs['url.full']);
    expect(doc.attrs['http.response.body.size']).toBeGreaterThan(300);
    expect((doc.events ?? []).map((e) => e.name)).toEqual(expect.arrayContaining(['fetchStart', 'requestStart', 'responseStart', 'responseEnd']));

    const resources = spansByName(children, 'resourceFetch').map((s) => new URL(String(s.attrs['url.full'])).pathname);
    // the page's resources; not the ignored pixel, not the scripted fetch, not the exporters' requests
    expect(resources.sort()).toEqual(['/app.js', '/hero.svg', '/style.css']);
    const hero = spansByName(children, 'resourceFetch').find((s) => String(s.attrs['url.full']).includes('hero'))!;
    expect(hero.attrs).toMatchObject({ 'http.response.status_code': 200, 'http.response.body.size': HERO.length });
    expect(spans).toHaveLength(5);

    // five events and five histograms, recorded once each
    expect(events.map((e) => e.attrs['browser.web_vital.name']).sort()).toEqual(VITALS);
    for (const e of events) {
      expect(e.scope.name).toBe('otelite/web-vitals');
      expect(e.traceId).toBeUndefined();
      expect(e.attrs).toMatchObject({ 'browser.web_vital.navigation_type': 'navigate' });
      expect(e.attrs['browser.web_vital.id']).toMatch(/^v6-/);
      expect(['good', 'needs-improvement', 'poor']).toContain(e.attrs['browser.web_vital.rating']);
      expect(e.attrs['browser.web_vital.value']).toBe(e.attrs['browser.web_vital.delta']);
    }
    const value = (n: string) => Number(events.find((e) => e.attrs['browser.web_vital.name'] == n)!.attrs['browser.web_vital.value']);
    expect(value('inp')).toBeGreaterThanOrEqual(120);
    expect(value('cls')).toBeGreaterThan(0.05);
    expect(value('lcp')).toBeGreaterThan(0);
    // standard build: no attribution
    expect(events.some((e) => 'browser.web_vital.element' in e.attrs)).toBe(false);

    const last = new Map(metrics.map((m) => [m.name, m]));
    expect([...last.keys()].sort()).toEqual(VITALS.map((v) => 'browser.web_vital.' + v));
    for (const m of last.values()) {
      expect(m.type).toBe('histogram');
      expect(m.unit).toBe(m.name.endsWith('cls') ? '1' : 'ms');
      expect(m.points).toHaveLength(1);
      expect(m.points[0].count).toBe('1');
      expect(m.points[0].attrs).toEqual({ 'browser.web_vital.navigation_type': 'navigate' });
    }
    expect(last.get('browser.web_vital.inp')!.points[0].sum).toBe(value('inp'));
    // the paint came before the spans were made (not always: a paint after load and idle is missed)
    const fcp = root.events!.find((e) => e.name == 'firstContentfulPaint');
    if (fcp) expect(ms(fcp.timeUnixNano) - ms(root.startTimeUnixNano)).toBeCloseTo(value('fcp'), 2);

    // INP and CLS went out with the exit (nothing exports before it), and so did everything else
    for (const v of ['inp', 'cls']) {
      const e = events.find((x) => x.attrs['browser.web_vital.name'] == v)!;
      expect(e.req.time).toBeGreaterThanOrEqual(step.left);
      expect(ms(e.timeUnixNano)).toBeGreaterThanOrEqual(step.left - 50);
      expect(metrics.find((x) => x.name == 'browser.web_vital.' + v)!.req.time).toBeGreaterThanOrEqual(step.left);
    }
    timings(step, events, metrics);
    expect(receiver.errors()).toEqual([]);
    expect(p!.problems()).toEqual([]);
  });

  it('joins the server trace from <meta name="traceparent">; the attribution build names the elements', async () => {
    await visit('/meta.html', '&attribution');
    const { events } = await vitals();
    const spans = await receiver.waitFor((r) => (r.spans().some((s) => s.name == 'documentLoad') ? r.spans() : undefined));
    const [root] = spansByName(spans, 'documentLoad');
    expect([root.traceId, root.parentSpanId]).toEqual([TRACE_ID, META_SPAN]);
    expect(spans.filter((s) => s.parentSpanId == root.spanId).map((s) => s.name).sort()).toEqual([
      'documentFetch',
      'resourceFetch',
      'resourceFetch',
      'resourceFetch',
    ]);

    const attrs = (n: string) => events.find((e) => e.attrs['browser.web_vital.name'] == n)!.attrs;
    expect(attrs('lcp')['browser.web_vital.element']).toBe('#hero');
    expect(attrs('inp')).toMatchObject({ 'browser.web_vital.element': '#buy', 'browser.web_vital.interaction_type': 'pointer' });
    expect(attrs('cls')['browser.web_vital.element']).toMatch(/\S/);
    expect(attrs('ttfb')['browser.web_vital.element']).toBeUndefined();
    expect(receiver.errors()).toEqual([]);
    expect(p!.problems()).toEqual([]);
  });

  it('reports INP of a click followed by a navigation within 300 ms (before web-vitals’ idle callback)', async () => {
    const { page } = await open('/index.html');
    await page.waitForTimeout(300);
    await page.click('#buy');
    await page.waitForTimeout(100);
    const left = Date.now();
    await page.goto(site.at('/next.html'));
    const inp = await receiver.waitFor((r) => r.logs().find((l) => l.attrs['browser.web_vital.name'] == 'inp'), 10_000);
    expect(Number(inp.attrs['browser.web_vital.value'])).toBeGreaterThanOrEqual(120);
    expect(inp.attrs['browser.web_vital.delta']).toBe(inp.attrs['browser.web_vital.value']);
    expect(inp.req.time).toBeGreaterThanOrEqual(left);
    const m = await receiver.waitFor((r) => r.metrics().find((x) => x.name == 'browser.web_vital.inp'), 10_000);
    expect(m.points).toHaveLength(1);
    expect(m.points[0].count).toBe('1');
    expect(m.points[0].sum).toBe(inp.attrs['browser.web_vital.value']);
    // one INP event: the final value, not one per change
    expect(receiver.logs().filter((l) => l.attrs['browser.web_vital.name'] == 'inp')).toHaveLength(1);
    expect(receiver.errors()).toEqual([]);
  });

  it('makes the spans at page exit when the page leaves before its idle callback', async () => {
    const { page } = await open('/index.html', '&busy');
    await page.waitForTimeout(300);
    const left = Date.now();
    await page.goto(site.at('/next.html'));
    const spans = await receiver.waitFor((r) => (r.spans().length >= 5 ? r.spans() : undefined));
    const [root] = spansByName(spans, 'documentLoad');
    expect(root.req.time).toBeGreaterThanOrEqual(left);
    expect(spans.map((s) => s.name).sort()).toEqual(['documentFetch', 'documentLoad', 'resourceFetch', 'resourceFetch', 'resourceFetch']);
    expect(receiver.errors()).toEqual([]);
  });

  it('caps resourceFetch spans on a page with 2000 resources and counts the rest', async () => {
    const { page } = await open('/many.html');
    await page.waitForFunction(() => performance.getEntriesByType('navigation')[0]?.toJSON().loadEventEnd > 0);
    await page.waitForTimeout(300);
    await page.evaluate(() => (window as unknown as T).t.flush());
    const spans = await receiver.waitFor((r) => (r.spans().some((s) => s.name == 'documentLoad') ? r.spans() : undefined), 10_000);
    const [root] = spansByName(spans, 'documentLoad');
    const res = spansByName(spans, 'resourceFetch');
    expect(res).toHaveLength(250);
    expect(res.every((s) => s.parentSpanId == root.spanId)).toBe(true);
    // app.js and the 2000 dots: every one is either a span or counted
    expect(root.attrs['otelite.document_load.resources_dropped']).toBe(2001 - 250);
    // a new trace: no server parent on this page
    expect(root.parentSpanId ?? '').toBe('');
    expect(receiver.errors()).toEqual([]);
    expect(p!.problems()).toEqual([]);
  });
});

/**
 * ZoneContextManager in real Chromium with zone.js 0.16.3 loaded by the page (a classic
 * `<script>` before the app, as Angular's polyfills do).
 *
 * The app (fixtures/context/zone-app.ts) is built from src at target es2022 (native
 * async/await) and es2015 (async functions lowered to generators on zone.js's Promise). Checked:
 * with/restore; the context in timers, promise chains, queueMicrotask, rAF, fetch().then, XHR
 * events and DOM listeners on real clicks; native await loses it where the es2015 build keeps
 * it; bind() of functions and event targets; a parent app zone (NgZone stand-in); the page
 * without zone.js; and the fetch instrumentation's CLIENT spans parented through zone.js.
 */
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asyncContextPlugin } from '../../src/esbuild/index';
import { htmlPage, launchBrowser, newPage, REPO_ROOT, startReceiver, startServer } from './harness';
import type { Browser, Receiver, TestPage, TestServer } from './harness';

const APP = join(REPO_ROOT, 'test/e2e/fixtures/context/zone-app.ts');
const ZONE_JS = join(REPO_ROOT, 'node_modules/zone.js/fesm2015/zone.js');

async function buildApp(target: 'es2022' | 'es2015', plugin = false): Promise<string> {
  const r = await build({
    entryPoints: [APP],
    bundle: true,
    format: 'esm',
    target,
    write: false,
    logLevel: 'silent',
    alias: { 'otelite/esbuild/runtime': join(REPO_ROOT, 'src/esbuild/runtime.ts') },
    plugins: plugin ? [asyncContextPlugin({ filter: /[\\/]fixtures[\\/]context[\\/][^\\/]+\.ts$/ })] : [],
  });
  return r.outputFiles[0]!.text;
}

const BODY = '<button id="inside">inside</button> <button id="bound">bound</button>';

let browser: Browser;
let receiver: Receiver;
let site: TestServer;
const code = { es2022: '', es2015: '', plugin: '' };

beforeAll(async () => {
  [code.es2022, code.es2015, code.plugin] = await Promise.all([buildApp('es2022'), buildApp('es2015'), buildApp('es2022', true)]);
  [browser, receiver, site] = await Promise.all([
    launchBrowser(),
    startReceiver(),
    startServer({
      routes: {
        '/zone.js': { file: ZONE_JS },
        '/app-es2022.js': code.es2022,
        '/app-es2015.js': code.es2015,
        '/app-plugin.js': code.plugin,
        '/plugin.html': htmlPage({ body: BODY, scripts: ['/zone.js'], modules: ['/app-plugin.js'] }),
        '/es2022.html': htmlPage({ body: BODY, scripts: ['/zone.js'], modules: ['/app-es2022.js'] }),
        '/es2015.html': htmlPage({ body: BODY, scripts: ['/zone.js'], modules: ['/app-es2015.js'] }),
        '/nozone.html': htmlPage({ body: BODY, modules: ['/app-es2022.js'] }),
      },
    }),
  ]);
});

afterAll(async () => {
  await Promise.all([browser?.close(), receiver?.close(), site?.close()]);
});

async function open(page: 'es2022' | 'es2015' | 'plugin' | 'nozone'): Promise<TestPage> {
  const p = await newPage(browser);
  await p.page.goto(site.at(`/${page}.html?endpoint=${encodeURIComponent(receiver.url)}&service=zone-${page}`));
  await p.page.waitForFunction(() => !!window.zapp);
  return p;
}

const span = (service: string, name: string) => receiver.waitFor(() => receiver.spans({ service }).find((s) => s.name === name), 8000);
const client = (service: string, part: string) =>
  receiver.waitFor(() => receiver.spans({ service }).find((s) => s.kind === 3 && String(s.attrs['url.full']).includes(part)), 8000);

const WITH_RESTORE = ['a', 'b', 'a', 'none', 'thrown:none', 'caught-inside:a', 'args:7:1:two'];

describe('zone.js loaded, native async/await (es2022 build)', () => {
  let p: TestPage;
  beforeAll(async () => {
    p = await open('es2022');
  });
  afterAll(async () => {
    await p?.close();
  });

  it('builds with native async functions', () => {
    expect(code.es2022).toMatch(/async function asyncFunctions\(\)/);
    expect(code.es2015).not.toMatch(/async function/);
  });

  it('with() sets and restores, nested and when the callback throws', async () => {
    expect(await p.page.evaluate(() => window.zapp.withRestore())).toEqual([...WITH_RESTORE, 'zone:otelite']);
  });

  it('keeps the context in timers, promise chains, microtasks, rAF, fetch().then and XHR events', async () => {
    const seen = await p.page.evaluate(() => window.zapp.asyncApis());
    // readyState 3 (loading) may repeat for a body that comes in pieces
    seen['xhr.readystatechange'] = [...new Set(seen['xhr.readystatechange'])];
    expect(seen).toEqual({
      setTimeout: ['timeout'],
      setInterval: ['interval', 'interval', 'interval'],
      then: ['then', 'then', 'then', 'then'],
      queueMicrotask: ['microtask'],
      requestAnimationFrame: ['raf'],
      'fetch.then': ['fetch', 'fetch'],
      'xhr.readystatechange': ['1:xhr', '2:xhr', '3:xhr', '4:xhr'], // 1 fires in open(), inside with()
      'xhr.load': ['xhr'],
      'sync-after': ['none'],
    });
  });

  it('a DOM listener added inside with() keeps the context on a real click; so does a bound element', async () => {
    await p.page.evaluate(() => window.zapp.setupClicks());
    await p.page.click('#inside');
    await p.page.click('#bound');
    const clicks = await p.page.evaluate(() => window.zapp.clicks);
    expect(clicks).toEqual(['inside:click', 'bound-mousedown:bound-el', 'bound:bound-el']);
  });

  it('interleaved .then flows keep their own context', async () => {
    expect(await p.page.evaluate(() => window.zapp.interleaved())).toEqual({
      A: ['A', 'A', 'A', 'A'],
      B: ['B', 'B', 'B', 'B'],
      C: ['C', 'C', 'C', 'C'],
    });
  });

  it('native await and for await lose the context (the zone.js limit)', async () => {
    const r = await p.page.evaluate(() => window.zapp.asyncFunctions());
    expect(r[0]).toBe('start:async');
    expect(r.slice(1)).toEqual([
      'await1:none',
      'await2:none',
      'for-await:none/none',
      'for-await:none/none',
      'end:none',
      'outside:none',
    ]);
  });

  it('bind(ctx, element): add after, remove with the original, duplicates, once, handleEvent, capture', async () => {
    expect(await p.page.evaluate(() => window.zapp.bindTarget())).toEqual([
      'returns-target:true',
      'f:ping:el:this-is-el=true', // once, not twice: the duplicate add was ignored
      'once:el',
      'once:el',
      'handleEvent:ping:el:obj',
      'phase2:el', // at the target both phases run, in registration order
      'phase2:el',
      'phase2:el',
      'f:ping:el2:this-is-el=true',
      'early:none', // added before bind: not wrapped, but removable
      'after:none',
    ]);
  });

  it('bind(ctx, xhr): listeners and on-handlers added after run in ctx; removeEventListener works', async () => {
    expect(await p.page.evaluate(() => window.zapp.bindXhr())).toEqual(['readystatechange:xhr-bound', 'onload:xhr-bound', 'load:xhr-bound']);
  });

  it('a bound function keeps its context when called from unrelated events and timers', async () => {
    expect(await p.page.evaluate(() => window.zapp.bindFunction())).toEqual([
      'direct:bound-fn',
      'inside-other:bound-fn',
      'from-event:bound-fn',
      'bound-listener:bound-listener',
      'from-timer:bound-fn',
      'timer-itself:timer',
    ]);
  });

  it('with() inside an app zone (NgZone stand-in) keeps it as an ancestor that sees the tasks', async () => {
    const r = await p.page.evaluate(() => window.zapp.parentZone());
    expect(r).toEqual({
      sync: 'ng',
      zone: 'otelite',
      parent: 'angular',
      isAngularZone: true,
      timer: 'ng',
      timerIsAngularZone: true,
      invokedInTimer: 1,
    });
  });

  it('fetch instrumentation with .then chains: the CLIENT span and later spans have the right parent', async () => {
    const r = await p.page.evaluate(() => window.zapp.fetchThenSpans());
    expect(r.seen).toEqual(['then1:then-op', 'then2:then-op']);
    const op = await span('zone-es2022', 'then-op');
    const after = await span('zone-es2022', 'then-after');
    const c = await client('zone-es2022', 'zone=then-fetch');
    expect(op.spanId).toBe(r.spanId);
    expect(c.parentSpanId).toBe(op.spanId);
    expect(after.parentSpanId).toBe(op.spanId);
    expect(r.traceparent).toMatch(new RegExp(`^00-${op.traceId}-${c.spanId}-0[13]$`));
  });

  it('the page saw no errors and every export was schema-valid', () => {
    expect(p.problems()).toEqual([]);
    expect(p.console.filter((m) => m.startsWith('warning'))).toEqual([]);
    expect(receiver.errors()).toEqual([]);
  });
});

// Two ways to keep zone.js working across `await`: lower async functions (es2015 target), or keep
// es2022 and let the otelite/esbuild plugin lower them; both must behave the same.
describe.each([
  ['es2015', 'es2015 build (async functions lowered)'],
  ['plugin', 'es2022 build with the otelite/esbuild plugin'],
] as const)('zone.js loaded, %s: %s', (build, _what) => {
  let p: TestPage;
  const service = 'zone-' + build;
  beforeAll(async () => {
    p = await open(build);
  });
  afterAll(async () => {
    await p?.close();
  });

  it('await and for await keep the context', async () => {
    if (build == 'plugin') expect(code.plugin).toContain('__oteliteAsync(');
    expect(await p.page.evaluate(() => window.zapp.asyncFunctions())).toEqual([
      'start:async',
      'await1:async',
      'await2:async',
      'for-await:async/async',
      'for-await:async/async',
      'end:async',
      'outside:none',
    ]);
  });

  it('fetch instrumentation: promise continuations keep their parent (CLIENT span parent = active span)', async () => {
    const r = await p.page.evaluate(() => window.zapp.fetchSpans());
    expect(r.seen).toEqual(['before-fetch:op', 'after-fetch:op', 'after-json:op']);
    const op = await span(service, 'op');
    const after = await span(service, 'after-fetch');
    const c = await client(service, 'zone=await-fetch');
    expect(op.spanId).toBe(r.spanId);
    expect(c.parentSpanId).toBe(op.spanId);
    expect(c.traceId).toBe(op.traceId);
    expect(after.parentSpanId).toBe(op.spanId);
    expect(r.traceparent).toMatch(new RegExp(`^00-${op.traceId}-${c.spanId}-0[13]$`));
  });

  it('the rest behaves as in the es2022 build', async () => {
    expect(await p.page.evaluate(() => window.zapp.withRestore())).toEqual([...WITH_RESTORE, 'zone:otelite']);
    expect(await p.page.evaluate(() => window.zapp.interleaved())).toEqual({
      A: ['A', 'A', 'A', 'A'],
      B: ['B', 'B', 'B', 'B'],
      C: ['C', 'C', 'C', 'C'],
    });
  });

  it('the page saw no errors', () => {
    expect(p.problems()).toEqual([]);
  });
});

describe('zone.js not loaded', () => {
  let p: TestPage;
  beforeAll(async () => {
    p = await open('nozone');
  });
  afterAll(async () => {
    await p?.close();
  });

  it('warns once; synchronous with() works; async callbacks get the root context', async () => {
    expect(await p.page.evaluate(() => window.zapp.hasZone())).toBe(false);
    expect(await p.page.evaluate(() => window.zapp.withRestore())).toEqual([...WITH_RESTORE, 'zone:no zone.js']);
    const seen = await p.page.evaluate(() => window.zapp.asyncApis());
    expect(seen.setTimeout).toEqual(['none']);
    expect(seen['fetch.then']).toEqual(['none', 'none']);
    expect(seen['xhr.load']).toEqual(['none']);
    expect(seen['cleared-inside']).toBeUndefined();
    expect(await p.page.evaluate(() => window.zapp.bindFunction())).toContain('from-timer:bound-fn');
    const warnings = p.console.filter((m) => m.startsWith('warning'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/ZoneContextManager.*zone\.js is not loaded/);
    expect(p.problems()).toEqual([]);
  });
});

// the pages load zone.js from node_modules: make sure it is the version the facts were measured with
it('zone.js 0.16.3 is what the pages load', () => {
  expect(readFileSync(ZONE_JS, 'utf8')).toMatch(/Zone/);
  expect(JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules/zone.js/package.json'), 'utf8')).version).toBe('0.16.3');
});

/**
 * The zero-code snippet in real Chromium: one `<script>` tag with data attributes is the whole
 * setup. A page with fetch, XHR, a cross-origin API, a span of its own, an uncaught error, a
 * click and a navigation delivers spans, web vitals (metrics and events) and logs, schema-valid,
 * all with one `session.id`; the page's own metrics through `window.otelite.metrics`, with the
 * metrics SDK loaded on demand from beside the snippet. Then: instrumentations turned off by
 * attribute, a strict CSP page (with B3 loaded on demand from beside the snippet), blocked
 * storage (sandboxed iframe, throwing getters), the snippet included twice, `async`/`defer`
 * loading that does not block parsing.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { htmlPage, launchBrowser, newPage, startReceiver, startServer } from './harness';
import type { Browser, FlatSpan, Receiver, TestPage, TestServer } from './harness';
import { buildSnippet, HERO_SVG, snippetTag, spansOf } from './web-fixtures';

/** The page's own code: plain browser JavaScript, as a site would have it. */
const APP = `
window.violations = [];
addEventListener('securitypolicyviolation', (e) => window.violations.push(e.violatedDirective + ' ' + e.blockedURI));
const json = (r) => r.json();
window.run = async () => {
  const api = document.body.dataset.api;
  // values otelite must never capture
  document.cookie = 'shop_session=cookie-secret-1234; path=/';
  localStorage.setItem('token', 'storage-secret-5678');
  sessionStorage.setItem('cart', 'storage-secret-9012');
  const fetched = await fetch('/api/echo?from=fetch').then(json);
  const xhr = await new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open('GET', '/api/echo?from=xhr');
    x.onload = () => resolve(JSON.parse(x.responseText));
    x.onerror = reject;
    x.send();
  });
  const cross = api ? await fetch(api + '/api/echo?from=cross').then(json) : null;
  // a span of the page's own through window.otelite, with a request inside it
  const child = await window.otelite.getTracer('app').startActiveSpan('checkout', (span) =>
    fetch('/api/echo?from=child').then(json).then((j) => (span.end(), j)),
  );
  return { fetch: fetched.headers, xhr: xhr.headers, cross: cross && cross.headers, child: child.headers };
};
window.boom = () => setTimeout(() => { throw new Error('e2e boom'); });
document.getElementById('btn').addEventListener('click', () => {
  // a slow handler, so the interaction counts for INP
  const end = performance.now() + 60;
  while (performance.now() < end);
  document.getElementById('out').textContent = 'clicked';
});
`;

const BODY = (api = '') =>
  `<h1>shop</h1><img src="/hero.svg" width="600" height="200" alt=""><button id="btn">buy</button><p id="out"></p>` +
  (api ? `<script src="/api-url.js"></script>` : '');

let browser: Browser;
let rcv: Receiver;
let site: TestServer;
let api: TestServer;
let p: TestPage | undefined;

beforeAll(async () => {
  const distDir = await buildSnippet();
  [browser, rcv, api] = await Promise.all([launchBrowser(), startReceiver(), startServer({ cors: { origins: '*' } })]);
  const tag = (service: string, more: Record<string, string> = {}, extra = '') =>
    snippetTag({ 'service-name': service, endpoint: rcv.url, 'propagate-to': api.url, ...more }, extra);
  const body = `<body data-api="${api.url}">`;
  /** the shop page with `head` */
  const app = (head: string) => htmlPage({ head, body: BODY(), scripts: ['/app.js'] }).replace('<body>', body);
  const full = (service: string, more?: Record<string, string>, head = '') => app(head + tag(service, more));
  /** the page with the snippet tag's source at `src` */
  const at = (src: string, t: string) => app(t.replace('/dist/otelite.iife.js', src));
  const html = (s: string) => ({ body: s, type: 'text/html; charset=utf-8' });
  site = await startServer({
    distDir,
    cors: { origins: '*' },
    routes: {
      '/app.js': APP,
      '/hero.svg': HERO_SVG,
      '/next': html(htmlPage({ title: 'next', body: '<p>next page</p>' })),
      '/': html(full('web-main')),
      '/noxhr': html(full('web-noxhr', { 'disabled-instrumentations': 'xhr' })),
      '/config.js': `window.oteliteConfig = { redactUrl: (u) => u.replace(/secret=[^&]*/, 'secret=hidden'), instrumentations: { 'web-vitals': false } };`,
      '/csp': {
        body: full('web-csp', { propagators: 'tracecontext,baggage,b3' }, '<script src="/config.js"></script>'),
        type: 'text/html; charset=utf-8',
        headers: { 'Content-Security-Policy': "script-src 'self'; object-src 'none'; base-uri 'none'" },
      },
      '/framed': html(full('web-framed')),
      '/sandbox': html(htmlPage({ body: `<iframe sandbox="allow-scripts" src="/framed" width="700" height="400"></iframe>` })),
      // only the IIFE hosted, not dist/ whole: what it loads from min/ is missing
      '/solo/otelite.iife.js': { file: distDir + '/otelite.iife.js', type: 'text/javascript' },
      '/solo': html(at('/solo/otelite.iife.js', tag('web-solo', { propagators: 'b3' }))),
      '/twice': html(app(tag('web-twice') + tag('web-twice-2'))),
      '/slow-snippet.js': {
        async handler(_req, res) {
          await new Promise((r) => setTimeout(r, 700));
          const { readFile } = await import('node:fs/promises');
          res.writeHead(200, { 'content-type': 'text/javascript' }).end(await readFile(distDir + '/otelite.iife.js'));
        },
      },
      '/async': html(at('/slow-snippet.js', tag('web-async', {}, 'async'))),
      '/defer': html(at('/slow-snippet.js', tag('web-defer', {}, 'defer'))),
    },
  });
});
afterAll(async () => {
  await Promise.all([browser?.close(), rcv?.close(), site?.close(), api?.close()]);
});
afterEach(async () => {
  await p?.close();
  p = undefined;
});
// what arrived, when a test fails
afterEach((c) => {
  if (c.task.result?.state == 'fail')
    console.log(JSON.stringify(rcv.spans().map((x) => [x.resource['service.name'], x.scope.name, x.name, x.attrs['url.full']])));
});

type Headers = Record<string, string | undefined>;
type Run = { fetch: Headers; xhr: Headers; cross: Headers | null; child: Headers };

async function open(path: string, opts?: Parameters<typeof newPage>[1]): Promise<TestPage> {
  p = await newPage(browser, opts);
  await p.page.goto(site.at(path));
  await p.page.waitForFunction(() => 'otelite' in window && document.readyState == 'complete');
  return p;
}
const run = (t: TestPage): Promise<Run> => t.page.evaluate(() => (window as unknown as { run(): Promise<Run> }).run());
/**
 * Exports what the page has: after a moment, as a fetch span ends when its resource timing entry
 * comes (shortly after the response), not when the promise resolves.
 */
async function flush(t: { evaluate: TestPage['page']['evaluate']; waitForTimeout(ms: number): Promise<void> }): Promise<void> {
  await t.waitForTimeout(300);
  await t.evaluate(() => (window as unknown as { otelite: { forceFlush(): Promise<void> } }).otelite.forceFlush());
}
const of = (service: string) => ({ spans: () => rcv.spans({ service }), logs: () => rcv.logs({ service }), metrics: () => rcv.metrics({ service }) });
/** traceparent of a span, as injected (flags: sampled, and random under W3C Level 2) */
const tp = (s: FlatSpan<unknown>) => `00-${s.traceId}-${s.spanId}-03`;
const byUrl = (spans: FlatSpan<unknown>[], part: string) => spans.find((s) => String(s.attrs['url.full']).includes(part));

describe('the snippet with data attributes only', () => {
  it('delivers spans, web vitals and logs from a page with fetch, XHR and a navigation', async () => {
    const t = await open('/');
    const h = await run(t);
    await t.page.evaluate(() => (window as unknown as { boom(): void }).boom());
    await t.page.click('#btn');
    await t.page.waitForFunction(() => document.getElementById('out')!.textContent == 'clicked');
    // web-vitals processes interactions in an idle callback (at most 1 s later); one still
    // pending when the page hides is lost (web-vitals 6.2.3 in Chromium 156, without reportAllChanges)
    await t.page.waitForTimeout(1100);
    // navigating away hides the page: the exit flush carries what is queued, INP and CLS included
    await t.page.goto(site.at('/next'));
    const s = of('web-main');
    const vitals = () => new Set(s.logs().filter((l) => l.eventName == 'browser.web_vital').map((l) => l.attrs['browser.web_vital.name']));
    await rcv.waitFor(
      () =>
        s.spans().some((x) => x.name == 'documentLoad') &&
        s.spans().some((x) => x.scope.name == 'otelite/xhr') &&
        s.logs().some((l) => l.eventName == 'exception') &&
        vitals().size == 5 &&
        new Set(s.metrics().map((m) => m.name).filter((n) => n.startsWith('browser.web_vital.'))).size == 5,
      15_000,
    );
    expect(rcv.errors()).toEqual([]);
    const spans = s.spans();

    // fetch and XHR: CLIENT spans, stable semconv, headers injected where allowed
    const f = byUrl(spans.filter((x) => x.scope.name == 'otelite/fetch'), 'from=fetch')!;
    expect(f).toMatchObject({ name: 'GET', kind: 3 });
    expect(f.attrs).toMatchObject({ 'http.request.method': 'GET', 'http.response.status_code': 200, 'server.address': '127.0.0.1', 'server.port': site.port });
    expect(f.attrs['url.full']).toBe(site.at('/api/echo?from=fetch'));
    expect(h.fetch.traceparent).toBe(tp(f));
    const x = byUrl(spansOf(rcv, 'otelite/xhr'), 'from=xhr')!;
    expect(x).toMatchObject({ name: 'GET', kind: 3 });
    expect(h.xhr.traceparent).toBe(tp(x));
    // the cross-origin API is in data-propagate-to
    const c = byUrl(spans, 'from=cross')!;
    expect(h.cross!.traceparent).toBe(tp(c));
    // the page's own span is the parent of the request made inside it
    const checkout = spans.find((x) => x.name == 'checkout')!;
    const child = byUrl(spans, 'from=child')!;
    expect(child.parentSpanId).toBe(checkout.spanId);
    expect(child.traceId).toBe(checkout.traceId);

    // the page load: documentLoad → documentFetch, resourceFetch (the snippet, the image, app.js)
    const dl = spans.find((x) => x.name == 'documentLoad')!;
    const kids = spans.filter((x) => x.parentSpanId == dl.spanId);
    expect(kids.map((k) => k.name)).toContain('documentFetch');
    const resources = kids.filter((k) => k.name == 'resourceFetch').map((k) => String(k.attrs['url.full']));
    expect(resources).toEqual(expect.arrayContaining([site.at('/hero.svg'), site.at('/app.js'), site.at('/dist/otelite.iife.js')]));

    // one session on everything; session.start among the logs
    const start = s.logs().find((l) => l.eventName == 'session.start')!;
    const sid = start.attrs['session.id'];
    expect(sid).toMatch(/^[0-9a-f]{32}$/);
    for (const x of spans) expect(x.attrs['session.id'], x.name).toBe(sid);
    for (const l of s.logs()) expect(l.attrs['session.id'], l.eventName).toBe(sid);
    for (const m of s.metrics()) expect(m.resource['session.id']).toBe(sid);
    // the resource names the service, from data-service-name
    expect(dl.resource).toMatchObject({ 'service.name': 'web-main', 'telemetry.sdk.name': 'otelite', 'telemetry.sdk.language': 'webjs' });

    // web vitals: events and histograms, all five
    expect([...vitals()].sort()).toEqual(['cls', 'fcp', 'inp', 'lcp', 'ttfb']);
    expect([...new Set(s.metrics().map((m) => m.name).filter((n) => n.startsWith('browser.web_vital.')))].sort()).toEqual(
      ['cls', 'fcp', 'inp', 'lcp', 'ttfb'].map((n) => 'browser.web_vital.' + n),
    );
    // the uncaught error as an exception log
    const ex = s.logs().find((l) => l.eventName == 'exception')!;
    expect(ex.attrs['exception.message']).toBe('e2e boom');

    // no cookies or storage values anywhere: only otelite's own session id leaves the page
    const json = JSON.stringify(rcv.received.map((r) => r.body));
    expect(json).not.toContain('otelite.session');
    expect(json).not.toMatch(/cookie-secret|storage-secret/);
    // and the exports themselves carry no cookies
    expect(rcv.received.filter((r) => r.headers.cookie)).toEqual([]);
    expect(t.problems([/e2e boom/])).toEqual([]);
  });

  it('exposes the API on window.otelite', async () => {
    const t = await open('/');
    const api = await t.page.evaluate(() => {
      const o = (window as unknown as { otelite: Record<string, unknown> }).otelite;
      return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v]));
    });
    expect(api).toMatchObject({
      forceFlush: 'function',
      shutdown: 'function',
      getTracer: 'function',
      sessionId: 'function',
      recordError: 'function',
      trace: 'object',
      context: 'object',
      propagation: 'object',
      metrics: 'object',
      logs: 'object',
    });
    expect(await t.page.evaluate(() => (window as unknown as { otelite: { sessionId(): string } }).otelite.sessionId())).toMatch(/^[0-9a-f]{32}$/);

    // forceFlush right after the first recording, while the metrics SDK is still loading: it
    // waits for the load, so this very flush carries the value (the reader's next timed export
    // is a minute away, so nothing else could bring it within waitFor's 5 s)
    await t.page.evaluate(async () => {
      type M = { getMeter(n: string): { createCounter(n: string): { add(v: number, a?: object): void } } };
      const o = (window as unknown as { otelite: { metrics: M; forceFlush(): Promise<void> } }).otelite;
      o.metrics.getMeter('app').createCounter('app.quick').add(7, { where: 'first' });
      await o.forceFlush();
    });
    const quick = await rcv.waitFor(() => rcv.metrics().find((x) => x.name == 'app.quick'));
    expect(quick.points.map((x) => [x.attrs.where, Number((x as { asInt?: string }).asInt ?? (x as { asDouble?: number }).asDouble)])).toEqual([['first', 7]]);

    // the page's own metrics: the metrics SDK comes from beside the snippet at the first meter;
    // what is recorded before it arrives is kept
    await t.page.evaluate(async () => {
      type M = { getMeter(n: string): { createCounter(n: string): { add(v: number, a?: object): void } } };
      const o = (window as unknown as { otelite: { metrics: M; forceFlush(): Promise<void> } }).otelite;
      const c = o.metrics.getMeter('app').createCounter('app.clicks');
      c.add(2, { where: 'early' });
      await new Promise((r) => setTimeout(r, 500));
      c.add(3, { where: 'early' });
      await o.forceFlush();
    });
    const m = await rcv.waitFor(() => rcv.metrics().find((x) => x.name == 'app.clicks'));
    expect(m.resource['session.id']).toMatch(/^[0-9a-f]{32}$/);
    expect(m.points.map((x) => [x.attrs.where, Number((x as { asInt?: string }).asInt ?? (x as { asDouble?: number }).asDouble)])).toEqual([['early', 5]]);

    // the page's own log records, with the same tagging (session.id)
    await t.page.evaluate(async () => {
      type L = { getLogger(n: string): { emit(r: object): void } };
      const o = (window as unknown as { otelite: { logs: L; forceFlush(): Promise<void> } }).otelite;
      o.logs.getLogger('app').emit({ severityNumber: 9, attributes: { 'app.step': 'checkout' } });
      await o.forceFlush();
    });
    const l = await rcv.waitFor(() => rcv.logs().find((x) => x.attrs['app.step'] == 'checkout'));
    expect(l.scope.name).toBe('app');
    expect(l.attrs['session.id']).toMatch(/^[0-9a-f]{32}$/);
    expect(t.problems()).toEqual([]);
  });

  it('data-disabled-instrumentations="xhr": no XHR spans, no headers on XHR', async () => {
    const t = await open('/noxhr');
    const h = await run(t);
    await flush(t.page);
    const s = of('web-noxhr');
    await rcv.waitFor(() => byUrl(s.spans(), 'from=child'));
    expect(s.spans().filter((x) => x.scope.name == 'otelite/xhr')).toEqual([]);
    expect(byUrl(s.spans(), 'from=xhr')).toBeUndefined();
    expect(h.xhr.traceparent).toBeUndefined();
    expect(h.fetch.traceparent).toBe(tp(byUrl(s.spans(), 'from=fetch')!));
    expect(rcv.errors()).toEqual([]);
    expect(t.problems()).toEqual([]);
  });
});

describe('hostile environments', () => {
  it("works under a strict CSP (script-src 'self'), with B3 loaded on demand and window.oteliteConfig", async () => {
    const t = await open('/csp');
    // B3 arrives a request later: wait until it injects
    let h = await run(t);
    for (let i = 0; i < 20 && !h.fetch.b3; i++) {
      await t.page.waitForTimeout(50);
      h = await run(t);
    }
    expect(h.fetch.b3).toMatch(/^[0-9a-f]{32}-[0-9a-f]{16}-1$/);
    expect(h.fetch.traceparent).toMatch(/^00-/);
    await t.page.evaluate(() => fetch('/api/echo?secret=abc&sig=xyz').then((r) => r.text()));
    await flush(t.page);
    const s = of('web-csp');
    const red = await rcv.waitFor(() => byUrl(s.spans(), 'secret='));
    expect(red.attrs['url.full']).toBe(site.at('/api/echo?secret=hidden&sig=REDACTED'));
    // oteliteConfig turned web-vitals off
    await t.page.goto(site.at('/next'));
    await rcv.waitFor(() => s.spans().some((x) => x.name == 'documentLoad'));
    expect(s.logs().filter((l) => l.eventName == 'browser.web_vital')).toEqual([]);
    expect(await t.page.evaluate(() => (window as unknown as { violations?: string[] }).violations ?? [])).toEqual([]);
    expect(rcv.errors()).toEqual([]);
    expect(t.problems()).toEqual([]);
  });

  it('works in a sandboxed iframe, where Web Storage throws', async () => {
    p = await newPage(browser);
    await p.page.goto(site.at('/sandbox'));
    const frame = p.page.frames().find((f) => f.url().endsWith('/framed'))!;
    await frame.waitForFunction(() => 'otelite' in window && document.readyState == 'complete');
    // it really is blocked in there
    expect(await frame.evaluate(() => {
      try {
        return typeof sessionStorage.getItem('x');
      } catch (e) {
        return (e as Error).name;
      }
    })).toBe('SecurityError');
    await frame.evaluate(() => fetch('/api/echo?from=sandbox').then((r) => r.text()));
    await flush(frame);
    const s = of('web-framed');
    const span = await rcv.waitFor(() => byUrl(s.spans(), 'from=sandbox'));
    expect(span.attrs['session.id']).toMatch(/^[0-9a-f]{32}$/);
    expect(s.logs().find((l) => l.eventName == 'session.start')?.attrs['session.id']).toBe(span.attrs['session.id']);
    expect(rcv.errors()).toEqual([]);
    expect(p.problems()).toEqual([]);
  });

  it('works when the storage getters throw', async () => {
    p = await newPage(browser);
    await p.context.addInitScript(() => {
      for (const k of ['sessionStorage', 'localStorage'])
        Object.defineProperty(window, k, {
          configurable: true,
          get() {
            throw new DOMException('storage is disabled', 'SecurityError');
          },
        });
    });
    await p.page.goto(site.at('/noxhr'));
    await p.page.waitForFunction(() => 'otelite' in window);
    const sid = await p.page.evaluate(() => (window as unknown as { otelite: { sessionId(): string } }).otelite.sessionId());
    expect(sid).toMatch(/^[0-9a-f]{32}$/);
    await p.page.evaluate(() => fetch('/api/echo?from=nostorage').then((r) => r.text()));
    await flush(p.page);
    const span = await rcv.waitFor(() => byUrl(of('web-noxhr').spans(), 'from=nostorage'));
    expect(span.attrs['session.id']).toBe(sid);
    expect(p.problems()).toEqual([]);
  });

  it('only the IIFE hosted: a file it loads from min/ that is missing gets a warning, nothing throws', async () => {
    const t = await open('/solo');
    await t.page.evaluate(() => {
      const o = (window as unknown as { otelite: { metrics: { getMeter(n: string): { createCounter(n: string): { add(v: number): void } } } } }).otelite;
      o.metrics.getMeter('app').createCounter('solo.clicks').add(1);
    });
    const warned = (f: string) => t.console.some((m) => m.startsWith('warning: otelite: could not load ' + site.at('/solo/min/' + f)));
    for (let i = 0; i < 40 && !(warned('propagators/b3.js') && warned('metrics.js')); i++) await t.page.waitForTimeout(50);
    expect(warned('propagators/b3.js')).toBe(true);
    expect(warned('metrics.js')).toBe(true);
    // the page itself is unharmed: its requests go through (without B3, which never arrived)
    const h = await run(t);
    expect(h.fetch.b3).toBeUndefined();
    // only the browser's own reports of the missing files
    // (not the failed import()'s rejection: Chromium would report it only if nobody handled it)
    expect(t.problems([/404|Failed to load resource/])).toEqual([]);
  });

  it('included twice: one warning, one setup, every request traced once', async () => {
    const t = await open('/twice');
    expect(t.console.filter((m) => m.includes('otelite:'))).toEqual([
      'warning: otelite: init() called again; the first setup is kept',
    ]);
    await t.page.evaluate(() => fetch('/api/echo?from=twice').then((r) => r.text()));
    await flush(t.page);
    await rcv.waitFor(() => byUrl(of('web-twice').spans(), 'from=twice'));
    await t.page.waitForTimeout(200);
    expect(rcv.spans().filter((s) => String(s.attrs['url.full']).includes('from=twice'))).toHaveLength(1);
    expect(of('web-twice-2').spans()).toEqual([]);
    expect(t.problems()).toEqual([]);
  });
});

describe('loading', () => {
  for (const mode of ['async', 'defer'] as const) {
    it(`${mode}: does not block parsing, and still reports the page load`, async () => {
      p = await newPage(browser);
      await p.page.goto(site.at('/' + mode), { waitUntil: 'commit' });
      await p.page.waitForFunction(() => 'otelite' in window, undefined, { timeout: 5000 });
      // the snippet took 700 ms to arrive: the parser had finished the document before it came
      const [parsed, arrived] = await p.page.evaluate(() => [
        (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).domInteractive,
        performance.getEntriesByType('resource').find((r) => r.name.endsWith('/slow-snippet.js'))!.responseEnd,
      ]);
      expect(parsed).toBeLessThan(arrived);
      await p.page.waitForFunction(() => document.readyState == 'complete');
      await p.page.evaluate(() => fetch('/api/echo?from=' + location.pathname.slice(1)).then((r) => r.text()));
      await p.page.goto(site.at('/next'));
      const s = of('web-' + mode);
      await rcv.waitFor(() => s.spans().some((x) => x.name == 'documentLoad') && byUrl(s.spans(), 'from=' + mode), 10_000);
      expect(rcv.errors()).toEqual([]);
      expect(p.problems()).toEqual([]);
    });
  }
});

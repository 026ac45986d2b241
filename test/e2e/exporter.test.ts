/**
 * The OTLP/HTTP JSON trace exporter in real Chromium, against the harness receiver on another
 * origin (another port), with a `BatchSpanProcessor` and nothing else: the unload safety must
 * come from the exporter and the processor alone.
 *
 * The page bundle is built here with esbuild from src/ (an IIFE, so the test does not depend on
 * dist/ being built). Its behaviour is driven through the query string:
 *   c=<collector base URL>  t=<transport>  z=<compression>  n=<spans per click>  nav=<number>
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import type { MiniflareOptions } from 'miniflare';
import { REPO_ROOT, freePort, htmlPage, launchBrowser, newPage, startReceiver, startServer } from './harness';
import type { Browser, Receiver, TestPage, TestServer } from './harness';

const PAGE_SRC = `
import { TracerProvider, BatchSpanProcessor } from './src/trace/index';
import { OTLPTraceExporter } from './src/exporters/otlp-http-json/traces';
const q = new URLSearchParams(location.search);
const nav = Number(q.get('nav') || 0);
const exporter = new OTLPTraceExporter({
  endpoint: q.get('c'),
  transport: q.get('t') || undefined,
  compression: q.get('z') || undefined,
  headers: q.get('h') ? { 'x-api-key': q.get('h') } : undefined,
});
const provider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
provider.register();
const tracer = provider.getTracer('e2e-exporter', '1.0.0');
/** n spans, ended now, tagged with this page's navigation number */
const spans = (n, tag) => {
  for (let i = 0; i < n; i++) {
    const s = tracer.startSpan('click', { attributes: { nav, i, tag, pad: 'x'.repeat(Number(q.get('pad') || 0)) } });
    s.addEvent('clicked', { n: i });
    s.end();
  }
};
window.e2e = {
  exporter,
  spans,
  flush: () => provider.forceFlush(),
  /** exports n spans now and resolves with the exporter's result code */
  exportNow: (n, tag) => new Promise((r) => {
    const got = [];
    const p = new TracerProvider({ spanProcessors: [{ onStart() {}, onEnd: (s) => got.push(s), forceFlush: async () => {}, shutdown: async () => {} }] });
    const t = p.getTracer('e2e-exporter', '1.0.0');
    for (let i = 0; i < n; i++) t.startSpan('direct', { attributes: { nav, i, tag } }).end();
    exporter.export(got, (res) => r(res.code));
  }),
};
document.getElementById('go').addEventListener('click', () => {
  spans(Number(q.get('n') || 5), 'click');
  q.set('nav', String(nav + 1));
  location.href = location.pathname + '?' + q;
});
`;

let browser: Browser;
let server: TestServer;
let rcv: Receiver;

beforeAll(async () => {
  const out = await build({
    stdin: { contents: PAGE_SRC, resolveDir: REPO_ROOT, loader: 'ts', sourcefile: 'exporter-page.ts' },
    bundle: true,
    format: 'iife',
    target: 'es2022',
    write: false,
    logLevel: 'error',
  });
  server = await startServer({
    routes: {
      '/page.html': htmlPage({ body: '<button id="go">go</button>', scripts: ['/page.js'] }),
      '/page.js': { body: out.outputFiles[0].text, type: 'text/javascript' },
    },
  });
  // CORS as the README tells a Collector to be configured: the page's origin allowed, the
  // Content-Type and Content-Encoding headers allowed (the harness always allows those two).
  rcv = await startReceiver({ cors: { origins: [server.origin], maxAge: 600 } });
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await rcv?.close();
});

const pageUrl = (params: Record<string, string | number>): string =>
  server.at('/page.html') + '?' + new URLSearchParams({ c: rcv.url, ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])) });

/** Clicks "go" (spans end in the handler, which then navigates) `times` times. */
async function navigate(p: TestPage, times: number): Promise<void> {
  for (let k = 0; k < times; k++) {
    await Promise.all([p.page.waitForURL(new RegExp(`[?&]nav=${k + 1}(&|$)`)), p.page.click('#go')]);
  }
  await p.page.waitForLoadState('load');
}

/** How many spans of each navigation arrived in accepted exports (a map nav → count). */
function perNav(tag = 'click'): Map<number, number> {
  const m = new Map<number, number>();
  for (const s of rcv.spans()) if (s.attrs.tag === tag) m.set(Number(s.attrs.nav), (m.get(Number(s.attrs.nav)) ?? 0) + 1);
  return m;
}

const NAVS = 30;
const PER_CLICK = 5;

describe('OTLPTraceExporter in Chromium, collector on another origin', () => {
  it(`spans ended in a click handler right before navigating away: ${NAVS} navigations, all arrive, once`, async () => {
    rcv.reset();
    const p = await newPage(browser);
    await p.page.goto(pageUrl({ nav: 0, n: PER_CLICK }));
    await navigate(p, NAVS);
    const counts = await rcv.waitFor((r) => {
      const m = perNav();
      return m.size >= NAVS && [...m.values()].reduce((a, b) => a + b, 0) >= NAVS * PER_CLICK ? m : undefined;
    }, 10_000).catch(() => perNav());
    const delivered = [...Array(NAVS).keys()].filter((k) => counts.get(k) === PER_CLICK).length;
    console.log(`exporter e2e: page exit, fetch transport (keepalive, JSON): ${delivered}/${NAVS} navigations delivered all spans`);
    expect(delivered).toBe(NAVS);
    expect([...counts.values()].every((c) => c === PER_CLICK)).toBe(true); // nothing twice
    expect(rcv.errors()).toEqual([]);
    const exits = rcv.received.filter((r) => r.signal === 'traces');
    expect(exits.every((r) => r.contentType === 'application/json' && !r.gzip)).toBe(true); // at exit: uncompressed
    expect(p.problems()).toEqual([]);
    await p.close();
  });

  it(`beacon transport: ${NAVS} navigations, all arrive, as text/plain with no preflight`, async () => {
    rcv.reset();
    const p = await newPage(browser);
    await p.page.goto(pageUrl({ nav: 0, n: PER_CLICK, t: 'beacon' }));
    await navigate(p, NAVS);
    const counts = await rcv
      .waitFor((r) => (perNav().size >= NAVS ? perNav() : undefined), 10_000)
      .catch(() => perNav());
    const delivered = [...Array(NAVS).keys()].filter((k) => counts.get(k) === PER_CLICK).length;
    console.log(`exporter e2e: page exit, beacon transport (text/plain): ${delivered}/${NAVS} navigations delivered all spans`);
    expect(delivered).toBe(NAVS);
    expect(rcv.received.every((r) => r.contentType === 'text/plain')).toBe(true);
    expect(rcv.requests.some((r) => r.preflight)).toBe(false);
    expect(rcv.errors()).toEqual([]);
    expect(p.problems()).toEqual([]);
    await p.close();
  });

  it('gzip on the wire by default, after a CORS preflight that the README configuration satisfies', async () => {
    rcv.reset();
    const p = await newPage(browser);
    await p.page.goto(pageUrl({ h: 'secret' }));
    // an extra header must be allowed too, as the README says (allowed_headers)
    rcv.set({ cors: { origins: [server.origin], allowHeaders: ['x-api-key'] } });
    expect(await p.page.evaluate(() => (window as any).e2e.exportNow(20, 'gz'))).toBe(0);
    const [r] = rcv.received;
    expect(r).toMatchObject({ gzip: true, contentEncoding: 'gzip', contentType: 'application/json', errors: [] });
    expect(r.headers['x-api-key']).toBe('secret');
    expect(r.rawSize).toBeLessThan(r.size / 3);
    const pre = rcv.requests.find((x) => x.preflight);
    expect(pre?.headers['access-control-request-headers']).toBe('content-encoding,content-type,x-api-key');
    expect(pre?.response?.status).toBe(204);
    expect(rcv.spans().filter((s) => s.attrs.tag === 'gz')).toHaveLength(20);
    expect(p.problems()).toEqual([]);
    rcv.set({ cors: { origins: [server.origin], maxAge: 600 } });
    await p.close();
  });

  it('503 + Retry-After once: retried after the delay, every span exactly once', async () => {
    rcv.reset();
    const p = await newPage(browser);
    await p.page.goto(pageUrl({}));
    // Retry-After is not a CORS-safelisted response header: a page on another origin can read it
    // only when the collector exposes it (the Collector itself cannot: see the README).
    rcv.script({ status: 503, retryAfter: 1, headers: { 'access-control-expose-headers': 'Retry-After' } });
    const t = Date.now();
    expect(await p.page.evaluate(() => (window as any).e2e.exportNow(10, 'r1'))).toBe(0);
    expect(Date.now() - t).toBeGreaterThanOrEqual(900);
    const ex = rcv.received.filter((r) => r.signal === 'traces');
    expect(ex.map((r) => r.response?.status)).toEqual([503, 200]);
    expect(ex[1].time - ex[0].response!.time).toBeGreaterThanOrEqual(950);
    expect(rcv.spans().filter((s) => s.attrs.tag === 'r1')).toHaveLength(10);
    expect(p.problems([/503/])).toEqual([]);
    await p.close();
  });

  it('503 + Retry-After, then the page navigates away: the waiting retry goes out at exit, exactly once', async () => {
    rcv.reset();
    const p = await newPage(browser);
    await p.page.goto(pageUrl({ nav: 0, n: 0 }));
    rcv.script({ status: 503, retryAfter: 30 });
    await p.page.evaluate(() => void (window as any).e2e.exportNow(10, 'r2'));
    await rcv.waitFor((r) => r.received.length >= 1);
    await navigate(p, 1);
    await rcv.waitFor((r) => r.spans().filter((s) => s.attrs.tag === 'r2').length >= 10);
    await new Promise((r) => setTimeout(r, 300));
    expect(rcv.spans().filter((s) => s.attrs.tag === 'r2')).toHaveLength(10);
    expect(rcv.received.map((r) => r.response?.status)).toEqual([503, 200]);
    expect(p.problems([/503/])).toEqual([]);
    await p.close();
  });

  it('400: not retried', async () => {
    rcv.reset();
    const p = await newPage(browser);
    await p.page.goto(pageUrl({}));
    rcv.script(400);
    expect(await p.page.evaluate(() => (window as any).e2e.exportNow(3, 'bad'))).toBe(1);
    await new Promise((r) => setTimeout(r, 1500)); // the shortest backoff is 500 ms
    expect(rcv.received.map((r) => r.response?.status)).toEqual([400]);
    expect(p.problems([/400/])).toEqual([]);
    await p.close();
  });

  it('collector down: the page is unaffected, no unhandled rejection, memory bounded (data dropped and counted)', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const p = await newPage(browser);
    await p.page.goto(server.at('/page.html') + '?' + new URLSearchParams({ c: dead, nav: '0', n: '3' }));
    const r = await p.page.evaluate(async () => {
      const e = (window as any).e2e;
      const codes: Promise<number>[] = [];
      for (let i = 0; i < 40; i++) codes.push(e.exportNow(10, 'down'));
      // the first 32 wait for retries; those beyond the bound fail at once
      const early = await Promise.all(codes.slice(32));
      let ticks = 0;
      await new Promise<void>((ok) => {
        const t0 = performance.now();
        const tick = () => (++ticks, performance.now() - t0 < 500 ? setTimeout(tick, 10) : ok());
        tick();
      });
      return { early, dropped: e.exporter.dropped, ticks };
    });
    expect(r.early).toEqual(Array(8).fill(1));
    expect(r.dropped).toBe(80);
    expect(r.ticks).toBeGreaterThan(20); // the page's own timers kept running
    await navigate(p, 2); // exits with everything still pending: fine too
    expect(p.problems([/ERR_CONNECTION_REFUSED/])).toEqual([]);
    await p.close();
  });

  it('CORS refused by the collector: the page is unaffected, no unhandled rejection', async () => {
    rcv.reset();
    rcv.set({ cors: false });
    const p = await newPage(browser);
    await p.page.goto(pageUrl({ nav: 0, n: 2 }));
    await p.page.evaluate(() => void (window as any).e2e.exportNow(3, 'cors'));
    await rcv.waitFor((r) => r.requests.some((x) => x.preflight));
    await navigate(p, 1);
    expect(rcv.spans()).toHaveLength(0);
    expect(p.problems([/CORS|Access-Control|ERR_FAILED/])).toEqual([]);
    rcv.set({ cors: { origins: [server.origin], maxAge: 600 } });
    await p.close();
  });
});

/**
 * The same exporter in real workerd (miniflare, `cf: false`). workerd cancels the I/O of a
 * request once it is over (after the response, or ~30 s later for `ctx.waitUntil` work): the
 * fetch never settles and the abort timer never fires. Here request 1 starts an export without
 * `waitUntil` against a collector that hangs, so its attempt dies with the request; the exporter
 * must notice that by itself at a later request, or it never sends again (concurrencyLimit 1).
 */
const WORKER_SRC = `
import { OTLPTraceExporter } from './src/exporters/otlp-http-json/traces';
let exp;
let n = 0;
const resource = { attributes: { 'service.name': 'edge-e2e' } };
const scope = { name: 'e2e-exporter-edge' };
const span = (tag) => {
  const t = Date.now();
  const sc = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: '00f067aa0ba902b' + (n++ % 10), traceFlags: 1 };
  return { name: 'edge', kind: 1, startTime: t - 1, endTime: t, ended: true, spanContext: () => sc, attributes: { tag },
    events: [], links: [], status: { code: 0 }, resource, instrumentationScope: scope,
    droppedAttributesCount: 0, droppedEventsCount: 0, droppedLinksCount: 0 };
};
export default {
  async fetch(req, env, ctx) {
    exp ||= new OTLPTraceExporter({ url: env.URL, concurrencyLimit: 1, timeoutMillis: 300, compression: 'none' });
    const q = new URL(req.url).searchParams;
    const done = new Promise((r) => exp.export([span(q.get('tag'))], r));
    if (q.get('wait')) ctx.waitUntil(done.then(() => exp.forceFlush()));
    return new Response('ok');
  },
};
`;

describe('OTLPTraceExporter in workerd', () => {
  it('an attempt the runtime killed with its request does not block later exports', async () => {
    const out = await build({
      stdin: { contents: WORKER_SRC, resolveDir: REPO_ROOT, loader: 'ts', sourcefile: 'exporter-worker.ts' },
      bundle: true,
      format: 'esm',
      target: 'es2022',
      write: false,
      logLevel: 'error',
    });
    rcv.reset();
    rcv.script({ hang: true });
    const mf = new Miniflare({
      cf: false,
      modules: [{ type: 'ESModule', path: REPO_ROOT + '/exporter-worker.mjs', contents: out.outputFiles[0].text }],
      compatibilityDate: '2025-09-01',
      bindings: { URL: rcv.url + '/v1/traces' },
    } as MiniflareOptions);
    try {
      await mf.ready;
      expect(await (await mf.dispatchFetch('http://edge.test/?tag=a')).text()).toBe('ok');
      await rcv.waitFor((r) => r.received.length >= 1); // on the wire, never answered
      await new Promise((r) => setTimeout(r, 1500)); // past timeoutMillis + 1 s
      expect(await (await mf.dispatchFetch('http://edge.test/?tag=b&wait=1')).text()).toBe('ok');
      const tags = await rcv
        .waitFor((r) => {
          const t = r.spans().map((s) => s.attrs.tag);
          return t.length >= 2 && t;
        }, 10_000)
        .catch(() => rcv.spans().map((s) => s.attrs.tag));
      console.log(`exporter e2e: workerd, after an attempt killed with its request: delivered ${JSON.stringify(tags)}`);
      expect([...tags].sort()).toEqual(['a', 'b']); // b at once, a retried in b's flush
      expect(rcv.errors()).toEqual([]);
    } finally {
      await mf.dispose();
    }
  }, 30_000);
});

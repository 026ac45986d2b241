/**
 * The fetch and XHR instrumentations in real Chromium (issue 4).
 *
 * Three origins on 127.0.0.1: the app (page, same-origin API), `api` (allowlisted by
 * `propagateTo`, CORS allowing the page and whatever headers it asks for) and `other` (not
 * allowlisted, CORS allowing the page). Spans go to the OTLP receiver (schema-checked).
 *
 * - Propagation: inside one active span the page fetches and XHRs each origin; the servers see
 *   `traceparent` only where allowed, with the trace id and span id of the exported CLIENT span,
 *   whose parent is the active span. The exporter's own requests carry none and make no span.
 * - Network timing: span events from the resource timing entry (all phases same-origin, only
 *   fetchStart/responseEnd cross-origin without Timing-Allow-Origin), `network.protocol.version`.
 * - Transparency: ~80 fetch and XHR scenarios run without the instrumentation and with it, in
 *   the same page; the results (values, rejections, events and their order, readyState, bodies,
 *   headers minus the trace headers) must be equal.
 * - Zone: the page built at es2015 with the ZoneContextManager: CLIENT spans keep their parent
 *   across awaits, XHR and fetch callbacks.
 * - disable() restores the originals (===).
 */
import { build } from 'esbuild';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { htmlPage, launchBrowser, newPage, REPO_ROOT, startReceiver, startServer } from './harness';
import type { Browser, FlatSpan, Received, Receiver, TestPage, TestServer } from './harness';

const PAGE = join(REPO_ROOT, 'test/e2e/fixtures/fetch-xhr/page.ts');
const ZONE_JS = join(REPO_ROOT, 'node_modules/zone.js/fesm2015/zone.js');

const bundle = async (target: 'es2022' | 'es2015') =>
  (await build({ entryPoints: [PAGE], bundle: true, format: 'esm', target, write: false, logLevel: 'error' })).outputFiles[0]!.text;

/** An origin nobody listens on (a port taken, then released): connection refused. */
async function closedOrigin(): Promise<string> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  const port = (s.address() as { port: number }).port;
  await new Promise((ok) => s.close(ok));
  return `http://127.0.0.1:${port}`;
}

let browser: Browser;
let receiver: Receiver;
let app: TestServer;
let api: TestServer;
let other: TestServer;
let closed: string;

beforeAll(async () => {
  const [es2022, es2015] = await Promise.all([bundle('es2022'), bundle('es2015')]);
  [browser, receiver, app, api, other, closed] = await Promise.all([
    launchBrowser(),
    startReceiver(),
    startServer({
      routes: {
        '/page.html': htmlPage({ modules: ['/page.js'] }),
        '/zone.html': htmlPage({ scripts: ['/zone.js'], modules: ['/page-es2015.js'] }),
        '/page.js': es2022,
        '/page-es2015.js': es2015,
        '/zone.js': { file: ZONE_JS },
        '/static.json': { body: '{"a":[1,2,3]}', type: 'application/json' },
        '/static.html': { body: '<!doctype html><html><body><p>hi</p></body></html>', type: 'text/html' },
        '/redirect': { status: 302, headers: { location: '/api/echo?redirected' } },
        '/slow-body': {
          handler: (_req, res) => {
            res.writeHead(200, { 'content-type': 'text/plain' });
            res.write('first part ');
            setTimeout(() => res.end('second part'), 300);
          },
        },
      },
    }),
    startServer(),
    startServer({ routes: { '/nocors': 'no CORS here' } }),
    closedOrigin(),
  ]);
  api.setCors({ origins: [app.origin], allowHeaders: 'reflect' });
  // the other origin answers CORS (its echo is readable) except at /nocors; it would even
  // allow traceparent, so that only the instrumentation can keep the header away
  other.setCors({ origins: [app.origin], allowHeaders: 'reflect' });
  other.route('/nocors', { handler: (_q, res) => void res.writeHead(200, { 'content-type': 'text/plain' }).end('no CORS') });
}, 120_000);

afterAll(async () => {
  await Promise.all([browser?.close(), receiver?.close(), app?.close(), api?.close(), other?.close()]);
});

async function open(kind: 'page' | 'zone', service: string): Promise<TestPage> {
  const p = await newPage(browser);
  const query = new URLSearchParams({ endpoint: receiver.url, service, api: api.origin, ...(kind == 'zone' ? { zone: '1' } : {}) });
  await p.page.goto(app.at(`/${kind}.html?${query}`));
  await p.page.waitForFunction(() => !!window.fxapp);
  return p;
}

const clients = (service: string) => receiver.spans({ service }).filter((s) => s.kind === 3);
/** The CLIENT span whose url.full contains `part`. */
const clientFor = (service: string, part: string) => clients(service).find((s) => String(s.attrs['url.full']).includes(part));
/** The traceparent of `s` (flags: sampled, and the random bit of Trace Context level 2). */
const tp = (s: FlatSpan<Received>) => `00-${s.traceId}-${s.spanId}-0${(s.flags ?? 1) & 3}`;
/** Requests a server got whose query has `part`. */
const got = (s: TestServer, part: string) => s.requests.filter((r) => r.query.includes(part));

describe('propagation (stack context manager)', () => {
  const service = 'fx-propagation';
  let parent: { traceId: string; spanId: string };

  beforeAll(async () => {
    const p = await open('page', service);
    await p.page.evaluate(() => window.fxapp.enable());
    parent = await p.page.evaluate(
      (urls) => window.fxapp.propagation(urls),
      ['/api/echo?case=same', `${api.origin}/api/echo?case=allowed`, `${other.origin}/api/echo?case=other`],
    );
    await p.page.evaluate(() => window.fxapp.flush());
    await receiver.waitFor(() => clients(service).length >= 6 && receiver.spans({ service }).some((s) => s.name == 'parent'), 10_000);
    expect(p.problems()).toEqual([]);
    await p.close();
  });

  it.each([
    ['same-origin', () => app, 'case=same'],
    ['allowlisted', () => api, 'case=allowed'],
  ])('%s: the server sees the CLIENT span in traceparent; its parent is the active span', (_, server, c) => {
    for (const by of ['fetch', 'xhr']) {
      const span = clientFor(service, `${c}&by=${by}`)!;
      expect(span, by).toBeDefined();
      const reqs = got(server(), `${c}&by=${by}`).filter((r) => r.method == 'GET');
      expect(reqs).toHaveLength(1);
      expect(reqs[0].headers.traceparent).toBe(tp(span));
      expect(span.traceId).toBe(parent.traceId);
      expect(span.parentSpanId).toBe(parent.spanId);
      expect(span.name).toBe('GET');
      expect(span.attrs['http.response.status_code']).toBe(200);
      expect(span.status?.code ?? 0).toBe(0);
    }
  });

  it('not allowlisted: no traceparent, no preflight, a CLIENT span all the same', () => {
    for (const by of ['fetch', 'xhr']) {
      const reqs = got(other, `case=other&by=${by}`);
      expect(reqs.map((r) => r.method)).toEqual(['GET']);
      expect(reqs[0].headers.traceparent).toBeUndefined();
      const span = clientFor(service, `case=other&by=${by}`)!;
      expect(span.parentSpanId).toBe(parent.spanId);
    }
  });

  it('has the HTTP attributes of the conventions', () => {
    const span = clientFor(service, 'case=allowed&by=fetch')!;
    expect(span.attrs).toMatchObject({
      'http.request.method': 'GET',
      'url.full': `${api.origin}/api/echo?case=allowed&by=fetch`,
      'server.address': '127.0.0.1',
      'server.port': api.port,
      'http.response.status_code': 200,
    });
  });

  it('adds network timing: every phase same-origin, fetchStart/responseEnd only cross-origin without Timing-Allow-Origin', () => {
    for (const by of ['fetch', 'xhr']) {
      const same = clientFor(service, `case=same&by=${by}`)!;
      const names = same.events?.map((e) => e.name) ?? [];
      expect(names[0], by).toBe('fetchStart');
      expect(names).toEqual(expect.arrayContaining(['requestStart', 'responseStart', 'responseEnd']));
      expect(same.attrs['network.protocol.version']).toBe('1.1');
      const cross = clientFor(service, `case=other&by=${by}`)!;
      expect(cross.events?.map((e) => e.name)).toEqual(['fetchStart', 'responseEnd']);
      expect(cross.attrs['network.protocol.version']).toBeUndefined();
      // events inside the span
      for (const s of [same, cross])
        for (const e of s.events ?? []) {
          expect(BigInt(e.timeUnixNano)).toBeGreaterThanOrEqual(BigInt(s.startTimeUnixNano));
          expect(BigInt(e.timeUnixNano)).toBeLessThanOrEqual(BigInt(s.endTimeUnixNano));
        }
    }
  });

  it('never traces the exporter’s own requests', () => {
    const exports = receiver.requests.filter((r) => r.path == '/v1/traces');
    expect(exports.length).toBeGreaterThan(0);
    for (const r of exports) expect(r.headers.traceparent).toBeUndefined();
    expect(clients(service).filter((s) => String(s.attrs['url.full']).startsWith(receiver.url))).toEqual([]);
    expect(receiver.errors()).toEqual([]);
  });
});

describe('transparency', () => {
  const service = 'fx-transparency';
  let native: Record<string, unknown>;
  let traced: Record<string, unknown>;
  let p: TestPage;

  beforeAll(async () => {
    p = await open('page', service);
    const c = { app: app.origin, api: api.origin, other: other.origin, closed };
    native = await p.page.evaluate((c) => window.fxapp.transparency(c), c);
    await p.page.evaluate(() => window.fxapp.enable());
    traced = await p.page.evaluate((c) => window.fxapp.transparency(c), c);
    await p.page.evaluate(() => window.fxapp.flush());
  }, 60_000);

  afterAll(() => p?.close());

  it('gives the same results with and without the instrumentation, scenario by scenario', () => {
    expect(Object.keys(traced)).toEqual(Object.keys(native));
    for (const k of Object.keys(native)) {
      if (k == 'fetchProps') continue;
      expect(traced[k], `${k}\nnative: ${JSON.stringify(native[k]).slice(0, 3000)}\ntraced: ${JSON.stringify(traced[k]).slice(0, 3000)}`).toEqual(native[k]);
    }
  });

  it('covered what it should (sanity of the scenarios themselves)', () => {
    const n = native as Record<string, { resolved?: { status: number; type: string }; rejected?: { name: string } }>;
    expect(n.get.resolved?.status).toBe(200);
    expect(n.networkError.rejected?.name).toBe('TypeError');
    expect(n.corsError.rejected?.name).toBe('TypeError');
    expect(n.noCors.resolved?.type).toBe('opaque');
    expect(n.redirectManual.resolved?.type).toBe('opaqueredirect');
    expect(n.abort.rejected?.name).toBe('AbortError');
    expect(n.timeout.rejected?.name).toBe('TimeoutError');
    expect((native.requestNoReferrer as { resolved: { body: { headers: Record<string, string> } } }).resolved.body.headers.referer).toBeUndefined();
    expect((native.requestReferrer as { resolved: { body: { headers: Record<string, string> } } }).resolved.body.headers.referer).toBe(
      app.origin + '/some/page',
    );
    expect(JSON.stringify(native.xhrSyncError)).toContain('NetworkError');
  });

  it('documents the one visible difference: fetch is a wrapper (name, length)', () => {
    expect(native.fetchProps).toEqual(['fetch', 1]);
    expect((traced.fetchProps as unknown[])[0]).not.toBe('fetch');
    expect(traced.xhrProps).toEqual(native.xhrProps);
  });

  it('recorded the failures as the conventions say', async () => {
    await receiver.waitFor(() => clientFor(service, '/api/status/503'), 8000);
    const span = (part: string) => clientFor(service, part)!;
    expect(span('/api/status/404').attrs['error.type']).toBe('404');
    expect(span('/api/status/503').status?.code).toBe(2);
    const aborted = clients(service).filter((s) => s.attrs['error.type'] == 'AbortError');
    expect(aborted.length).toBeGreaterThanOrEqual(3); // fetch abort, abort with a reason, XHR abort
    for (const s of aborted) expect(s.events?.some((e) => e.name == 'exception') ?? false).toBe(false);
    expect(clients(service).some((s) => s.attrs['error.type'] == 'TimeoutError')).toBe(true);
    expect(clients(service).some((s) => s.attrs['error.type'] == 'NetworkError')).toBe(true);
    const net = clientFor(service, closed)!;
    expect(net.status).toMatchObject({ code: 2 });
    const patch = clientFor(service, 'api/echo') && clients(service).find((s) => s.attrs['http.request.method'] == '_OTHER');
    expect(patch?.name).toBe('HTTP');
    expect(patch?.attrs['http.request.method_original']).toBe('patch');
    expect(clients(service).some((s) => String(s.attrs['url.full']).includes('REDACTED:REDACTED@'))).toBe(true);
  });

  it('never overwrote a traceparent the caller set', () => {
    const own = traced.ownTraceparent as { resolved: { body: unknown } };
    expect(own.resolved.body).toEqual(['00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', null]);
    const x = got(app, 'own').map((r) => r.headers.traceparent);
    expect(x).toEqual(Array(2).fill('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'));
  });
});

describe('zone.js (es2015 build, ZoneContextManager)', () => {
  const service = 'fx-zone';

  it('keeps the parent across awaits and in XHR and fetch callbacks', async () => {
    const p = await open('zone', service);
    await p.page.evaluate(() => window.fxapp.enable());
    const r = await p.page.evaluate(
      (urls) => window.fxapp.zoneChain(urls),
      ['/api/echo?z=1', `${api.origin}/api/echo?z=2`, '/api/echo?z=3', `${api.origin}/api/echo?z=4`],
    );
    await p.page.evaluate(() => window.fxapp.flush());
    const parent = r.parent as { traceId: string; spanId: string };
    await receiver.waitFor(() => clients(service).length >= 4, 10_000);
    expect(r.seen).toEqual(Array(4).fill(parent.spanId));
    for (const z of [1, 2, 3, 4]) {
      const s = clientFor(service, `z=${z}`)!;
      expect(s.parentSpanId, `z=${z}`).toBe(parent.spanId);
      const server = z % 2 ? app : api;
      expect(got(server, `z=${z}`).filter((q) => q.method == 'GET')[0].headers.traceparent).toBe(tp(s));
    }
    expect(p.problems()).toEqual([]);
    await p.close();
  });
});

describe('enable and disable', () => {
  it('restores fetch and the XMLHttpRequest methods exactly, every time', async () => {
    const p = await open('page', 'fx-restore');
    expect(await p.page.evaluate(() => window.fxapp.restore())).toEqual([true, true, true, true, true, true]);
    await p.close();
  });
});

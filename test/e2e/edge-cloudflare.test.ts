/**
 * otelite/cloudflare in real workerd (miniflare, `cf: false`): the fixture Worker
 * (fixtures/edge/worker.ts, bundled from src by esbuild) traced and, for comparisons, the same
 * Worker without otelite, against a local backend and the OTLP receiver (schema-checked).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Miniflare } from 'miniflare';
import type { MiniflareOptions } from 'miniflare';
import { attrs, startReceiver, startServer } from './harness';
import type { Receiver, TestServer } from './harness';
import { bundle, FIXTURES } from './fixtures/edge/build';
import { HTML } from './fixtures/edge/app';
import { checkVector, S, T, VECTORS } from './fixtures/edge/vectors';
import { CONSUMER, SERVER, spanTools, tpOf, WAIT } from './fixtures/edge/spans';

/** What miniflare's `getWorker()` gives (typed here: its own types need @cloudflare/workers-types). */
interface Fetcher {
  fetch(url: string, init?: RequestInit): Promise<Response>;
  scheduled(o: { cron?: string; scheduledTime?: Date }): Promise<unknown>;
  queue(queue: string, messages: { id: string; timestamp: Date; body: unknown; attempts: number }[]): Promise<unknown>;
}
type Res = Response;
const worker = async (mf: Miniflare, name: string) => (await mf.getWorker(name)) as unknown as Fetcher;

const ORIGIN = 'http://edge.test';

let rcv: Receiver;
let backend: TestServer;
let traced: string;
let plain: string;

beforeAll(async () => {
  [rcv, backend, traced, plain] = await Promise.all([
    startReceiver(),
    startServer({ routes: { '/page.html': { body: HTML, type: 'text/html; charset=utf-8', headers: { 'x-origin': 'yes' } } } }),
    bundle('worker.ts', { PLAIN: 'false' }),
    bundle('worker.ts', { PLAIN: 'true' }),
  ]);
});
afterAll(async () => {
  await Promise.all([rcv?.close(), backend?.close()]);
});
const t = () => spanTools(rcv, backend);
const spans = () => t().spans();
const byQuery = (q: string, kind?: number) => t().byQuery(q, kind);
const clientsOf: ReturnType<typeof spanTools>['clientsOf'] = (s) => t().clientsOf(s);
const hits = (id: string) => t().hits(id);
const waitServer = (q: string, n?: number) => t().waitServer(q, n);

/** A Miniflare with the given workers; their console output is collected in `output`. */
async function start(workers: { name: string; script: string; flags: string[]; bindings?: Record<string, string> }[]) {
  const output: string[] = [];
  const collect = (s: NodeJS.ReadableStream) => s.on('data', (d: Buffer) => output.push(...d.toString('utf8').split('\n')));
  const mf = new Miniflare({
    cf: false,
    handleRuntimeStdio: (out: NodeJS.ReadableStream, err: NodeJS.ReadableStream) => (collect(out), collect(err)),
    workers: workers.map((w) => ({
      name: w.name,
      modules: [{ type: 'ESModule', path: FIXTURES + w.name + '.mjs', contents: w.script }],
      compatibilityDate: '2025-09-01',
      compatibilityFlags: w.flags,
      bindings: { BACKEND: backend.url, OTEL_EXPORTER_OTLP_ENDPOINT: rcv.url, ...w.bindings },
    })),
  } as MiniflareOptions);
  await mf.ready;
  return { mf, output };
}

const hdrs = (r: Res) => Object.fromEntries([...r.headers].filter(([k]) => k != 'date'));

describe('otelite/cloudflare with nodejs_als', () => {
  let mf: Miniflare;
  let output: string[];
  let w: Fetcher;
  let p: Fetcher;
  let strict: Fetcher;

  beforeAll(async () => {
    ({ mf, output } = await start([
      { name: 'traced', script: traced, flags: ['nodejs_als'] },
      { name: 'plain', script: plain, flags: ['nodejs_als'] },
      { name: 'strict', script: traced, flags: ['nodejs_als'], bindings: { MODE: 'strict' } },
    ]));
    [w, p, strict] = await Promise.all([worker(mf, 'traced'), worker(mf, 'plain'), worker(mf, 'strict')]);
  });
  afterAll(async () => {
    if (process.env.EDGE_DEBUG) console.log(output.join("\n"));
    await mf?.dispose();
  });

  it('continues the incoming trace: SERVER span, CLIENT child, traceparent on the outgoing fetch', async () => {
    const res = await w.fetch(`${ORIGIN}/html?id=tp1`, {
      headers: { traceparent: `00-${T}-${S}-01`, 'user-agent': 'edge-test/1', 'cf-connecting-ip': '203.0.113.9' },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(HTML);
    const [server] = await waitServer('id=tp1');
    expect(server).toMatchObject({ traceId: T, parentSpanId: S, name: 'GET', flags: 0x301 });
    expect(server!.attrs).toEqual({
      'faas.trigger': 'http',
      'http.request.method': 'GET',
      'url.scheme': 'http',
      'url.path': '/html',
      'url.query': 'id=tp1',
      'server.address': 'edge.test',
      'server.port': 80,
      'user_agent.original': 'edge-test/1',
      'client.address': '203.0.113.9',
      'http.response.status_code': 200,
    });
    expect(server!.resource).toMatchObject({ 'service.name': 'edge-worker', 'telemetry.sdk.name': 'otelite' });
    expect(server!.scope.name).toBe('otelite/cloudflare');
    const [client, ...more] = await rcv.waitFor(() => clientsOf(server!).length && clientsOf(server!), WAIT);
    expect(more).toEqual([]);
    expect(client).toMatchObject({ traceId: T, name: 'GET' });
    expect(client!.attrs).toMatchObject({ 'http.response.status_code': 200, 'url.full': `${backend.url}/api/echo?id=tp1&from=html` });
    const [hit] = hits('tp1');
    expect(hit!.headers.traceparent).toBe(`00-${T}-${client!.spanId}-01`);
    expect(hit!.headers['x-test']).toBe('1');
    // the page gets the SERVER span through Server-Timing, after the handler's own entry
    expect(res.headers.get('server-timing')).toBe(`db;dur=53, traceparent;desc="00-${T}-${server!.spanId}-01"`);
    expect(rcv.errors()).toEqual([]);
    expect(rcv.received.every((r) => r.gzip && r.contentType == 'application/json')).toBe(true);
  });

  it('returns the response unchanged but for Server-Timing on HTML', async () => {
    for (const path of ['/html', '/json', '/proxy', '/redirect', '/stream', '/status', '/route', '/nope']) {
      const [a, b] = await Promise.all([w, p].map((x) => x.fetch(`${ORIGIN}${path}?id=same`, { redirect: 'manual' })));
      const [ta, tb] = await Promise.all([a!.text(), b!.text()]);
      expect([a!.status, a!.statusText, ta], path).toEqual([b!.status, b!.statusText, tb]);
      const ha = hdrs(a!);
      const hb = hdrs(b!);
      const st = ha['server-timing'];
      const html = /text\/html/.test(hb['content-type'] ?? '');
      if (html) {
        expect(st, path).toMatch(new RegExp(`^${hb['server-timing'] ? hb['server-timing'] + ', ' : ''}traceparent;desc="00-[\\da-f]{32}-[\\da-f]{16}-0[13]"$`));
        delete ha['server-timing'];
        delete hb['server-timing'];
      }
      expect(ha, path).toEqual(hb);
    }
  });

  it('hands the handler the very ctx, env and this the runtime gives', async () => {
    const [a, b] = await Promise.all([w, p].map((x) => x.fetch(`${ORIGIN}/info`, { headers: { 'x-a': '1' } }).then((r) => r.json())));
    expect(a).toEqual(b);
    expect(a).toMatchObject({ thisIsHandler: true, ctx: '[object ExecutionContext]' });
  });

  it('records an exception and rethrows it unchanged', async () => {
    // miniflare hands the worker's exception to the caller: the same one, traced or not
    const [a, b] = await Promise.all([w, p].map((x) => x.fetch(`${ORIGIN}/throw?id=ex1`).then((r) => r.status, (e: Error) => `${e.name}: ${e.message}`)));
    expect(a).toBe(b);
    expect(a).toBe('TypeError: boom');
    const [server] = await waitServer('id=ex1');
    expect(server!.status).toMatchObject({ code: 2, message: 'boom' });
    expect(server!.attrs['error.type']).toBe('TypeError');
    expect(server!.attrs['http.response.status_code']).toBeUndefined();
    const ev = server!.events!.map((e) => ({ name: e.name, ...attrs(e.attributes) }));
    expect(ev).toMatchObject([{ name: 'exception', 'exception.type': 'TypeError', 'exception.message': 'boom' }]);
  });

  it('marks 5xx responses as errors, names spans after the route', async () => {
    await w.fetch(`${ORIGIN}/status?id=st1`);
    await w.fetch(`${ORIGIN}/route?id=rt1`);
    await w.fetch(`${ORIGIN}/json?id=rt2`);
    const [st] = await waitServer('id=st1');
    expect(st!.attrs).toMatchObject({ 'http.response.status_code': 503, 'error.type': '503' });
    expect(st!.status?.code).toBe(2);
    const [rt] = await waitServer('id=rt1');
    expect([rt!.name, rt!.attrs['http.route']]).toEqual(['GET /route/:id', '/route/:id']);
    const [rt2] = await waitServer('id=rt2');
    expect([rt2!.name, rt2!.attrs['http.route']]).toEqual(['GET /json', '/json']);
    // a Request given to fetch keeps its method and body, and gets the trace
    const [client] = await rcv.waitFor(() => clientsOf(rt2!).length && clientsOf(rt2!), WAIT);
    expect(client!.name).toBe('POST');
    expect(hits('rt2')[0]).toMatchObject({ method: 'POST', body: 'payload' });
    expect(hits('rt2')[0]!.headers.traceparent).toBe(tpOf(client!));
  });

  it('traces a fetch started in ctx.waitUntil, without delaying the response', async () => {
    const t0 = performance.now();
    const res = await w.fetch(`${ORIGIN}/later?id=wu1`);
    expect(await res.text()).toBe('later');
    expect(performance.now() - t0).toBeLessThan(2000);
    const [server] = await waitServer('id=wu1');
    const [client] = await rcv.waitFor(() => clientsOf(server!).length && clientsOf(server!), WAIT);
    expect(client!.attrs['http.response.status_code']).toBe(200);
    expect(hits('wu1')[0]!.headers.traceparent).toBe(tpOf(client!));
  });

  it('does not delay the response while the collector is slow', async () => {
    rcv.respondWith(() => ({ delayMs: 3000 }));
    try {
      await w.fetch(`${ORIGIN}/json?id=slow0`); // its flush now waits 3 s for the collector
      const t0 = performance.now();
      const res = await w.fetch(`${ORIGIN}/json?id=slow1`);
      await res.text();
      // the export of slow0 is still waiting for the collector: the response must not
      expect(performance.now() - t0).toBeLessThan(2000);
      await waitServer('id=slow1');
    } finally {
      rcv.respondWith(undefined);
    }
  });

  it('keeps concurrent requests apart and exports each span exactly once', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `c${i}`);
    const before = rcv.received.length;
    await Promise.all(ids.map((id) => w.fetch(`${ORIGIN}/parallel?id=${id}`).then((r) => r.text())));
    await rcv.waitFor(() => ids.every((id) => byQuery(`id=${id}`).length && clientsOf(byQuery(`id=${id}`)[0]!).length == 3), WAIT);
    for (const id of ids) {
      const [server, ...dup] = byQuery(`id=${id}`);
      expect(dup).toEqual([]);
      const clients = clientsOf(server!);
      expect(clients.map((c) => c.attrs['url.full']).sort()).toEqual(
        [1, 2, 3].map((n) => `${backend.url}/api/echo?id=${id}&from=p${n}`),
      );
      for (const c of clients) {
        const hit = backend.requests.find((r) => r.query == `?id=${id}&from=${String(c.attrs['url.full']).slice(-2)}`);
        expect(hit!.headers.traceparent).toBe(tpOf(c));
      }
    }
    const exports = rcv.received.length - before;
    console.log(`30 concurrent requests (120 spans) exported in ${exports} requests`);
    expect(rcv.errors()).toEqual([]);
    expect(output.join('\n')).not.toMatch(/different request|Cannot perform I\/O|hung/i);
  });

  it('traces scheduled and queue invocations with the FaaS trigger attributes', async () => {
    const before = spans().length;
    await w.scheduled({ cron: '*/5 * * * *', scheduledTime: new Date(Date.UTC(2026, 10, 22, 12, 0)) });
    await w.queue('jobs', [
      { id: 'm1', timestamp: new Date(), body: { a: 1 }, attempts: 1 },
      { id: 'm2', timestamp: new Date(), body: { a: 2 }, attempts: 1 },
    ]);
    const find = (name: string) => spans().slice(before).find((s) => s.name == name);
    const cron = await rcv.waitFor(() => find('scheduled'), WAIT);
    expect(cron.kind).toBe(SERVER);
    expect(cron.attrs).toEqual({ 'faas.trigger': 'timer', 'faas.cron': '*/5 * * * *', 'faas.time': '2026-11-22T12:00:00.000Z' });
    expect(cron.parentSpanId ?? '').toBe('');
    const q = await rcv.waitFor(() => find('process jobs'), WAIT);
    expect(q.kind).toBe(CONSUMER);
    expect(q.attrs).toEqual({
      'faas.trigger': 'pubsub',
      'messaging.system': 'cloudflare_queues',
      'messaging.destination.name': 'jobs',
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.batch.message_count': 2,
    });
    for (const [span, from] of [[cron, 'cron'], [q, 'queue']] as const) {
      const [client] = await rcv.waitFor(() => clientsOf(span).length && clientsOf(span), WAIT);
      const hit = backend.requests.find((r) => r.query.startsWith(`?from=${from}`));
      expect(hit!.headers.traceparent).toBe(tpOf(client!));
    }
  });

  it('acceptRemoteContext: false starts a new trace linked to the caller', async () => {
    const res = await strict.fetch(`${ORIGIN}/json?id=st9`, { headers: { traceparent: `00-${T}-${S}-01` } });
    await res.text();
    const server = await rcv.waitFor(() => spans().find((s) => s.kind == SERVER && s.resource['service.name'] == 'edge-strict'), WAIT);
    expect(server.traceId).not.toBe(T);
    expect(server.parentSpanId ?? '').toBe('');
    expect(server.links).toMatchObject([{ traceId: T, spanId: S }]);
    // captureQuery: false, serverTiming: true (on JSON too)
    expect(server.attrs['url.query']).toBeUndefined();
    expect(res.headers.get('server-timing')).toBe(`traceparent;desc="${tpOf(server)}"`);
  });

  it('handles W3C Trace Context Level 2 cases as the spec says', async () => {
    for (const v of VECTORS) {
      const res = await w.fetch(`${ORIGIN}/html?id=v-${v.id}`, { headers: v.headers });
      await res.text();
      const st = res.headers.get('server-timing') ?? '';
      if (v.unsampled) expect(st, v.id).toMatch(new RegExp(`traceparent;desc="00-${T}-[\\da-f]{16}-00"`));
    }
    await rcv.waitFor(() => VECTORS.every((v) => v.unsampled || byQuery(`id=v-${v.id}`).length), WAIT);
    for (const v of VECTORS) {
      const [server] = byQuery(`id=v-${v.id}`);
      checkVector(v, server, server && clientsOf(server)[0], hits(`v-${v.id}`)[0]);
    }
  });
});

describe('otelite/cloudflare with nodejs_compat', () => {
  it('traces requests and outgoing fetch', async () => {
    const { mf } = await start([{ name: 'compat', script: traced, flags: ['nodejs_compat'] }]);
    try {
      const w = await worker(mf, 'compat');
      // concurrent first requests share the one setup
      const first = ['nc3', 'nc4', 'nc5', 'nc6'];
      await Promise.all(first.map((id) => w.fetch(`${ORIGIN}/json?id=${id}`).then((r) => r.text())));
      await (await w.fetch(`${ORIGIN}/html?id=nc1`, { headers: { traceparent: `00-${T}-${S}-01` } })).text();
      await (await w.fetch(`${ORIGIN}/later?id=nc2`)).text();
      for (const id of ['nc1', 'nc2', ...first]) {
        const [server] = await waitServer(`id=${id}`);
        const [client] = await rcv.waitFor(() => clientsOf(server!).length && clientsOf(server!), WAIT);
        expect(hits(id)[0]!.headers.traceparent).toBe(tpOf(client!));
      }
      expect(byQuery('id=nc1')[0]!.parentSpanId).toBe(S);
    } finally {
      await mf.dispose();
    }
  });
});

describe('otelite/cloudflare without nodejs_als or nodejs_compat', () => {
  it('says once which flag to add, and still serves and records the handler spans', async () => {
    const { mf, output } = await start([{ name: 'noflag', script: traced, flags: [] }]);
    try {
      const w = await worker(mf, 'noflag');
      for (const id of ['nf1', 'nf2']) {
        const res = await w.fetch(`${ORIGIN}/json?id=${id}`, { headers: { traceparent: `00-${T}-${S}-01` } });
        expect(await res.json()).toEqual({ ok: true });
      }
      const [server] = await waitServer('id=nf2');
      expect(server!.parentSpanId).toBe(S);
      await expect.poll(() => output.join('\n'), { timeout: WAIT }).toMatch(/nodejs_als/);
      const errors = output.filter((l) => /AsyncLocalStorage/.test(l));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/compatibility_flags = \["nodejs_als"\] \(or "nodejs_compat"\)/);
      // outgoing fetch is left alone: its parent could not be known after an await
      expect(hits('nf1')[0]!.headers.traceparent).toBeUndefined();
    } finally {
      await mf.dispose();
    }
  });
});

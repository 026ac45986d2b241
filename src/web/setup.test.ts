import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { context } from '../context/api';
import { ROOT_CONTEXT } from '../context/context';
import { globals } from '../lib/global';
import { logs } from '../logs/api';
import { metrics } from '../metrics/api';
import { trace } from '../trace/api';
import { propagation } from '../trace/propagation/api';
import type { Instrumentation } from '../instrumentations/lib/types';
import { init } from './index';
import { metricsPipeline } from './metrics';
import { fetchInstrumentation } from '../instrumentations/fetch/fetch';
import type { WebConfig } from './config';
import { initWith, type Parts } from './setup';

type Sent = { url: string; body: Record<string, unknown[]> };
let sent: Sent[];
let warn: ReturnType<typeof vi.spyOn>;

beforeEach(() => {
  delete (globalThis as Record<symbol, unknown>)[Symbol.for('otelite')];
  sent = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    sent.push({ url, body: JSON.parse(new TextDecoder().decode(init.body as Uint8Array)) });
    return new Response('{}', { status: 200 });
  });
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(async () => {
  // the setup's deferred task (idle work) runs within the test that made it
  await new Promise((r) => setTimeout(r, 2));
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  delete (globalThis as Record<symbol, unknown>)[Symbol.for('otelite')];
});

/** A fake instrumentation factory that records what it was given and done. */
function fake(name: string, log: string[]): (o: object) => Instrumentation {
  return (o) => {
    log.push(name + ' ' + JSON.stringify(o));
    return { name, enable: () => void log.push(name + ' on'), disable: () => void log.push(name + ' off') };
  };
}

const BASE = { endpoint: 'http://127.0.0.1:4318', compression: 'none' as const };
const spansOf = (signal: string) =>
  sent
    .filter((s) => s.url.endsWith('/v1/' + signal))
    .flatMap((s) => s.body['resource' + (signal == 'traces' ? 'Spans' : signal == 'logs' ? 'Logs' : 'Metrics')] as Record<string, unknown>[]);
const attrs = (kvs: { key: string; value: Record<string, unknown> }[] = []): Record<string, unknown> =>
  Object.fromEntries(kvs.map((kv) => [kv.key, Object.values(kv.value)[0]]));

describe('initWith', () => {
  it('runs the instrumentations it has factories for, with the shared URL options merged under their own', async () => {
    const log: string[] = [];
    const parts: Parts = { instrumentations: { fetch: fake('fetch', log), errors: fake('errors', log) } };
    const o = initWith(
      { ...BASE, propagateTo: 'https://api.example.com', ignoreUrls: [/ads/], instrumentations: { errors: { resourceErrors: true }, xhr: true } },
      parts,
    );
    expect(log).toEqual([
      'fetch {"propagateTo":["https://api.example.com"],"ignoreUrls":[{}]}',
      'fetch on',
      'errors {"resourceErrors":true,"propagateTo":["https://api.example.com"],"ignoreUrls":[{}]}',
      'errors on',
    ]);
    await o.shutdown();
    expect(log.slice(4)).toEqual(['fetch off', 'errors off']);
  });

  it('turns instrumentations off by name', async () => {
    const log: string[] = [];
    const all = ['fetch', 'xhr', 'document-load', 'web-vitals', 'errors'] as const;
    initWith({ ...BASE, disabledInstrumentations: 'xhr,errors' }, { instrumentations: Object.fromEntries(all.map((n) => [n, fake(n, log)])) });
    // document-load and web-vitals start a moment later, off the snippet's task
    expect(log.filter((l) => l.endsWith(' on'))).toEqual(['fetch on']);
    await new Promise((r) => setTimeout(r, 5));
    expect(log.filter((l) => l.endsWith(' on'))).toEqual(['fetch on', 'document-load on', 'web-vitals on']);
  });

  it('one failing instrumentation does not stop the others', () => {
    const log: string[] = [];
    const o = initWith(
      BASE,
      {
        instrumentations: {
          fetch: () => {
            throw new Error('boom');
          },
          xhr: fake('xhr', log),
        },
      },
    );
    expect(log).toContain('xhr on');
    expect(o.getTracer('t').startSpan('s').isRecording()).toBe(true);
  });

  it('calling it twice warns once and returns the first setup', () => {
    const a = initWith({ ...BASE, serviceName: 'one' }, { instrumentations: {} });
    const b = initWith({ ...BASE, serviceName: 'two' }, { instrumentations: {} });
    expect(b).toBe(a);
    expect(warn.mock.calls.map((c: unknown[]) => c[0])).toEqual(['otelite: init() called again; the first setup is kept']);
  });

  it('disabled: nothing is installed, the API stays a no-op', async () => {
    const log: string[] = [];
    const o = initWith({ ...BASE, disabled: 'true' }, { instrumentations: { fetch: fake('fetch', log) }, metrics: metricsPipeline });
    expect(log).toEqual([]);
    expect(o.getTracer('x').startSpan('s').isRecording()).toBe(false);
    expect(trace.getTracer('x').startSpan('s').isRecording()).toBe(false);
    expect(o.sessionId()).toBeUndefined();
    await o.forceFlush();
    await o.shutdown();
    expect(sent).toEqual([]);
  });

  it('never throws into the page, even on a config that explodes when read', () => {
    const evil = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('evil');
        },
      },
    );
    const o = initWith(evil, { instrumentations: {} });
    expect(o.getTracer('x').startSpan('s').isRecording()).toBe(false);
  });

  it('puts session.id on spans, log records and the metrics resource, emits session.start, redacts url.full', async () => {
    const o = initWith(
      { ...BASE, serviceName: 'shop', resourceAttributes: { 'app.version': '1' }, redactQueryParams: 'token', redactUrl: (u) => u.replace('/42', '/{id}') },
      { instrumentations: {}, metrics: metricsPipeline },
    );
    const sid = o.sessionId()!;
    expect(sid).toMatch(/^[0-9a-f]{32}$/);
    const span = o.getTracer('t').startSpan('GET', { attributes: { 'url.full': 'https://u:p@x.example/users/42?token=abc&Signature=s&q=1' } });
    span.end();
    logs.getLogger('app').emit({ body: 'hi', attributes: { 'url.full': 'https://x.example/?sig=1' } });
    metrics.getMeter('m').createCounter('c').add(1);
    await o.forceFlush();

    const [rs] = spansOf('traces') as { resource: { attributes: never }; scopeSpans: { spans: { name: string; attributes: never }[] }[] }[];
    expect(attrs(rs.resource.attributes)).toMatchObject({ 'service.name': 'shop', 'app.version': '1', 'telemetry.sdk.name': 'otelite' });
    const s = rs.scopeSpans[0].spans[0];
    expect(attrs(s.attributes)).toEqual({
      'url.full': 'https://REDACTED:REDACTED@x.example/users/{id}?token=REDACTED&Signature=REDACTED&q=1',
      'session.id': sid,
    });

    const records = (spansOf('logs') as { scopeLogs: { logRecords: { eventName?: string; attributes: never }[] }[] }[]).flatMap((r) =>
      r.scopeLogs.flatMap((s) => s.logRecords),
    );
    expect(records.map((r) => [r.eventName, attrs(r.attributes)])).toEqual([
      ['session.start', { 'session.id': sid }],
      [undefined, { 'url.full': 'https://x.example/?sig=REDACTED', 'session.id': sid }],
    ]);

    const [rm] = spansOf('metrics') as { resource: { attributes: never } }[];
    expect(attrs(rm.resource.attributes)).toMatchObject({ 'service.name': 'shop', 'session.id': sid });
    await o.shutdown();
  });

  it('makes the SDK at the first telemetry, not during init, and loses nothing recorded through tracers and loggers taken before', async () => {
    let tracer: ReturnType<typeof trace.getTracer> | undefined;
    let logger: ReturnType<typeof logs.getLogger> | undefined;
    const early = (): Instrumentation => {
      // what fetch, XHR and errors do: take their tracer and logger when created
      tracer = trace.getTracer('early');
      logger = logs.getLogger('early');
      return { name: 'fetch', enable() {}, disable() {} };
    };
    const o = initWith(BASE, { instrumentations: { fetch: early }, metrics: metricsPipeline });
    // not made yet: the globals are getters that make it
    for (const k of ['t', 'l', 'm', 'p', 'c']) expect(typeof Object.getOwnPropertyDescriptor(globals(), k)?.get).toBe('function');
    tracer!.startSpan('first').end();
    for (const k of ['t', 'l', 'm', 'p', 'c']) expect(Object.getOwnPropertyDescriptor(globals(), k)?.get).toBeUndefined();
    logger!.emit({ body: 'first log' });
    await o.forceFlush();
    const spans = (spansOf('traces') as { scopeSpans: { spans: { name: string }[] }[] }[]).flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    expect(spans.map((s) => s.name)).toEqual(['first']);
    const bodies = (spansOf('logs') as { scopeLogs: { logRecords: { body?: { stringValue?: string } }[] }[] }[]).flatMap((r) =>
      r.scopeLogs.flatMap((s) => s.logRecords.map((l) => l.body?.stringValue)),
    );
    expect(bodies).toContain('first log');
    await o.shutdown();
  });

  it('shut down before the SDK was made: nothing is made later', async () => {
    const o = initWith(BASE, { instrumentations: {} });
    await o.shutdown();
    expect(trace.getTracer('t').startSpan('s').isRecording()).toBe(false);
    await new Promise((r) => setTimeout(r, 5));
    expect(globals().t).toBeUndefined();
  });

  it('leaves Web Storage alone during init: the session is read at the first telemetry (or when idle)', () => {
    const store = { getItem: vi.fn(() => null), setItem: vi.fn() };
    vi.stubGlobal('sessionStorage', store);
    const o = initWith(BASE, { instrumentations: {} });
    expect(store.getItem).not.toHaveBeenCalled();
    o.getTracer('t').startSpan('s').end();
    expect(store.getItem).toHaveBeenCalled();
    expect(store.setItem).toHaveBeenCalledTimes(1);
  });

  it('without sessions: no session.id, no session events', async () => {
    const o = initWith({ ...BASE, session: false }, { instrumentations: {} });
    expect(o.sessionId()).toBeUndefined();
    o.getTracer('t').startSpan('s').end();
    await o.forceFlush();
    const [rs] = spansOf('traces') as { scopeSpans: { spans: { attributes?: never }[] }[] }[];
    expect(rs.scopeSpans[0].spans[0].attributes).toBeUndefined();
    expect(spansOf('logs')).toEqual([]);
  });

  it('installs the W3C propagators by default, none with "none", B3 through the loader', async () => {
    initWith(BASE, { instrumentations: {} });
    const span = trace.getTracer('t').startSpan('s');
    const carrier: Record<string, string> = {};
    propagation.inject(trace.setSpan(ROOT_CONTEXT, span), carrier);
    expect(Object.keys(carrier)).toEqual(['traceparent']);

    delete (globalThis as Record<symbol, unknown>)[Symbol.for('otelite')];
    const loaded: string[] = [];
    initWith(
      { ...BASE, propagators: 'b3multi' },
      {
        instrumentations: {},
        propagator: async (n) => {
          loaded.push(n);
          return { inject: (_c, c, s) => s.set(c, 'x-b3-traceid', '1'), extract: (c) => c, fields: () => ['x-b3-traceid'] };
        },
      },
    );
    await new Promise((r) => setTimeout(r));
    const c2: Record<string, string> = {};
    propagation.inject(context.active(), c2);
    expect(loaded).toEqual(['b3multi']);
    expect(c2).toEqual({ 'x-b3-traceid': '1' });

    delete (globalThis as Record<symbol, unknown>)[Symbol.for('otelite')];
    initWith({ ...BASE, propagators: 'none' }, { instrumentations: {} });
    const c3: Record<string, string> = {};
    propagation.inject(trace.setSpan(ROOT_CONTEXT, span), c3);
    expect(c3).toEqual({});
  });

  it('without a loader, B3 is skipped with a warning', () => {
    initWith({ ...BASE, propagators: 'tracecontext,jaeger' }, { instrumentations: {} });
    // the SDK (and its propagator) is made at the first telemetry, or when idle
    trace.getTracer('t').startSpan('s').end();
    expect(warn.mock.calls.map((c: unknown[]) => c[0])).toEqual(['otelite: invalid propagators "jaeger"; using "skipped"']);
  });

  it('applies the sampler config', () => {
    const o = initWith({ ...BASE, sampler: 'always_off' }, { instrumentations: {} });
    expect(o.getTracer('t').startSpan('s').isRecording()).toBe(false);
  });

  it("takes an instrumentation's own /re/ strings as RegExps, as the top-level keys (window.oteliteConfig, JSON)", async () => {
    // a page at https://shop.example, as the snippet sees one
    vi.stubGlobal('location', new URL('https://shop.example/cart'));
    // (spans end at the response: Node has no resource timing entries to wait for)
    vi.stubGlobal('PerformanceObserver', undefined);
    const export_ = globalThis.fetch;
    const hits: [string, string | null][] = [];
    vi.stubGlobal('fetch', (url: string, init?: RequestInit) =>
      url.startsWith('http://127.0.0.1:4318')
        ? export_(url, init!)
        : (hits.push([url, new Headers(init?.headers).get('traceparent')]), Promise.resolve(new Response('ok'))),
    );
    const o = initWith(
      JSON.parse(
        JSON.stringify({ ...BASE, instrumentations: { fetch: { propagateTo: '/^https:\\/\\/api\\./', ignoreUrls: ['/\\/health$/'] } } }),
      ) as WebConfig,
      { instrumentations: { fetch: fetchInstrumentation } },
    );
    await trace.getTracer('t').startActiveSpan('page', async (s) => {
      for (const u of ['https://api.example.com/x', 'https://other.example/x', 'https://api.example.com/health']) await fetch(u);
      s.end();
    });
    expect(hits.map(([u, tp]) => [u, !!tp])).toEqual([
      ['https://api.example.com/x', true],
      ['https://other.example/x', false],
      ['https://api.example.com/health', false],
    ]);
    await o.forceFlush();
    const spans = spansOf('traces').flatMap((r) => (r.scopeSpans as { spans: { attributes: [] }[] }[]).flatMap((ss) => ss.spans));
    // no span for the ignored URL
    expect(spans.map((s) => attrs(s.attributes)['url.full']).filter(Boolean)).toEqual(['https://api.example.com/x', 'https://other.example/x']);
    expect(warn).not.toHaveBeenCalled();
    await o.shutdown();
  });

  it('an unusable endpoint (data-endpoint="127.0.0.1:9104"): one warning saying nothing is exported, and nothing is', async () => {
    const o = initWith({ endpoint: '127.0.0.1:9104', compression: 'none' }, { instrumentations: {}, metrics: metricsPipeline });
    o.getTracer('t').startSpan('s').end();
    logs.getLogger('l').emit({ body: 'b' });
    metrics.getMeter('m').createCounter('c').add(1);
    await o.forceFlush();
    await o.shutdown();
    // (traces, logs and metrics exporters: one warning for the one config)
    expect(warn.mock.calls.map((c: unknown[]) => c[0])).toEqual(['otelite: invalid endpoint "127.0.0.1:9104"; using "no export"']);
    expect(sent).toEqual([]);
  });

  it('debug: diagnostics go to the console', () => {
    initWith({ ...BASE, debug: true }, { instrumentations: {} });
    expect((globals().d as unknown[])[0]).toBe(console);
  });
});

describe('init', () => {
  it('sets everything up outside a page too, without throwing', async () => {
    const o = init({ ...BASE, serviceName: 'node' });
    const span = o.getTracer('t').startSpan('s');
    expect(span.isRecording()).toBe(true);
    span.end();
    await o.shutdown();
    expect(spansOf('traces').length).toBe(1);
  });
});

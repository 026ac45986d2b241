// Unit tests in Node with a stand-in `Deno` global; the real-runtime tests are in
// test/e2e/edge-deno.test.ts.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { context } from '../context/api';
import { ROOT_CONTEXT } from '../context/context';
import { setSpanContext, trace } from '../trace/api';
import { propagation } from '../trace/propagation/api';
import type { ReadableSpan, SpanExporter } from '../trace/sdk-types';

const T = '0af7651916cd43dd8448eb211c80319c';
const S = 'b7ad6b7169203331';
let spans: ReadableSpan[];
let outgoing: Headers[];
let listeners: Record<string, () => void>;
const exporter: SpanExporter = { export: (s, done) => (spans.push(...s), done({ code: 0 })), shutdown: async () => {} };

/** A `Deno` whose env permission is granted for `granted` only, like `--allow-env=A,B`. */
function fakeDeno(vars: Record<string, string>, granted: string[], denoSpan?: { traceId: string; spanId: string }) {
  return {
    env: {
      get(k: string) {
        if (!granted.includes(k)) throw new Error(`NotCapable: Requires env access to "${k}"`);
        return vars[k];
      },
    },
    permissions: { querySync: ({ variable }: { variable: string }) => ({ state: granted.includes(variable) ? 'granted' : 'prompt' }) },
    telemetry: {
      contextManager: {
        active: () => (denoSpan ? setSpanContext(ROOT_CONTEXT, { ...denoSpan, traceFlags: 1 }) : ROOT_CONTEXT),
      },
    },
    unrefTimer: vi.fn(),
  };
}

/** A fresh copy of otelite/deno (its setup is once per module instance). */
async function load(deno: ReturnType<typeof fakeDeno>) {
  vi.resetModules();
  vi.stubGlobal('Deno', deno);
  // like Deno: no resource timing (Node's would hold fetch spans open waiting for entries)
  vi.stubGlobal('PerformanceObserver', undefined);
  vi.stubGlobal('addEventListener', (type: string, fn: () => void) => (listeners[type] = fn));
  vi.stubGlobal('fetch', (input: RequestInfo, init?: RequestInit) => {
    outgoing.push(new Headers(init?.headers ?? (input as Request).headers));
    return Promise.resolve(new Response('backend'));
  });
  return import('./index');
}

const settle = () => new Promise((r) => setTimeout(r, 20));
const info = { remoteAddr: { hostname: '203.0.113.5', port: 4000, transport: 'tcp' } };

beforeEach(() => {
  spans = [];
  outgoing = [];
  listeners = {};
});
afterEach(() => {
  vi.unstubAllGlobals();
  trace.disable();
  context.disable();
  propagation.disable();
});

describe('instrument (otelite/deno)', () => {
  it('traces a Deno.serve handler, reads only the granted OTEL_* variables, flushes without waitUntil', async () => {
    const { instrument } = await load(
      fakeDeno({ OTEL_SERVICE_NAME: 'deno-svc', OTEL_EXPORTER_OTLP_HEADERS: 'not=read' }, ['OTEL_SERVICE_NAME', 'OTEL_DENO']),
    );
    let self: unknown = 'unset';
    const handler = async function (this: unknown, req: Request, i: typeof info) {
      self = this;
      await fetch('https://api.example.com/x');
      return new Response(i.remoteAddr.hostname);
    };
    const served = instrument(handler, { exporter });
    const res = await served(new Request('http://localhost:8000/a', { headers: { traceparent: `00-${T}-${S}-01` } }), info);
    expect(await res.text()).toBe('203.0.113.5');
    expect(self).toBeUndefined();
    await settle();
    const server = spans.find((s) => s.kind == 1)!;
    const client = spans.find((s) => s.kind == 2)!;
    expect(server.resource.attributes['service.name']).toBe('deno-svc');
    expect(server.instrumentationScope.name).toBe('otelite/deno');
    expect(server.attributes).toMatchObject({ 'client.address': '203.0.113.5', 'server.port': 8000 });
    expect(server.parentSpanContext?.spanId).toBe(S);
    expect(outgoing[0]!.get('traceparent')).toBe(`00-${T}-${client.spanContext().spanId}-01`);
  });

  it('wraps a { fetch } object (deno serve) with the object as this, and flushes at beforeunload', async () => {
    const { instrument, forceFlush } = await load(fakeDeno({}, []));
    const app = {
      fetch(this: unknown, _req: Request, _info?: unknown) {
        return new Response(String(this === app));
      },
    };
    const served = instrument(app, { exporter });
    expect(await (await served.fetch(new Request('http://h/'), info as never)).text()).toBe('true');
    await settle();
    spans.length = 0;
    trace.getTracer('bg').startSpan('after').end(); // outside any request: waits for unload
    await settle();
    expect(spans).toEqual([]);
    listeners.beforeunload!();
    await settle();
    expect(spans.map((s) => s.name)).toEqual(['after']);
    expect(typeof listeners.unload).toBe('function');
    trace.getTracer('bg').startSpan('signal').end();
    await forceFlush();
    expect(spans.map((s) => s.name)).toEqual(['after', 'signal']);
  });

  it("defers to Deno's own telemetry: child of Deno's span, no traceparent injected", async () => {
    const { instrument } = await load(fakeDeno({}, [], { traceId: T, spanId: 'aaaaaaaaaaaaaaaa' }));
    const served = instrument(async (_r: Request, _i?: unknown) => (await fetch('https://api.example.com/'), new Response('ok')), { exporter });
    await served(new Request('http://h/', { headers: { traceparent: `00-${T}-${S}-01` } }), info);
    await settle();
    const server = spans.find((s) => s.kind == 1)!;
    expect(server.parentSpanContext).toMatchObject({ traceId: T, spanId: 'aaaaaaaaaaaaaaaa' });
    expect(spans.some((s) => s.kind == 2)).toBe(true);
    expect(outgoing[0]!.get('traceparent')).toBeNull();
  });

  it('detects OTEL_DENO=true from the environment when permitted', async () => {
    const { instrument } = await load(fakeDeno({ OTEL_DENO: 'TRUE' }, ['OTEL_DENO']));
    const served = instrument(async (_r: Request, _i?: unknown) => (await fetch('https://api.example.com/'), new Response('ok')), { exporter });
    await served(new Request('http://h/'), info);
    expect(outgoing[0]!.get('traceparent')).toBeNull();
  });

  it('runs without any Deno global or permission API', async () => {
    const { instrument, relay } = await load({} as ReturnType<typeof fakeDeno>);
    const served = instrument((_r: Request, _i?: unknown) => new Response('ok'), { exporter });
    expect(await (await served(new Request('http://h/'), {} as never)).text()).toBe('ok');
    const r = relay({ origins: '*', endpoint: 'https://collector.example.com' });
    const res = await r(new Request('http://h/v1/traces', { method: 'POST', body: '{}', headers: { origin: 'https://a' } }));
    expect(res.status).toBe(200);
  });
});

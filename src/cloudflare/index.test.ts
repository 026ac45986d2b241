// Unit tests in Node (AsyncLocalStorage from node:async_hooks); the real-runtime tests are in
// test/e2e/edge-cloudflare.test.ts.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { context } from '../context/api';
import { trace } from '../trace/api';
import { propagation } from '../trace/propagation/api';
import type { ReadableSpan, SpanExporter } from '../trace/sdk-types';
import { instrument, relay } from './index';

const T = '0af7651916cd43dd8448eb211c80319c';
const S = 'b7ad6b7169203331';
const spans: ReadableSpan[] = [];
const exporter: SpanExporter = { export: (s, done) => (spans.push(...s), done({ code: 0 })), shutdown: async () => {} };
const outgoing: Headers[] = [];

beforeAll(() => {
  // like workerd: no resource timing (Node's would hold fetch spans open waiting for entries)
  vi.stubGlobal('PerformanceObserver', undefined);
  vi.stubGlobal('fetch', (input: RequestInfo, init?: RequestInit) => {
    outgoing.push(new Headers(init?.headers ?? (input as Request).headers));
    return Promise.resolve(new Response('backend'));
  });
});
afterAll(() => {
  vi.unstubAllGlobals();
  trace.disable();
  context.disable();
  propagation.disable();
});

/** An ExecutionContext stand-in whose waitUntil, like workerd's, needs `this`. */
class Ctx {
  promises: Promise<unknown>[] = [];
  waitUntil(p: Promise<unknown>): void {
    if (!(this instanceof Ctx)) throw new TypeError('Illegal invocation');
    this.promises.push(p);
  }
  passThroughOnException(): void {}
  settle = async () => {
    while (this.promises.length) await Promise.all(this.promises.splice(0));
  };
}

const env = { OTEL_SERVICE_NAME: 'from-env', API: 'https://api.example.com' };
const seen: unknown[] = [];
const handler = {
  name: 'shop',
  async fetch(this: unknown, req: Request, e: typeof env, ctx: Ctx): Promise<Response> {
    seen.push([this, req, e, ctx]);
    await (await fetch(e.API + '/items')).text();
    return new Response('<p>hi', { headers: { 'content-type': 'text/html' } });
  },
  async scheduled(ctrl: { cron: string; scheduledTime: number }, e: typeof env, ctx: Ctx) {
    seen.push([this, ctrl, e, ctx]);
  },
  // a result (which Workers ignore, hence typed void) comes back through the wrapper as it is
  async queue(batch: { queue: string; messages: readonly unknown[] }, _e?: unknown, _c?: unknown): Promise<void> {
    return batch.messages.length as never;
  },
  email: () => 'untouched',
};
const factory = vi.fn((e: typeof env) => ({ resourceAttributes: { api: e.API }, exporter }));
const worker = instrument(handler, factory);

describe('instrument', () => {
  it('keeps the handler object as it was, wrapping only fetch, scheduled and queue', () => {
    expect(worker).not.toBe(handler);
    expect(worker.name).toBe('shop');
    expect(worker.email).toBe(handler.email);
    expect(worker.fetch).not.toBe(handler.fetch);
    expect(Object.keys(worker)).toEqual(Object.keys(handler));
  });

  it('traces a request: SERVER span, outgoing traceparent, Server-Timing, flush through waitUntil', async () => {
    const ctx = new Ctx();
    const req = new Request('https://shop.example.com/', { headers: { traceparent: `00-${T}-${S}-01`, 'cf-connecting-ip': '198.51.100.7' } });
    const res = await worker.fetch(req, env, ctx);
    expect(await res.text()).toBe('<p>hi');
    // the handler got the very objects, with itself as this
    const [self, r, e, c] = seen.pop() as unknown[];
    expect(self).toBe(handler);
    expect(r).toBe(req);
    expect(e).toBe(env);
    expect(c).toBe(ctx);
    expect(ctx.promises.length).toBeGreaterThan(0);
    await ctx.settle();
    const server = spans.find((s) => s.kind == 1)!;
    const client = spans.find((s) => s.kind == 2)!;
    expect(server.parentSpanContext?.spanId).toBe(S);
    expect(server.attributes).toMatchObject({ 'client.address': '198.51.100.7', 'faas.trigger': 'http', 'http.response.status_code': 200 });
    expect(server.resource.attributes).toMatchObject({ 'service.name': 'from-env', api: 'https://api.example.com' });
    expect(server.instrumentationScope.name).toBe('otelite/cloudflare');
    expect(client.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(outgoing.pop()!.get('traceparent')).toBe(`00-${T}-${client.spanContext().spanId}-01`);
    expect(res.headers.get('server-timing')).toBe(`traceparent;desc="00-${T}-${server.spanContext().spanId}-01"`);
    expect(factory).toHaveBeenCalledTimes(1);
    expect(factory).toHaveBeenCalledWith(env);
    // set up once, for every later request
    const ctx2 = new Ctx();
    await worker.fetch(new Request('https://shop.example.com/2'), env, ctx2);
    await ctx2.settle();
    expect(factory).toHaveBeenCalledTimes(1);
  });

  it('traces scheduled and queue invocations', async () => {
    spans.length = 0;
    const ctx = new Ctx();
    const ctrl = { cron: '0 * * * *', scheduledTime: Date.UTC(2026, 0, 1) };
    await worker.scheduled(ctrl, env, ctx);
    const [self, c, e, x] = seen.pop() as unknown[];
    expect([self === handler, c === ctrl, e === env, x === ctx]).toEqual([true, true, true, true]);
    expect(await worker.queue({ queue: 'jobs', messages: [1, 2, 3] }, env, ctx)).toBe(3);
    await ctx.settle();
    expect(spans.map((s) => [s.name, s.kind, s.attributes['faas.trigger']])).toEqual([
      ['scheduled', 1, 'timer'],
      ['process jobs', 4, 'pubsub'],
    ]);
    expect(spans[0]!.attributes).toMatchObject({ 'faas.cron': '0 * * * *', 'faas.time': '2026-01-01T00:00:00.000Z' });
    expect(spans[1]!.attributes['messaging.batch.message_count']).toBe(3);
  });

  it('with the SDK disabled, calls the handler as it is', async () => {
    const plain = instrument({ fetch: (_r: Request, e: unknown, c: Ctx) => new Response(String(e === env) + String(c.promises.length)) }, { disabled: true });
    const ctx = new Ctx();
    expect(await (await plain.fetch(new Request('https://x/'), env, ctx)).text()).toBe('true0');
    expect(ctx.promises).toEqual([]);
  });

  it('returns anything but a handler object unchanged, with a warning', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    class Entrypoint {}
    expect(instrument(Entrypoint as unknown as object)).toBe(Entrypoint);
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });

  it('never lets a broken config break the worker', async () => {
    const w = instrument({ fetch: (_r: Request, _e: unknown, _c: unknown) => new Response('ok') }, () => {
      throw new Error('config bug');
    });
    expect(await (await w.fetch(new Request('https://x/'), {}, new Ctx())).text()).toBe('ok');
  });
});

describe('relay', () => {
  it('is a fetch handler that takes its config from env', async () => {
    const r = relay<{ KEY: string }>((e) => ({ origins: '*', endpoint: 'https://collector.example.com', headers: { 'x-key': e.KEY } }));
    outgoing.length = 0;
    const res = await r(new Request('https://relay/v1/logs', { method: 'POST', body: '{"resourceLogs":[]}', headers: { origin: 'https://a' } }), { KEY: 'k' });
    expect(res.status).toBe(200);
    expect(outgoing[0]!.get('x-key')).toBe('k');
  });
});

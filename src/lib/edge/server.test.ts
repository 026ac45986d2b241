import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { context } from '../../context/api';
import { ROOT_CONTEXT } from '../../context/context';
import { trace } from '../../trace/api';
import { propagation } from '../../trace/propagation/api';
import type { ReadableSpan, SpanExporter } from '../../trace/sdk-types';
import type { Span } from '../../trace/types';
import { createEdgeSdk, type EdgeSdk } from './sdk';
import { serveEvent, serveRequest, serverTiming, type Keep } from './server';

const T = '0af7651916cd43dd8448eb211c80319c';
const S = 'b7ad6b7169203331';
const exported: ReadableSpan[] = [];
const exporter: SpanExporter = {
  export: (spans, done) => (exported.push(...spans), done({ code: 0 })),
  shutdown: async () => {},
};
let sdk: EdgeSdk;
let kept: Promise<unknown>[];
const keep: Keep = { w: (p) => void kept.push(p) };
/** waits for everything handed to `keep`, then returns the spans exported so far */
const flushed = async () => {
  while (kept.length) await Promise.all(kept.splice(0));
  return exported;
};

beforeAll(async () => {
  // no fetch instrumentation here: these tests are about the server side
  sdk = (await createEdgeSdk(() => ({ exporter, serviceName: 'unit', instrumentations: { fetch: false } }), () => undefined, 'edge-test', ''))!;
});
afterAll(() => {
  trace.disable();
  context.disable();
  propagation.disable();
});
beforeEach(() => {
  exported.length = 0;
  kept = [];
  sdk.o = { acceptRemoteContext: true, serverTiming: 'html', captureQuery: true };
});

const req = (url: string, init?: RequestInit) => new Request(url, init);

describe('serveRequest', () => {
  it('makes a SERVER span with the stable HTTP attributes, parented to traceparent', async () => {
    const res = await serveRequest(
      sdk,
      req('https://shop.example.com/items/7?q=shoes&sig=s3cret', {
        headers: { traceparent: `00-${T}-${S}-01`, tracestate: 'a=1', 'user-agent': 'ua/1' },
      }),
      keep,
      () => new Response('ok', { status: 201 }),
      '192.0.2.1',
      { 'faas.trigger': 'http' },
    );
    expect(res.status).toBe(201);
    const [span] = await flushed();
    expect(span!.spanContext()).toMatchObject({ traceId: T, traceFlags: 1 });
    expect(span!.spanContext().traceState?.serialize()).toBe('a=1');
    expect(span!.parentSpanContext).toMatchObject({ spanId: S, isRemote: true });
    expect([span!.name, span!.kind]).toEqual(['GET', 1]);
    expect(span!.attributes).toEqual({
      'faas.trigger': 'http',
      'http.request.method': 'GET',
      'url.scheme': 'https',
      'url.path': '/items/7',
      'url.query': 'q=shoes&sig=REDACTED',
      'server.address': 'shop.example.com',
      'server.port': 443,
      'user_agent.original': 'ua/1',
      'client.address': '192.0.2.1',
      'http.response.status_code': 201,
    });
    expect(span!.instrumentationScope.name).toBe('edge-test');
  });

  it('reports unknown methods as _OTHER, IPv6 hosts without brackets, and the route', async () => {
    sdk.o.route = () => '/items/:id';
    sdk.o.captureQuery = false;
    await serveRequest(sdk, req('http://[::1]:8787/items/7?x=1', { method: 'PURGE' }), keep, () => new Response(null));
    const [span] = await flushed();
    expect(span!.name).toBe('HTTP /items/:id');
    expect(span!.attributes).toMatchObject({
      'http.request.method': '_OTHER',
      'http.request.method_original': 'PURGE',
      'server.address': '::1',
      'server.port': 8787,
      'http.route': '/items/:id',
    });
    expect(span!.attributes['url.query']).toBeUndefined();
  });

  it('names the span after a route the handler sets', async () => {
    await serveRequest(sdk, req('http://h/x'), keep, () => {
      trace.getActiveSpan()!.setAttribute('http.route', '/x/:y');
      return new Response('');
    });
    expect((await flushed())[0]!.name).toBe('GET /x/:y');
  });

  it('names the span after the route also when the handler throws', async () => {
    const boom = new Error('boom');
    const p = serveRequest(sdk, req('http://h/x'), keep, () => {
      trace.getActiveSpan()!.setAttribute('http.route', '/x/:y');
      throw boom;
    });
    await expect(p).rejects.toBe(boom);
    const [span] = await flushed();
    expect([span!.name, span!.status.code]).toEqual(['GET /x/:y', 2]);
  });

  it('ends the span of a handler that returns a non-Response without a status', async () => {
    const odd = { status: 500 } as unknown as Response;
    expect(await serveRequest(sdk, req('http://h/x'), keep, () => odd)).toBe(odd);
    const [span] = await flushed();
    expect(span!.attributes['http.response.status_code']).toBeUndefined();
    expect(span!.ended).toBe(true);
  });

  it('records an exception and rethrows the very error; a 5xx is an error without one', async () => {
    const boom = new RangeError('boom');
    await expect(serveRequest(sdk, req('http://h/a'), keep, () => { throw boom; })).rejects.toBe(boom);
    await expect(serveRequest(sdk, req('http://h/b'), keep, () => Promise.reject('text'))).rejects.toBe('text');
    await serveRequest(sdk, req('http://h/c'), keep, () => new Response('', { status: 502 }));
    await serveRequest(sdk, req('http://h/d'), keep, () => new Response('', { status: 404 }));
    const [a, b, c, d] = await flushed();
    expect(a!.status).toEqual({ code: 2, message: 'boom' });
    expect(a!.attributes['error.type']).toBe('RangeError');
    expect(a!.events[0]).toMatchObject({ name: 'exception', attributes: { 'exception.type': 'RangeError', 'exception.message': 'boom' } });
    expect(b!.attributes['error.type']).toBe('_OTHER');
    expect(c!.status.code).toBe(2);
    expect(c!.attributes).toMatchObject({ 'http.response.status_code': 502, 'error.type': '502' });
    expect(c!.events).toEqual([]);
    expect(d!.status.code).toBe(0);
  });

  it('with remote context refused, starts a new trace linked to the caller', async () => {
    sdk.o.acceptRemoteContext = (r) => new URL(r.url).pathname != '/public';
    const headers = { traceparent: `00-${T}-${S}-01`, baggage: 'k=v' };
    let seen: string | undefined;
    await serveRequest(sdk, req('http://h/public', { headers }), keep, () => {
      seen = propagation.getActiveBaggage()?.getEntry('k')?.value;
      return new Response('');
    });
    expect(seen).toBeUndefined();
    await serveRequest(sdk, req('http://h/private', { headers }), keep, () => {
      seen = propagation.getActiveBaggage()?.getEntry('k')?.value;
      return new Response('');
    });
    expect(seen).toBe('v');
    const [pub, priv] = await flushed();
    expect(pub!.spanContext().traceId).not.toBe(T);
    expect(pub!.parentSpanContext).toBeUndefined();
    expect(pub!.links).toMatchObject([{ context: { traceId: T, spanId: S } }]);
    expect(priv!.spanContext().traceId).toBe(T);
    // a throwing decision refuses
    sdk.o.acceptRemoteContext = () => {
      throw new Error('bad');
    };
    await serveRequest(sdk, req('http://h/x', { headers }), keep, () => new Response(''));
    expect((await flushed())[2]!.spanContext().traceId).not.toBe(T);
  });

  it('passes through a value that is not a Response, and a request it cannot trace', async () => {
    const odd = { not: 'a response' } as unknown as Response;
    expect(await serveRequest(sdk, req('http://h/x'), keep, () => odd)).toBe(odd);
    const broken = { url: 'not a url', headers: new Headers(), method: 'GET' } as Request;
    expect(await serveRequest(sdk, broken, keep, () => odd)).toBe(odd);
  });

  it('runs the handler in the SERVER span, also after awaits', async () => {
    let inner: string | undefined;
    await serveRequest(sdk, req('http://h/x'), keep, async () => {
      await new Promise((r) => setTimeout(r, 5));
      inner = trace.getActiveSpan()?.spanContext().spanId;
      return new Response('');
    });
    const [span] = await flushed();
    expect(inner).toBe(span!.spanContext().spanId);
  });
});

describe('flushing a request scope', () => {
  it('flushes once the handler is done and every span of the request has ended', async () => {
    let child: Span | undefined;
    await serveRequest(sdk, req('http://h/x'), keep, () => {
      child = trace.getTracer('t').startSpan('background');
      return new Response('');
    });
    await Promise.resolve();
    expect(exported).toEqual([]); // waiting for the background span
    child!.end();
    const spans = await flushed();
    expect(spans.map((s) => s.name)).toEqual(['GET', 'background']);
  });

  it('gives up waiting after 10 s, and flushes a late span when it ends', async () => {
    vi.useFakeTimers();
    try {
      let child: Span | undefined;
      await serveRequest(sdk, req('http://h/x'), keep, () => {
        child = trace.getTracer('t').startSpan('slow');
        return new Response('');
      });
      await vi.advanceTimersByTimeAsync(10_000);
      expect(exported.map((s) => s.name)).toEqual(['GET']);
      child!.end();
      await vi.advanceTimersByTimeAsync(0);
      expect(exported.map((s) => s.name)).toEqual(['GET', 'slow']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a span started after the flush (work the handler left running) hands over its own flush', async () => {
    let later: () => void = () => {};
    await serveRequest(sdk, req('http://h/x'), keep, () => {
      const ctx = context.active();
      later = () => context.with(ctx, () => trace.getTracer('t').startSpan('late').end());
      return new Response('');
    });
    await flushed();
    later();
    expect((await flushed()).map((s) => s.name)).toEqual(['GET', 'late']);
  });
});

describe('serveEvent', () => {
  it('makes a root span of the given kind, returns the result or rethrows', async () => {
    expect(await serveEvent(sdk, 'scheduled', 1, { 'faas.trigger': 'timer' }, keep, () => 7)).toBe(7);
    const e = new Error('x');
    await expect(serveEvent(sdk, 'process q', 4, {}, keep, () => Promise.reject(e))).rejects.toBe(e);
    const [a, b] = await flushed();
    expect([a!.name, a!.kind, a!.attributes, a!.parentSpanContext]).toEqual(['scheduled', 1, { 'faas.trigger': 'timer' }, undefined]);
    expect([b!.name, b!.kind, b!.status.code]).toEqual(['process q', 4, 2]);
  });
});

describe('serverTiming', () => {
  const span = trace.wrapSpanContext({ traceId: T, spanId: S, traceFlags: 3 });
  const entry = `traceparent;desc="00-${T}-${S}-03"`;
  const html = () => new Response('<p>x', { headers: { 'content-type': 'Text/HTML; charset=utf-8' } });

  it('appends to HTML responses in place by default', () => {
    const r = html();
    expect(serverTiming(r, span, 'html')).toBe(r);
    expect(r.headers.get('server-timing')).toBe(entry);
    const r2 = new Response('x', { headers: { 'content-type': 'text/html', 'server-timing': 'db;dur=5' } });
    expect(serverTiming(r2, span, 'html').headers.get('server-timing')).toBe(`db;dur=5, ${entry}`);
  });

  it('leaves other responses, modes and existing traceparent entries alone', () => {
    const json = Response.json({});
    expect(serverTiming(json, span, 'html').headers.get('server-timing')).toBeNull();
    expect(serverTiming(json, span, true).headers.get('server-timing')).toBe(entry);
    expect(serverTiming(html(), span, false).headers.get('server-timing')).toBeNull();
    const own = new Response('', { headers: { 'content-type': 'text/html', 'server-timing': 'cdn, traceparent;desc="00-x"' } });
    expect(serverTiming(own, span, 'html').headers.get('server-timing')).toBe('cdn, traceparent;desc="00-x"');
    expect(serverTiming(html(), trace.wrapSpanContext({ traceId: '0'.repeat(32), spanId: S, traceFlags: 1 }), 'html').headers.get('server-timing')).toBeNull();
    const ws = { status: 101, headers: new Headers({ 'content-type': 'text/html' }) } as Response;
    expect(serverTiming(ws, span, true)).toBe(ws);
    expect(ws.headers.get('server-timing')).toBeNull();
  });

  it('copies a response whose headers are immutable, over the same unread body', async () => {
    const r = Response.redirect('https://example.com/next', 307);
    const out = serverTiming(r, span, true);
    expect(out).not.toBe(r);
    expect([out.status, out.headers.get('location'), out.headers.get('server-timing')]).toEqual([307, 'https://example.com/next', entry]);
    const body = html();
    Object.defineProperty(body.headers, 'append', { value: () => { throw new TypeError("Can't modify immutable headers."); } });
    const copy = serverTiming(body, span, 'html');
    expect(copy).not.toBe(body);
    expect(body.bodyUsed).toBe(false);
    expect(await copy.text()).toBe('<p>x');
    expect(copy.headers.get('content-type')).toBe('Text/HTML; charset=utf-8');
  });

  it('never throws', () => {
    const bad = {} as Response;
    expect(serverTiming(bad, span, true)).toBe(bad);
    expect(ROOT_CONTEXT).toBeDefined();
  });
});

import { http, HttpResponse, delay } from 'msw';
import { setupServer } from 'msw/node';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { context } from '../../context/api';
import { suppressTracing } from '../../lib/suppress';
import { trace } from '../../trace/api';
import { propagation } from '../../trace/propagation/api';
import type { ReadableSpan } from '../../trace/sdk-types';
import { registerSdk, spans, traceparentOf } from '../lib/testing';
import type { HttpInstrumentationOptions, Instrumentation } from '../lib/types';
import { fetchInstrumentation } from './fetch';

/*
 * fetch in Node 20 with msw 2 answering: msw patches globalThis.fetch at listen(), and the
 * instrumentation wraps that. `location` is stubbed so that there is a page origin
 * (https://app.example.com); resource timing is stubbed away so that spans end on the answer.
 */

type Echo = { method: string; url: string; headers: Record<string, string>; body: string };

const echo = async ({ request }: { request: Request }) =>
  HttpResponse.json({
    method: request.method,
    url: request.url,
    headers: Object.fromEntries(request.headers),
    body: await request.text(),
  } satisfies Echo);

const server = setupServer(
  http.all('https://app.example.com/status/:code', ({ params }) => new HttpResponse(null, { status: Number(params.code) })),
  http.all('https://app.example.com/neterr', () => HttpResponse.error()),
  http.all('https://app.example.com/slow', async () => {
    await delay(2000);
    return HttpResponse.text('late');
  }),
  http.all('https://app.example.com/*', echo),
  http.all('https://api.example.com/*', echo),
  http.all('https://other.example.net/*', echo),
);

let inst: Instrumentation | undefined;
const enable = (o?: HttpInstrumentationOptions) => (inst = fetchInstrumentation(o)).enable();
const tracer = () => trace.getTracer('test');
const json = async (p: Promise<Response>) => (await (await p).json()) as Echo;
/** The one CLIENT span exported so far. */
const client = (): ReadableSpan => {
  const c = spans.filter((s) => s.kind == 2);
  expect(c).toHaveLength(1);
  return c[0];
};

beforeAll(() => {
  // only the 127.0.0.1 server below is real
  server.listen({ onUnhandledRequest: (req, print) => void (/^https?:\/\/(?!127\.0\.0\.1)/.test(req.url) && print.error()) });
  // msw's interceptors also patch Headers, Request and Response to record raw header names; the
  // patched Headers writes back into an array it was built from and loses entries copied from a
  // Request's headers. Fetch interception works without: undo that patch (msw's own undo).
  const undo = Object.getOwnPropertySymbols(Headers).map((k) => (Headers as unknown as Record<symbol, unknown>)[k]);
  undo.forEach((f) => typeof f == 'function' && f());
  registerSdk();
});
afterAll(() => server.close());
beforeEach(() => {
  spans.length = 0;
  vi.stubGlobal('location', new URL('https://app.example.com/shop/page'));
  vi.stubGlobal('PerformanceObserver', undefined);
});
afterEach(() => {
  inst?.disable();
  inst = undefined;
  vi.unstubAllGlobals();
});

describe('spans', () => {
  it('makes one CLIENT span per call, child of the active span, with the HTTP attributes', async () => {
    enable();
    let parent: ReadableSpan | undefined;
    const res = await tracer().startActiveSpan('parent', (s) => {
      parent = s as unknown as ReadableSpan;
      const p = fetch('https://api.example.com/users?id=1', { method: 'post', body: 'x' });
      s.end();
      return p;
    });
    expect(res.status).toBe(200);
    const c = client();
    expect(c.name).toBe('POST');
    expect(c.parentSpanContext?.spanId).toBe(parent!.spanContext().spanId);
    expect(c.spanContext().traceId).toBe(parent!.spanContext().traceId);
    expect(c.attributes).toEqual({
      'http.request.method': 'POST',
      'url.full': 'https://api.example.com/users?id=1',
      'server.address': 'api.example.com',
      'server.port': 443,
      'http.response.status_code': 200,
    });
    expect(c.status).toEqual({ code: 0 });
    expect(c.events).toEqual([]);
  });

  it('takes the method from init, else from the Request, else GET', async () => {
    enable();
    await fetch(new Request('https://api.example.com/a', { method: 'PUT' }));
    await fetch(new Request('https://api.example.com/a', { method: 'PUT' }), { method: 'DELETE' });
    await fetch(new URL('https://api.example.com/a'));
    expect(spans.map((s) => s.name)).toEqual(['PUT', 'DELETE', 'GET']);
  });

  it('reports an unknown method as _OTHER, span name HTTP', async () => {
    enable();
    const e = await json(fetch('https://api.example.com/a', { method: 'patch' }));
    expect(e.method).toBe('patch'); // fetch does not upper-case PATCH
    expect([client().name, client().attributes['http.request.method'], client().attributes['http.request.method_original']]).toEqual([
      'HTTP',
      '_OTHER',
      'patch',
    ]);
  });

  it('resolves relative URLs against the page', async () => {
    enable();
    const e = await json(fetch('../api/x?y=1'));
    expect(e.url).toBe('https://app.example.com/api/x?y=1');
    expect(client().attributes['url.full']).toBe('https://app.example.com/api/x?y=1');
  });

  it('marks 4xx and 5xx as errors typed by the status code', async () => {
    enable();
    const r = await fetch('https://app.example.com/status/404');
    expect(r.status).toBe(404);
    expect(client().attributes['error.type']).toBe('404');
    expect(client().attributes['http.response.status_code']).toBe(404);
    expect(client().status).toEqual({ code: 2 });
  });

  it('runs the original fetch with the CLIENT span active', async () => {
    const seen: unknown[] = [];
    const stub = vi.fn(async () => {
      seen.push(trace.getActiveSpan()?.spanContext().spanId);
      return new Response('ok');
    });
    const saved = globalThis.fetch;
    globalThis.fetch = stub;
    try {
      enable();
      await fetch('https://api.example.com/');
      expect(seen).toEqual([client().spanContext().spanId]);
    } finally {
      inst!.disable();
      globalThis.fetch = saved;
    }
  });

  it('traces nothing for ignoreUrls, suppressed contexts and non-http URLs', async () => {
    enable({ ignoreUrls: ['https://api.example.com/ignored', /\/health$/] });
    const a = await json(fetch('https://api.example.com/ignored/x'));
    const b = await json(fetch('https://app.example.com/health'));
    const c = await json(context.with(suppressTracing(context.active()), () => fetch('https://app.example.com/exporter')));
    const d = await (await fetch('data:text/plain,hi')).text();
    for (const e of [a, b, c]) expect(e.headers.traceparent).toBeUndefined();
    expect(d).toBe('hi');
    expect(spans).toEqual([]);
  });
});

describe('propagation', () => {
  it('injects traceparent same-origin, matching the CLIENT span', async () => {
    enable();
    const e = await json(fetch('/x'));
    expect(e.headers.traceparent).toBe(traceparentOf(client()));
  });

  it('injects for propagateTo matches only', async () => {
    enable({ propagateTo: ['https://api.example.com'] });
    const a = await json(fetch('https://api.example.com/a'));
    const b = await json(fetch('https://other.example.net/b'));
    expect(a.headers.traceparent).toBe(traceparentOf(spans[0]));
    expect(b.headers.traceparent).toBeUndefined();
    expect(spans).toHaveLength(2); // the second is traced all the same
  });

  it('injects baggage too (the registered propagator decides what)', async () => {
    enable();
    const ctx = propagation.setBaggage(context.active(), propagation.createBaggage({ user: { value: 'ada' } }));
    const e = await json(context.with(ctx, () => fetch('/x')));
    expect(e.headers.baggage).toBe('user=ada');
    expect(e.headers.traceparent).toBe(traceparentOf(client()));
  });

  it('keeps the caller’s own baggage, whatever the case of its name', async () => {
    enable();
    const ctx = propagation.setBaggage(context.active(), propagation.createBaggage({ user: { value: 'ada' } }));
    for (const headers of [{ BAGGAGE: 'mine=1' }, new Headers({ Baggage: 'mine=1' }), [['bAggage', 'mine=1']] as [string, string][]]) {
      spans.length = 0;
      const e = await json(context.with(ctx, () => fetch('/x', { headers })));
      expect(e.headers.baggage).toBe('mine=1');
      expect(e.headers.traceparent).toBe(traceparentOf(client()));
    }
  });

  it.each([
    ['a plain object', (h: Record<string, string>) => h],
    ['Headers', (h: Record<string, string>) => new Headers(h)],
    ['an array of pairs', (h: Record<string, string>) => Object.entries(h)],
  ])('keeps headers given as %s, without touching the caller’s object', async (_, make) => {
    enable();
    const headers = make({ 'x-a': '1', 'content-type': 'text/plain' });
    const before = JSON.stringify(headers instanceof Headers ? [...headers] : headers);
    const e = await json(fetch('/x', { method: 'POST', headers, body: 'b' }));
    expect(e.headers).toMatchObject({ 'x-a': '1', 'content-type': 'text/plain', traceparent: traceparentOf(client()) });
    expect(e.body).toBe('b');
    expect(JSON.stringify(headers instanceof Headers ? [...headers] : headers)).toBe(before);
  });

  it.each([
    ['a plain object', (v: string) => ({ TraceParent: v, baggage: 'mine=1' })],
    ['Headers', (v: string) => new Headers({ traceparent: v })],
    ['an array of pairs', (v: string) => [['traceparent', v]] as [string, string][]],
  ])('never overwrites a traceparent set in %s', async (_, make) => {
    enable();
    const mine = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const e = await json(fetch('/x', { headers: make(mine) }));
    expect(e.headers.traceparent).toBe(mine);
    expect(e.headers.tracestate).toBeUndefined();
    expect(client().name).toBe('GET');
  });

  it('never overwrites a traceparent set on a Request', async () => {
    enable();
    const mine = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const e = await json(fetch(new Request('https://app.example.com/x', { headers: { traceparent: mine } })));
    expect(e.headers.traceparent).toBe(mine);
  });

  it('sends a Request with its body and headers, and leaves the Request as fetch leaves it', async () => {
    enable();
    const make = () => new Request('https://app.example.com/x', { method: 'POST', body: 'payload', headers: { 'x-a': '1' } });
    const req = make();
    const e = await json(fetch(req));
    expect(e).toMatchObject({ method: 'POST', body: 'payload', headers: { 'x-a': '1', traceparent: traceparentOf(client()) } });
    expect(req.headers.has('traceparent')).toBe(false);
    inst!.disable();
    const native = make();
    await fetch(native);
    expect(req.bodyUsed).toBe(native.bodyUsed);
  });

  it('lets init headers replace the Request’s, as fetch does', async () => {
    enable();
    const req = new Request('https://app.example.com/x', { headers: { 'x-a': '1' } });
    const e = await json(fetch(req, { headers: { 'x-b': '2' } }));
    expect(e.headers['x-a']).toBeUndefined();
    expect(e.headers['x-b']).toBe('2');
    expect(e.headers.traceparent).toBe(traceparentOf(client()));
  });

  it('streams a ReadableStream request body through', async () => {
    enable();
    const body = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode('chunk1,'));
        c.enqueue(new TextEncoder().encode('chunk2'));
        c.close();
      },
    });
    const e = await json(fetch('/x', { method: 'POST', body, duplex: 'half' } as RequestInit));
    expect(e.body).toBe('chunk1,chunk2');
    expect(e.headers.traceparent).toBe(traceparentOf(client()));
  });

  it('copies a plain init, getters read once, the caller’s object untouched', async () => {
    enable();
    const ac = new AbortController();
    const init = {
      method: 'PUT',
      get body() {
        return 'from a getter';
      },
      signal: ac.signal,
      headers: { 'x-a': '1' },
    };
    const e = await json(fetch('/x', init));
    expect([e.method, e.body, e.headers['x-a'], e.headers.traceparent]).toEqual(['PUT', 'from a getter', '1', traceparentOf(client())]);
    expect(init.headers).toEqual({ 'x-a': '1' });
  });

  it('copies an init without a prototype too', async () => {
    enable();
    const init = Object.assign(Object.create(null) as RequestInit, { headers: { 'x-a': '1' } });
    const e = await json(fetch('/x', init));
    expect([e.headers['x-a'], e.headers.traceparent]).toEqual(['1', traceparentOf(client())]);
  });

  it('keeps every value of a repeated header (several Set-Cookie, as edge runtimes allow)', async () => {
    const got: Headers[] = [];
    const saved = globalThis.fetch;
    globalThis.fetch = vi.fn(async (_: unknown, i?: RequestInit) => (got.push(new Headers(i?.headers)), new Response('ok')));
    try {
      enable();
      const h = new Headers();
      h.append('set-cookie', 'a=1');
      h.append('set-cookie', 'b=2');
      await fetch('https://app.example.com/x', { headers: h });
      expect(got[0].getSetCookie()).toEqual(['a=1', 'b=2']);
      expect(got[0].get('traceparent')).toBe(traceparentOf(client()));
      expect(h.has('traceparent')).toBe(false);
    } finally {
      inst!.disable();
      globalThis.fetch = saved;
    }
  });

  it('leaves an init that is not a plain object alone (no headers added), as it cannot be copied faithfully', async () => {
    enable();
    class Options {
      body = 'from a class';
      get method() {
        return 'PUT';
      }
    }
    const e = await json(fetch('/x', new Options() as RequestInit));
    expect([e.method, e.body, e.headers.traceparent]).toEqual(['PUT', 'from a class', undefined]);
    expect(client().name).toBe('PUT');
  });
});

describe('transparency', () => {
  /** Runs `call` with the instrumentation and without, returning both settlements. */
  async function both<T>(call: () => Promise<T>) {
    const settle = (p: Promise<T>) => p.then((value) => ({ value }), (error: unknown) => ({ error }));
    enable();
    const traced = await settle(call());
    inst!.disable();
    const native = await settle(call());
    return { traced, native };
  }
  const same = (a: unknown, b: unknown) => {
    const shape = (e: unknown) =>
      e instanceof Error ? [Object.getPrototypeOf(e).constructor.name, e.name, e.message, String((e as { cause?: unknown }).cause)] : e;
    expect(shape(a)).toEqual(shape(b));
  };

  it('resolves with the very response and never reads it', async () => {
    const response = new Response('body');
    const saved = globalThis.fetch;
    globalThis.fetch = async () => response;
    try {
      enable();
      const r = await fetch('/x');
      expect(r).toBe(response);
      expect(r.bodyUsed).toBe(false);
      expect(await r.text()).toBe('body');
      expect(client().ended).toBe(true);
    } finally {
      inst!.disable();
      globalThis.fetch = saved;
    }
  });

  it('rejects with the very error', async () => {
    const err = new TypeError('boom');
    const saved = globalThis.fetch;
    globalThis.fetch = () => Promise.reject(err);
    try {
      enable();
      await expect(fetch('/x')).rejects.toBe(err);
      expect(client().attributes['error.type']).toBe('TypeError');
    } finally {
      inst!.disable();
      globalThis.fetch = saved;
    }
  });

  it('rethrows a synchronous throw and passes a non-promise through (stub fetches)', async () => {
    const saved = globalThis.fetch;
    const err = new Error('sync');
    try {
      globalThis.fetch = () => {
        throw err;
      };
      enable();
      expect(() => fetch('/x')).toThrow(err);
      inst!.disable();
      globalThis.fetch = (() => 'not a promise') as never;
      enable();
      expect(fetch('/y')).toBe('not a promise');
      expect(spans.map((s) => s.attributes['error.type'])).toEqual(['Error', undefined]);
    } finally {
      inst!.disable();
      globalThis.fetch = saved;
    }
  });

  it('fails a network error as fetch does; the span has error.type and no exception event', async () => {
    const { traced, native } = await both(() => fetch('/neterr'));
    same((traced as { error: unknown }).error, (native as { error: unknown }).error);
    const c = client();
    expect(c.attributes['error.type']).toBe('TypeError');
    expect(c.status.code).toBe(2);
    expect(c.status.message).toBe(((native as { error: Error }).error).message);
    expect(c.events).toEqual([]);
  });

  it('aborts as fetch does (AbortController, a non-Error reason, AbortSignal.timeout)', async () => {
    const abort = (reason?: unknown) => () => {
      const ac = new AbortController();
      setTimeout(() => ac.abort(reason), 20);
      return fetch('/slow', { signal: ac.signal });
    };
    for (const [call, type] of [
      [abort(), 'AbortError'],
      [abort('why'), 'AbortError'],
      [() => fetch('/slow', { signal: AbortSignal.timeout(20) }), 'TimeoutError'],
      [() => fetch(new Request('https://app.example.com/slow', { signal: AbortSignal.timeout(20) })), 'TimeoutError'],
    ] as const) {
      spans.length = 0;
      const { traced, native } = await both(call);
      expect('error' in traced).toBe(true);
      same((traced as { error: unknown }).error, (native as { error: unknown }).error);
      expect(client().attributes['error.type']).toBe(type);
      expect(client().status.code).toBe(2);
      expect(client().events).toEqual([]);
    }
  });

  it('rejects bad input as fetch does (a span with the error, when it is an http(s) URL)', async () => {
    for (const call of [
      () => fetch('/x', { headers: [['only-a-name']] as never }),
      () => fetch('/x', { headers: null as never }),
      () => fetch('http://[bad'),
    ]) {
      const { traced, native } = await both(call);
      expect('error' in native).toBe(true);
      same((traced as { error: unknown }).error, (native as { error: unknown }).error);
    }
    expect(spans.map((s) => s.attributes['error.type'])).toEqual(['TypeError', 'TypeError']);
  });
});

describe('enable and disable', () => {
  it('restores the original fetch exactly, and enables once', async () => {
    const original = globalThis.fetch;
    enable();
    const patched = globalThis.fetch;
    expect(patched).not.toBe(original);
    inst!.enable();
    expect(globalThis.fetch).toBe(patched);
    await fetch('/x');
    expect(spans).toHaveLength(1);
    inst!.disable();
    expect(globalThis.fetch).toBe(original);
    inst!.disable();
    expect(globalThis.fetch).toBe(original);
    await fetch('/x');
    expect(spans).toHaveLength(1);
  });

  it('passes through when wrapped by someone else, and re-enables without wrapping twice', async () => {
    const original = globalThis.fetch;
    enable();
    const mine = globalThis.fetch;
    const theirs = (...a: Parameters<typeof fetch>) => mine(...a);
    globalThis.fetch = theirs;
    try {
      inst!.disable();
      expect(globalThis.fetch).toBe(theirs);
      const e = await json(fetch('/x'));
      expect(e.headers.traceparent).toBeUndefined();
      expect(spans).toHaveLength(0);
      inst!.enable();
      expect(globalThis.fetch).toBe(theirs);
      await fetch('/x');
      expect(spans).toHaveLength(1);
    } finally {
      inst!.disable();
      globalThis.fetch = original;
    }
  });

  it('does nothing where there is no fetch', () => {
    vi.stubGlobal('fetch', undefined);
    enable();
    expect(globalThis.fetch).toBeUndefined();
    inst!.disable();
  });
});

describe('resource timing in Node (undici reports it too)', () => {
  it('ends the span with the network phases of its entry, matched among others to the same URL', async () => {
    vi.unstubAllGlobals(); // the real PerformanceObserver, no page
    const srv = createServer((req, res) => setTimeout(() => res.end('ok ' + req.url), req.url == '/slow' ? 60 : 0));
    await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', ok));
    const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
    try {
      enable({ propagateTo: [url] });
      const [a, b] = await Promise.all([fetch(url + '/slow'), fetch(url + '/slow')]);
      const c = await fetch(url + '/fast');
      expect([await a.text(), await b.text(), await c.text()]).toEqual(['ok /slow', 'ok /slow', 'ok /fast']);
      await vi.waitFor(() => expect(spans).toHaveLength(3), { timeout: 3000 });
      for (const s of spans) {
        expect(s.events.map((e) => e.name)).toContain('responseEnd');
        expect(s.events[0].name).toBe('fetchStart');
        // Node's entries have no nextHopProtocol (Chromium's do: see the e2e test)
        expect(s.events[0].time).toBeGreaterThanOrEqual(s.startTime);
        expect(s.endTime).toBeGreaterThanOrEqual(s.events.at(-1)!.time);
      }
      // well under the 1 s wait: the entries came
      expect(Math.max(...spans.map((s) => s.endTime - s.startTime))).toBeLessThan(900);
    } finally {
      srv.close();
    }
  });
});

import { gunzipSync } from 'node:zlib';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { context } from '../../context/api';
import { StackContextManager } from '../../context/stack';
import { diag } from '../../lib/diag';
import { isTracingSuppressed } from '../../lib/suppress';
import type { ExportResult, ReadableSpan, SpanProcessor } from '../../trace/sdk-types';
import { TracerProvider } from '../../trace/provider';
import { createOtlpSender, retryAfterMillis } from './exporter';
import { OTLPTraceExporter, encodeTraces } from './traces';
import { useFflate } from './fflate';
import { globals } from '../../lib/global';

const URL_ = 'http://collector.test/v1/traces';

interface Seen {
  headers: Headers;
  body: unknown;
  raw: Uint8Array;
  at: number;
}

const seen: Seen[] = [];
/** Answers per request, in order; the last one repeats. */
let answers: Array<() => Response | Promise<Response>> = [];

const server = setupServer(
  http.post(URL_, async ({ request }) => {
    const raw = new Uint8Array(await request.arrayBuffer());
    const gz = request.headers.get('content-encoding') == 'gzip';
    const text = new TextDecoder().decode(gz ? gunzipSync(raw) : raw);
    seen.push({ headers: request.headers, body: JSON.parse(text), raw, at: Date.now() });
    const a = answers.length > 1 ? answers.shift()! : answers[0];
    return a ? a() : new HttpResponse(null, { status: 200 });
  }),
);

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  seen.length = 0;
  answers = [];
  server.resetHandlers();
  vi.useRealTimers();
  vi.restoreAllMocks();
  diag.disable();
});
afterAll(() => server.close());

/** Items of the generic sender tests: encoded as a tiny JSON document. */
const enc = (items: number[]): string => JSON.stringify({ items });

/**
 * Waits (in real time: setImmediate and hrtime are not faked) until `n` requests arrived, 5 s at
 * most: a count of turns was too short on a loaded machine (a real gzip and msw's request
 * handling take real time). Unlike vi.waitFor, it does not move fake clocks.
 */
async function arrived(n: number): Promise<void> {
  const end = process.hrtime.bigint() + 5_000_000_000n;
  while (seen.length < n && process.hrtime.bigint() < end) await new Promise((r) => setImmediate(r));
  expect(seen).toHaveLength(n);
}

type Sink<T> = { send(i: T[], d: (r: ExportResult) => void): void } | { export(i: T[], d: (r: ExportResult) => void): void };

function sendP<T>(s: Sink<T>, items: T[]): Promise<ExportResult> {
  return new Promise((r) => ('send' in s ? s.send(items, r) : s.export(items, r)));
}

function spans(n: number): ReadableSpan[] {
  const out: ReadableSpan[] = [];
  const collect: SpanProcessor = {
    onStart() {},
    onEnd: (s) => void out.push(s),
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  const t = new TracerProvider({ spanProcessors: [collect] }).getTracer('test', '1.0.0');
  for (let i = 0; i < n; i++) t.startSpan('span ' + i, { attributes: { i } }).end();
  return out;
}

describe('OTLPTraceExporter over fetch', () => {
  it('POSTs gzip JSON to {endpoint}/v1/traces with the right headers; the body decodes to the encoding', async () => {
    const e = new OTLPTraceExporter({ endpoint: 'http://collector.test/', headers: { 'x-api-key': 'k' } });
    const batch = spans(3);
    expect(await sendP(e, batch)).toEqual({ code: 0 });
    expect(seen).toHaveLength(1);
    const h = seen[0].headers;
    expect(h.get('content-type')).toBe('application/json');
    expect(h.get('content-encoding')).toBe('gzip');
    expect(h.get('x-api-key')).toBe('k');
    expect([...seen[0].raw.slice(0, 2)]).toEqual([0x1f, 0x8b]);
    expect(seen[0].body).toEqual(JSON.parse(encodeTraces(batch)));
  });

  it('compression none: plain JSON, no Content-Encoding; url used as is', async () => {
    const e = new OTLPTraceExporter({ url: URL_, compression: 'none' });
    expect(await sendP(e, spans(1))).toEqual({ code: 0 });
    expect(seen[0].headers.get('content-encoding')).toBeNull();
    expect(seen[0].raw[0]).toBe(0x7b); // '{'
  });

  it('sends uncompressed where CompressionStream is missing and fflate was not opted in', async () => {
    vi.stubGlobal('CompressionStream', undefined);
    try {
      const e = new OTLPTraceExporter({ url: URL_ });
      expect(await sendP(e, spans(1))).toEqual({ code: 0 });
      expect(seen[0].headers.get('content-encoding')).toBeNull();
      expect(seen[0].raw[0]).toBe(0x7b); // '{'
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('falls back to fflate where CompressionStream is missing, after useFflate()', async () => {
    vi.stubGlobal('CompressionStream', undefined);
    useFflate();
    try {
      const e = new OTLPTraceExporter({ url: URL_ });
      const batch = spans(2);
      expect(await sendP(e, batch)).toEqual({ code: 0 });
      expect(seen[0].headers.get('content-encoding')).toBe('gzip');
      expect(seen[0].body).toEqual(JSON.parse(encodeTraces(batch)));
    } finally {
      vi.unstubAllGlobals();
      delete (globals() as { z?: unknown }).z;
    }
  });

  it('sends with tracing suppressed in the active context (the instrumentations check it)', async () => {
    const cm = new StackContextManager().enable();
    context.setGlobalContextManager(cm);
    const orig = globalThis.fetch;
    const flags: boolean[] = [];
    vi.stubGlobal('fetch', (...a: Parameters<typeof fetch>) => {
      flags.push(isTracingSuppressed(context.active()));
      return orig(...a);
    });
    try {
      await sendP(new OTLPTraceExporter({ url: URL_ }), spans(1));
      expect(flags).toEqual([true]);
      expect(isTracingSuppressed(context.active())).toBe(false);
    } finally {
      vi.unstubAllGlobals();
      context.disable();
    }
  });

  it('omits credentials and sets no keepalive outside a page', async () => {
    const orig = globalThis.fetch;
    const inits: RequestInit[] = [];
    vi.stubGlobal('fetch', (u: string, init: RequestInit) => {
      inits.push(init);
      return orig(u, init);
    });
    try {
      await sendP(new OTLPTraceExporter({ url: URL_ }), spans(1));
      expect(inits[0]).toMatchObject({ method: 'POST', credentials: 'omit', keepalive: false });
      expect(inits[0].signal).toBeInstanceOf(AbortSignal);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('response handling', () => {
  it('200 with partialSuccess: success, final, reported through diagnostics', async () => {
    const warn = vi.fn();
    diag.setLogger({ warn, error: vi.fn() }, 50);
    answers = [() => HttpResponse.json({ partialSuccess: { rejectedSpans: '2', errorMessage: 'bad span' } })];
    const s = createOtlpSender({ url: URL_ }, 'traces', enc);
    expect(await sendP(s, [1, 2, 3])).toEqual({ code: 0 });
    expect(seen).toHaveLength(1);
    expect(warn).toHaveBeenCalledWith('otelite: traces export partially rejected', {
      rejectedSpans: '2',
      errorMessage: 'bad span',
    });
  });

  it('200 with an empty partialSuccess (no rejections) is plain success, nothing reported', async () => {
    const warn = vi.fn();
    diag.setLogger({ warn }, 50);
    answers = [() => HttpResponse.json({ partialSuccess: {} })];
    expect(await sendP(createOtlpSender({ url: URL_ }, 'traces', enc), [1])).toEqual({ code: 0 });
    expect(warn).not.toHaveBeenCalled();
  });

  it('400: failed at once, never retried, counted as dropped', async () => {
    answers = [() => new HttpResponse('bad', { status: 400 })];
    const s = createOtlpSender({ url: URL_ }, 'traces', enc);
    const r = await sendP(s, [1, 2]);
    expect(r.code).toBe(1);
    expect(r.error?.message).toMatch(/HTTP 400/);
    expect(seen).toHaveLength(1);
    expect(s.dropped).toBe(2);
    for (const status of [401, 403, 404, 413, 500, 501]) {
      answers = [() => new HttpResponse(null, { status })];
      expect((await sendP(s, [1])).code).toBe(1);
    }
    expect(seen).toHaveLength(7);
  });

  it('503 + Retry-After in seconds: waits that long, then sends the same body once more', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    answers = [() => new HttpResponse(null, { status: 503, headers: { 'Retry-After': '7' } }), () => new HttpResponse(null)];
    const s = createOtlpSender({ url: URL_ }, 'traces', enc);
    const p = sendP(s, [1, 2, 3]);
    await arrived(1);
    await vi.advanceTimersByTimeAsync(6900);
    expect(seen).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(200);
    await arrived(2);
    expect(await p).toEqual({ code: 0 });
    expect(seen[1].body).toEqual(seen[0].body);
    expect([...seen[1].raw]).toEqual([...seen[0].raw]);
  });

  it('429 + Retry-After as an HTTP date', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(new Date('2026-11-22T10:00:00Z'));
    answers = [
      () => new HttpResponse(null, { status: 429, headers: { 'Retry-After': 'Sun, 22 Nov 2026 10:00:05 GMT' } }),
      () => new HttpResponse(null),
    ];
    const p = sendP(createOtlpSender({ url: URL_ }, 'traces', enc), [1]);
    await arrived(1);
    await vi.advanceTimersByTimeAsync(4900);
    expect(seen).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(await p).toEqual({ code: 0 });
    expect(seen).toHaveLength(2);
  });

  it('502/504 and network errors: exponential backoff with jitter, then success', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.spyOn(Math, 'random').mockReturnValue(1); // top of the jitter range: 1 s, 2 s, 4 s
    answers = [
      () => new HttpResponse(null, { status: 502 }),
      () => HttpResponse.error(),
      () => new HttpResponse(null, { status: 504 }),
      () => new HttpResponse(null),
    ];
    const p = sendP(createOtlpSender({ url: URL_ }, 'traces', enc), [1]);
    await arrived(1);
    for (const [wait, count] of [
      [1000, 2],
      [2000, 3],
      [4000, 4],
    ]) {
      // each retry is timed from when the previous answer came (within the last advance)
      await vi.advanceTimersByTimeAsync(wait - 100);
      expect(seen).toHaveLength(count - 1);
      await vi.advanceTimersByTimeAsync(100);
      await arrived(count);
    }
    expect(await p).toEqual({ code: 0 });
  });

  it('gives up after 5 attempts, drops and counts; forceFlush waits for it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    answers = [() => new HttpResponse(null, { status: 503 })];
    const s = createOtlpSender({ url: URL_ }, 'traces', enc);
    const p = sendP(s, [1, 2]);
    let flushed = false;
    void s.forceFlush().then(() => (flushed = true));
    let r: ExportResult | undefined;
    void p.then((x) => (r = x));
    // let each request complete (real I/O), then move the fake clock past the next backoff
    for (let i = 0; i < 2000 && !r; i++) {
      await new Promise((ok) => setImmediate(ok));
      if (i % 10 == 9) await vi.advanceTimersByTimeAsync(2000);
    }
    r = await p;
    expect(r.code).toBe(1);
    expect(seen).toHaveLength(5);
    expect(s.dropped).toBe(2);
    await Promise.resolve();
    expect(flushed).toBe(true);
  }, 20_000);

  it('a Retry-After beyond the 60 s bound drops the data instead of holding it', async () => {
    answers = [() => new HttpResponse(null, { status: 503, headers: { 'Retry-After': '3600' } })];
    const s = createOtlpSender({ url: URL_ }, 'traces', enc);
    expect((await sendP(s, [1])).code).toBe(1);
    expect(seen).toHaveLength(1);
  });

  it('a request that hangs is aborted after timeoutMillis and retried', async () => {
    let hung = false;
    answers = [
      () => {
        hung = true;
        return new Promise<Response>(() => {});
      },
      () => new HttpResponse(null),
    ];
    vi.spyOn(Math, 'random').mockReturnValue(0); // shortest backoff: 500 ms
    const s = createOtlpSender({ url: URL_, timeoutMillis: 100 }, 'traces', enc);
    const t = Date.now();
    expect(await sendP(s, [1])).toEqual({ code: 0 });
    expect(hung).toBe(true);
    expect(seen).toHaveLength(2);
    expect(Date.now() - t).toBeGreaterThanOrEqual(550);
  });

  it('at most concurrencyLimit requests in flight; the rest wait their turn', async () => {
    let active = 0;
    let max = 0;
    answers = [
      async () => {
        max = Math.max(max, ++active);
        await new Promise((r) => setTimeout(r, 30));
        active--;
        return new HttpResponse(null);
      },
    ];
    const s = createOtlpSender({ url: URL_, concurrencyLimit: 2 }, 'traces', enc);
    const rs = await Promise.all([1, 2, 3, 4, 5].map((i) => sendP(s, [i])));
    expect(rs.every((r) => r.code == 0)).toBe(true);
    expect(max).toBe(2);
    expect(seen.map((x) => (x.body as { items: number[] }).items[0]).sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('bounded: beyond 32 pending jobs new data is dropped and counted', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    answers = [
      async () => {
        await gate;
        return new HttpResponse(null);
      },
    ];
    const s = createOtlpSender({ url: URL_ }, 'traces', enc);
    const results: Promise<ExportResult>[] = [];
    for (let i = 0; i < 40; i++) results.push(sendP(s, [i, i]));
    const dropped = await Promise.all(results.slice(32));
    expect(dropped.every((r) => r.code == 1)).toBe(true);
    expect(s.dropped).toBe(16);
    release();
    expect((await Promise.all(results.slice(0, 32))).every((r) => r.code == 0)).toBe(true);
    await s.forceFlush();
    expect(seen).toHaveLength(32);
  });

  it('an encoder that throws fails the export, never the caller', async () => {
    const s = createOtlpSender<number>({ url: URL_ }, 'traces', () => {
      throw new Error('boom');
    });
    const r = await sendP(s, [1]);
    expect(r.code).toBe(1);
    expect(seen).toHaveLength(0);
  });

  it('shutdown flushes, then refuses', async () => {
    const s = createOtlpSender({ url: URL_ }, 'logs', enc);
    const p = sendP(s, [1]);
    await s.shutdown();
    expect(await p).toEqual({ code: 0 });
    expect((await sendP(s, [2])).code).toBe(1);
    expect(seen).toHaveLength(1);
  });
});

describe('edge: work the runtime cancelled (workerd cancels ctx.waitUntil work ~30 s after the response)', () => {
  // Fake timers that are never advanced: like workerd after the cancellation, no timer fires
  // (no abort, no retry timer). Only Date.now() moves on, between "requests".
  const frozen = (): number => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    return Date.now();
  };
  const done = (p: Promise<ExportResult>): (() => ExportResult | undefined) => {
    let r: ExportResult | undefined;
    void p.then((x) => (r = x));
    return () => r;
  };

  it('an attempt whose fetch never settles frees its slot at the next send; it is retried at a later flush', async () => {
    const t0 = frozen();
    const orig = globalThis.fetch;
    let hang = 2;
    vi.stubGlobal('fetch', (...a: Parameters<typeof fetch>) => (hang-- > 0 ? new Promise<Response>(() => {}) : orig(...a)));
    const s = createOtlpSender<number>({ url: URL_, concurrencyLimit: 2, timeoutMillis: 1000 }, 'traces', enc);
    const a = done(sendP(s, [1]));
    const b = done(sendP(s, [2]));
    const c = done(sendP(s, [3]));
    for (let i = 0; i < 2000 && hang > 0; i++) await new Promise((r) => setImmediate(r));
    expect(hang).toBe(0); // both slots taken by requests that will never answer
    expect(seen).toHaveLength(0);
    expect(c()).toBeUndefined(); // waiting for a slot
    vi.setSystemTime(t0 + 2500); // past timeout + 1 s: the next pump declares them dead
    const d = done(sendP(s, [4]));
    await arrived(2);
    expect(c()).toEqual({ code: 0 });
    expect(d()).toEqual({ code: 0 });
    expect(a()).toBeUndefined(); // backing off (its retry timer will not fire either)
    vi.setSystemTime(t0 + 60_000); // a later request: its flush sends the retries that are due
    await s.forceFlush();
    expect(a()).toEqual({ code: 0 });
    expect(b()).toEqual({ code: 0 });
    expect(seen.map((x) => (x.body as { items: number[] }).items[0]).sort()).toEqual([1, 2, 3, 4]);
    vi.unstubAllGlobals();
  });

  it('a retry whose timer never fires goes out at the next forceFlush once it is due', async () => {
    const t0 = frozen();
    answers = [() => new HttpResponse(null, { status: 503, headers: { 'Retry-After': '5' } }), () => new HttpResponse(null)];
    const s = createOtlpSender<number>({ url: URL_ }, 'traces', enc);
    const r = done(sendP(s, [1]));
    await arrived(1);
    void s.forceFlush(); // nothing due yet: sends nothing
    for (let i = 0; i < 50; i++) await new Promise((ok) => setImmediate(ok));
    expect(seen).toHaveLength(1);
    vi.setSystemTime(t0 + 5100);
    await s.forceFlush();
    expect(r()).toEqual({ code: 0 });
    expect(seen).toHaveLength(2);
  });

  it('compression that never finishes is abandoned the same way', async () => {
    const t0 = frozen();
    vi.stubGlobal(
      'CompressionStream',
      class {
        readable = new ReadableStream();
        writable = new WritableStream();
      },
    );
    const s = createOtlpSender<number>({ url: URL_, timeoutMillis: 100, concurrencyLimit: 1 }, 'traces', enc);
    const a = done(sendP(s, [1]));
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    vi.unstubAllGlobals();
    vi.setSystemTime(t0 + 1200);
    const b = done(sendP(s, [2])); // reaps [1] and takes the slot
    await arrived(1);
    expect(b()).toEqual({ code: 0 });
    vi.setSystemTime(t0 + 30_000);
    await s.forceFlush();
    expect(a()).toEqual({ code: 0 });
    expect(seen).toHaveLength(2);
  });

  it('maxRetryElapsedMillis bounds how long data is retried (a Retry-After beyond it drops at once)', async () => {
    answers = [() => new HttpResponse(null, { status: 503, headers: { 'Retry-After': '25' } })];
    const s = createOtlpSender<number>({ url: URL_, maxRetryElapsedMillis: 20_000 }, 'traces', enc);
    const r = await sendP(s, [1, 2]);
    expect(r.code).toBe(1);
    expect(s.dropped).toBe(2);
    expect(seen).toHaveLength(1);
    // within the bound it is retried as usual
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    answers = [() => new HttpResponse(null, { status: 503, headers: { 'Retry-After': '15' } }), () => new HttpResponse(null)];
    const p = sendP(s, [3]);
    await arrived(2);
    await vi.advanceTimersByTimeAsync(15_100);
    expect(await p).toEqual({ code: 0 });
    expect(seen).toHaveLength(3);
  });
});

describe('config', () => {
  it('warns once per bad key and uses safe defaults', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    server.use(http.post('http://localhost:4318/v1/metrics', () => new HttpResponse(null)));
    const s = createOtlpSender(
      { compression: 'br' as 'gzip', transport: 'xhr' as 'fetch', timeoutMillis: -1, endpoint: 5 as unknown as string },
      'metrics',
      enc,
    );
    expect(warn).toHaveBeenCalledTimes(4);
    expect(await sendP(s, [1])).toEqual({ code: 0 });
  });

  it("an empty endpoint (what the distros' check makes of an unusable one) exports nothing", async () => {
    const fetch = vi.spyOn(globalThis, 'fetch');
    const t = new OTLPTraceExporter({ endpoint: '' });
    const l = createOtlpSender({ endpoint: '' }, 'logs', enc);
    expect((await sendP(t, spans(1))).code).toBe(1);
    expect((await sendP(l, [1])).code).toBe(1);
    expect(t.dropped + l.dropped).toBe(2);
    expect(fetch).not.toHaveBeenCalled();
    // a full URL wins over it
    server.use(http.post('http://collector.test/v1/x', () => new HttpResponse(null)));
    expect(await sendP(createOtlpSender({ url: 'http://collector.test/v1/x', endpoint: '' }, 'traces', enc), [1])).toEqual({ code: 0 });
  });

  it('a full signal URL as endpoint is still the base URL (the spec)', async () => {
    const got: string[] = [];
    server.use(http.post('http://full.test/*', ({ request }) => (got.push(request.url), new HttpResponse(null))));
    expect(await sendP(new OTLPTraceExporter({ endpoint: 'http://full.test/v1/traces/', compression: 'none' }), spans(1))).toEqual({ code: 0 });
    expect(got).toEqual(['http://full.test/v1/traces/v1/traces']);
  });
});

describe('retryAfterMillis', () => {
  it('reads seconds and HTTP dates', () => {
    expect(retryAfterMillis('120')).toBe(120_000);
    expect(retryAfterMillis(' 0 ')).toBe(0);
    expect(retryAfterMillis(new Date(Date.now() + 10_000).toUTCString())).toBeGreaterThan(8000);
    expect(retryAfterMillis('Wed, 21 Oct 2015 07:28:00 GMT')).toBe(0); // past
    expect(retryAfterMillis(null)).toBeNaN();
    expect(retryAfterMillis('soon')).toBeNaN();
  });
});

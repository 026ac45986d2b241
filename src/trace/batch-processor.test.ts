import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from 'vitest';
import { diag, DiagLogLevel } from '../lib/diag';
import { BatchSpanProcessor, type BatchSpanProcessorConfig } from './batch-processor';
import type { ExportResult, ReadableSpan, SpanExporter, SpanProcessor } from './sdk-types';
import { ROOT_CONTEXT } from '../context/context';

const KEY = Symbol.for('otelite');
type LogFn = (message: string, ...args: unknown[]) => void;
let log: { error: Mock<LogFn>; warn: Mock<LogFn> };
let n = 0;

beforeEach(() => {
  delete (globalThis as { [KEY]?: unknown })[KEY];
  log = { error: vi.fn<LogFn>(), warn: vi.fn<LogFn>() };
  diag.setLogger(log, DiagLogLevel.ALL);
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

function span(sampled = true): ReadableSpan {
  const id = (++n).toString(16).padStart(16, '0');
  return {
    name: 's' + n,
    spanContext: () => ({ traceId: 'a'.repeat(32), spanId: id, traceFlags: sampled ? 1 : 0 }),
  } as unknown as ReadableSpan;
}

type Mode = 'ok' | 'fail' | 'hang' | 'throw' | { after: number };

/** An exporter that records batches and answers as `mode` says (changeable per test). */
function exporter(mode: Mode = 'ok') {
  const batches: ReadableSpan[][] = [];
  const pending: ((r: ExportResult) => void)[] = [];
  const e = {
    mode,
    batches,
    pending,
    export: vi.fn((spans: ReadableSpan[], done: (r: ExportResult) => void) => {
      batches.push(spans);
      const m = e.mode;
      if (m == 'ok') done({ code: 0 });
      else if (m == 'fail') done({ code: 1, error: new Error('collector said no') });
      else if (m == 'throw') throw new Error('exporter bug');
      else if (m == 'hang') pending.push(done);
      else setTimeout(() => done({ code: 0 }), m.after);
    }),
    shutdown: vi.fn(async () => {}),
    forceFlush: vi.fn(async () => {}),
  };
  return e satisfies SpanExporter;
}

function bsp(e: SpanExporter, config?: BatchSpanProcessorConfig): BatchSpanProcessor {
  return new BatchSpanProcessor(e, config);
}

const names = (b: ReadableSpan[][]): string[][] => b.map((x) => x.map((s) => s.name));

describe('scheduled export', () => {
  it('exports after scheduledDelayMillis (5000 by default), not before', async () => {
    const e = exporter();
    const p = bsp(e);
    p.onEnd(span());
    await vi.advanceTimersByTimeAsync(4999);
    expect(e.export).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(e.export).toHaveBeenCalledTimes(1);
    expect(e.batches[0]).toHaveLength(1);
  });

  it('uses a custom delay', async () => {
    const e = exporter();
    const p = bsp(e, { scheduledDelayMillis: 100 });
    p.onEnd(span());
    await vi.advanceTimersByTimeAsync(100);
    expect(e.export).toHaveBeenCalledTimes(1);
  });

  it('does not restart the timer for each span: spans ended within one delay go together', async () => {
    const e = exporter();
    const p = bsp(e, { scheduledDelayMillis: 1000 });
    p.onEnd(span());
    await vi.advanceTimersByTimeAsync(600);
    p.onEnd(span());
    await vi.advanceTimersByTimeAsync(400);
    expect(e.batches.map((b) => b.length)).toEqual([2]);
  });

  it('arms no timer while the queue is empty', () => {
    bsp(exporter());
    expect(vi.getTimerCount()).toBe(0);
  });

  it('with an Infinity delay, arms no timer: exports only full batches and on flush', async () => {
    const e = exporter();
    const p = bsp(e, { scheduledDelayMillis: Infinity, maxExportBatchSize: 3 });
    p.onEnd(span());
    p.onEnd(span());
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(1e9);
    expect(e.export).not.toHaveBeenCalled();
    p.onEnd(span());
    expect(e.batches.map((b) => b.length)).toEqual([3]);
    p.onEnd(span());
    await p.forceFlush();
    expect(e.batches.map((b) => b.length)).toEqual([3, 1]);
  });
});

describe('batches', () => {
  it('exports a full batch at once, synchronously in onEnd', () => {
    const e = exporter();
    const p = bsp(e, { maxExportBatchSize: 3 });
    p.onEnd(span());
    p.onEnd(span());
    expect(e.export).not.toHaveBeenCalled();
    p.onEnd(span());
    expect(e.batches.map((b) => b.length)).toEqual([3]);
  });

  it('sends the spans in the order they ended', async () => {
    const e = exporter();
    const p = bsp(e, { maxExportBatchSize: 2 });
    const spans = [span(), span(), span()];
    for (const s of spans) p.onEnd(s);
    await p.forceFlush();
    expect(e.batches.flat()).toEqual(spans);
  });

  it('leftovers after a full batch go with the timer', async () => {
    const e = exporter();
    const p = bsp(e, { maxExportBatchSize: 2, scheduledDelayMillis: 1000 });
    for (let i = 0; i < 3; i++) p.onEnd(span());
    expect(e.batches.map((b) => b.length)).toEqual([2]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(e.batches.map((b) => b.length)).toEqual([2, 1]);
  });

  it('uses 512 as the default batch size', () => {
    const e = exporter();
    const p = bsp(e);
    for (let i = 0; i < 511; i++) p.onEnd(span());
    expect(e.export).not.toHaveBeenCalled();
    p.onEnd(span());
    expect(e.batches.map((b) => b.length)).toEqual([512]);
  });

  it('never makes a batch larger than maxQueueSize', async () => {
    const e = exporter();
    const p = bsp(e, { maxQueueSize: 4, maxExportBatchSize: 10 });
    for (let i = 0; i < 4; i++) p.onEnd(span());
    await p.forceFlush();
    expect(Math.max(...e.batches.map((b) => b.length))).toBeLessThanOrEqual(4);
    expect(e.batches.flat()).toHaveLength(4);
  });

  it('ignores unsampled spans', async () => {
    const e = exporter();
    const p = bsp(e, { maxExportBatchSize: 1 });
    p.onEnd(span(false));
    await p.forceFlush();
    expect(e.export).not.toHaveBeenCalled();
  });

  it('onStart does nothing', () => {
    const e = exporter();
    const p: SpanProcessor = bsp(e);
    expect(() => p.onStart(span(), ROOT_CONTEXT)).not.toThrow();
    expect(e.export).not.toHaveBeenCalled();
  });
});

describe('bounded memory', () => {
  it('drops spans beyond maxQueueSize while an export is in flight, and counts them', async () => {
    const e = exporter('hang'); // the collector does not answer
    const p = bsp(e, { maxQueueSize: 4, maxExportBatchSize: 2, exportTimeoutMillis: 60_000 });
    for (let i = 0; i < 20; i++) p.onEnd(span());
    // at most one batch in flight, maxQueueSize waiting, the rest dropped
    const held = e.batches.flat().length;
    expect(held).toBeLessThanOrEqual(2);
    expect(p.dropped).toBe(20 - held - 4);
    expect(log.error.mock.calls.length).toBeLessThanOrEqual(1); // reported once, not per span
  });

  it('the default queue holds 2048 spans', () => {
    const e = exporter('hang');
    const p = bsp(e, { scheduledDelayMillis: Infinity });
    for (let i = 0; i < 5000; i++) p.onEnd(span());
    const held = e.batches.flat().length;
    expect(held).toBeLessThanOrEqual(512);
    expect(p.dropped).toBe(5000 - held - 2048);
  });

  it('accepts spans again once the exporter catches up', async () => {
    const e = exporter({ after: 100 });
    const p = bsp(e, { maxQueueSize: 2, maxExportBatchSize: 2, scheduledDelayMillis: 10 });
    for (let i = 0; i < 10; i++) p.onEnd(span());
    const dropped = p.dropped;
    expect(dropped).toBeGreaterThan(0);
    await vi.advanceTimersByTimeAsync(1000);
    p.onEnd(span());
    p.onEnd(span());
    const f = p.forceFlush();
    await vi.advanceTimersByTimeAsync(200);
    await f;
    expect(p.dropped).toBe(dropped);
    expect(e.batches.flat()).toHaveLength(10 - dropped + 2);
  });
});

describe('forceFlush', () => {
  it('exports everything queued, in batches of maxExportBatchSize', async () => {
    const e = exporter();
    const p = bsp(e, { maxExportBatchSize: 3, scheduledDelayMillis: 60_000 });
    for (let i = 0; i < 7; i++) p.onEnd(span());
    await p.forceFlush();
    expect(e.batches.flat()).toHaveLength(7);
    for (const b of e.batches) expect(b.length).toBeLessThanOrEqual(3);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('waits for exports in flight, including the ones it starts', async () => {
    const e = exporter({ after: 500 });
    const p = bsp(e, { maxExportBatchSize: 2 });
    p.onEnd(span());
    p.onEnd(span()); // a full batch: in flight for 500 ms
    p.onEnd(span());
    let done = false;
    const f = p.forceFlush().then(() => (done = true));
    await vi.advanceTimersByTimeAsync(499);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await f;
    expect(done).toBe(true);
    expect(e.batches.flat()).toHaveLength(3);
  });

  it("calls the exporter's forceFlush after the exports", async () => {
    const e = exporter();
    const p = bsp(e);
    p.onEnd(span());
    await p.forceFlush();
    expect(e.forceFlush).toHaveBeenCalledTimes(1);
    expect(e.export.mock.invocationCallOrder[0]).toBeLessThan(e.forceFlush.mock.invocationCallOrder[0]);
  });

  it('works with an exporter without forceFlush', async () => {
    const e = exporter();
    const { forceFlush: _, ...bare } = e;
    const p = bsp(bare);
    p.onEnd(span());
    await expect(p.forceFlush()).resolves.toBeUndefined();
    expect(e.export).toHaveBeenCalledTimes(1);
  });

  it('resolves at once with nothing to do', async () => {
    const e = exporter();
    await bsp(e).forceFlush();
    expect(e.export).not.toHaveBeenCalled();
  });
});

describe('export timeout', () => {
  it('stops waiting for an export after exportTimeoutMillis (30000 by default) and reports it', async () => {
    const e = exporter('hang');
    const p = bsp(e);
    p.onEnd(span());
    let done = false;
    const f = p.forceFlush().then(() => (done = true));
    await vi.advanceTimersByTimeAsync(29_999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await f;
    expect(done).toBe(true);
    expect(log.error).toHaveBeenCalled();
  });

  it('uses a custom timeout', async () => {
    const e = exporter('hang');
    const p = bsp(e, { exportTimeoutMillis: 100 });
    p.onEnd(span());
    const f = p.forceFlush();
    await vi.advanceTimersByTimeAsync(100);
    await expect(f).resolves.toBeUndefined();
  });

  it('an Infinity timeout waits as long as the export takes (no immediate timeout from timer overflow)', async () => {
    const e = exporter('hang');
    const p = bsp(e, { exportTimeoutMillis: Infinity });
    p.onEnd(span());
    let done = false;
    const f = p.forceFlush().then(() => (done = true));
    await vi.advanceTimersByTimeAsync(10 * 24 * 3600 * 1000);
    expect(done).toBe(false);
    e.pending[0]({ code: 0 });
    await f;
    expect(done).toBe(true);
  });

  it('a late answer after the timeout is harmless', async () => {
    const e = exporter('hang');
    const p = bsp(e, { exportTimeoutMillis: 10 });
    p.onEnd(span());
    const f = p.forceFlush();
    await vi.advanceTimersByTimeAsync(10);
    await f;
    expect(() => e.pending[0]({ code: 0 })).not.toThrow();
    expect(() => e.pending[0]({ code: 0 })).not.toThrow(); // even twice
  });
});

describe('exporter failures', () => {
  it('a failed export is reported; later spans still go', async () => {
    const e = exporter('fail');
    const p = bsp(e, { maxExportBatchSize: 1 });
    p.onEnd(span());
    await p.forceFlush();
    expect(log.error).toHaveBeenCalled();
    e.mode = 'ok';
    p.onEnd(span());
    await p.forceFlush();
    expect(e.export).toHaveBeenCalledTimes(2);
  });

  it('an exporter that throws never reaches the caller', async () => {
    const e = exporter('throw');
    const p = bsp(e, { maxExportBatchSize: 1 });
    expect(() => p.onEnd(span())).not.toThrow();
    p.onEnd(span());
    await expect(p.forceFlush()).resolves.toBeUndefined();
    expect(log.error).toHaveBeenCalled();
    e.mode = 'ok';
    p.onEnd(span());
    await p.forceFlush();
    expect(e.batches.flat()).toHaveLength(3);
  });

  it('a throwing exporter on the timer path does not throw out of the timer', async () => {
    const e = exporter('throw');
    const p = bsp(e, { scheduledDelayMillis: 10 });
    p.onEnd(span());
    await expect(vi.advanceTimersByTimeAsync(10)).resolves.not.toThrow();
    expect(e.export).toHaveBeenCalledTimes(1);
  });
});

describe('shutdown', () => {
  it('exports what is queued, then shuts the exporter down', async () => {
    const e = exporter();
    const p = bsp(e);
    p.onEnd(span());
    await p.shutdown();
    expect(e.export).toHaveBeenCalledTimes(1);
    expect(e.shutdown).toHaveBeenCalledTimes(1);
    expect(e.export.mock.invocationCallOrder[0]).toBeLessThan(e.shutdown.mock.invocationCallOrder[0]);
  });

  it('stops accepting spans', async () => {
    const e = exporter();
    const p = bsp(e, { maxExportBatchSize: 1 });
    await p.shutdown();
    p.onEnd(span());
    await p.forceFlush();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(e.export).not.toHaveBeenCalled();
  });

  it('shuts the exporter down once, even when called twice at the same time', async () => {
    const e = exporter({ after: 100 });
    const p = bsp(e);
    p.onEnd(span());
    const a = p.shutdown();
    const b = p.shutdown();
    await vi.advanceTimersByTimeAsync(100);
    await Promise.all([a, b]);
    expect(e.shutdown).toHaveBeenCalledTimes(1);
  });

  it('does not export to the exporter after its shutdown (spans ended during shutdown)', async () => {
    const e = exporter({ after: 100 });
    const p = bsp(e, { scheduledDelayMillis: 1000 });
    p.onEnd(span());
    const s = p.shutdown();
    p.onEnd(span()); // ended while the shutdown flush is in flight
    await vi.advanceTimersByTimeAsync(100);
    await s;
    const calls = e.export.mock.calls.length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(e.export.mock.calls.length).toBe(calls);
    for (const order of e.export.mock.invocationCallOrder) {
      expect(order).toBeLessThan(e.shutdown.mock.invocationCallOrder[0]);
    }
  });
});

describe('configuration', () => {
  it.each([
    ['maxQueueSize', -1],
    ['maxExportBatchSize', 0],
    ['scheduledDelayMillis', NaN],
    ['exportTimeoutMillis', 'soon'],
  ] as const)('an invalid %s (%s) warns once on the console and uses the default', (key, value) => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    bsp(exporter(), { [key]: value } as BatchSpanProcessorConfig);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toContain(key);
  });

  it('invalid values behave as the defaults', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const e = exporter();
    const p = bsp(e, {
      maxQueueSize: -5,
      maxExportBatchSize: 'big' as unknown as number,
      scheduledDelayMillis: -1,
      exportTimeoutMillis: 0,
    });
    for (let i = 0; i < 511; i++) p.onEnd(span());
    expect(e.export).not.toHaveBeenCalled();
    p.onEnd(span());
    expect(e.batches.map((b) => b.length)).toEqual([512]);
    p.onEnd(span());
    await vi.advanceTimersByTimeAsync(4999);
    expect(e.export).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(e.export).toHaveBeenCalledTimes(2);
  });

  it('valid values do not warn', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    bsp(exporter(), { maxQueueSize: 10, maxExportBatchSize: 5, scheduledDelayMillis: 1, exportTimeoutMillis: Infinity });
    bsp(exporter(), {});
    bsp(exporter());
    expect(warn).not.toHaveBeenCalled();
  });
});

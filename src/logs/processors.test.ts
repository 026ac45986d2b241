import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BatchLogRecordProcessor, SimpleLogRecordProcessor } from './processors';
import { LoggerProvider } from './provider';
import type { LogRecordExporter, ReadableLogRecord } from './sdk-types';

const KEY = Symbol.for('otelite');

function exporter(): LogRecordExporter & { batches: ReadableLogRecord[][] } {
  const batches: ReadableLogRecord[][] = [];
  return {
    batches,
    export: (records, done) => {
      batches.push(records);
      done({ code: 0 });
    },
    shutdown: vi.fn(async () => {}),
  };
}

beforeEach(() => {
  delete (globalThis as { [KEY]?: unknown })[KEY];
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('BatchLogRecordProcessor', () => {
  it('exports after 1000 ms by default (the spec default for logs)', async () => {
    const e = exporter();
    const logger = new LoggerProvider({ processors: [new BatchLogRecordProcessor(e)] }).getLogger('x');
    logger.emit({ body: 'a' });
    logger.emit({ body: 'b' });
    await vi.advanceTimersByTimeAsync(999);
    expect(e.batches).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(e.batches.map((b) => b.map((r) => r.body))).toEqual([['a', 'b']]);
  });

  it('honours its bounds and options', async () => {
    const e = exporter();
    const p = new BatchLogRecordProcessor(e, { maxQueueSize: 4, maxExportBatchSize: 2, scheduledDelayMillis: Infinity });
    const logger = new LoggerProvider({ processors: [p] }).getLogger('x');
    for (let i = 0; i < 5; i++) logger.emit({ body: i });
    await vi.advanceTimersByTimeAsync(0);
    expect(e.batches.map((b) => b.map((r) => r.body))).toEqual([[0, 1], [2, 3]]);
    expect(vi.getTimerCount()).toBe(0);
    await p.forceFlush();
    expect(e.batches.map((b) => b.map((r) => r.body))).toEqual([[0, 1], [2, 3], [4]]);
  });

  it('provider.shutdown flushes it and shuts the exporter down', async () => {
    const e = exporter();
    const provider = new LoggerProvider({ processors: [new BatchLogRecordProcessor(e)] });
    provider.getLogger('x').emit({ body: 'last' });
    await provider.shutdown();
    expect(e.batches.map((b) => b.map((r) => r.body))).toEqual([['last']]);
    expect(e.shutdown).toHaveBeenCalledTimes(1);
  });
});

describe('SimpleLogRecordProcessor', () => {
  it('exports each record at once, alone, one export at a time, with no timer', async () => {
    const e = exporter();
    const logger = new LoggerProvider({ processors: [new SimpleLogRecordProcessor(e)] }).getLogger('x');
    logger.emit({ body: 1 });
    expect(e.batches.map((b) => b.map((r) => r.body))).toEqual([[1]]);
    logger.emit({ body: 2 });
    logger.emit({ body: 3 });
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(e.batches.map((b) => b.map((r) => r.body))).toEqual([[1], [2], [3]]);
  });

  it('forceFlush waits for exports in flight', async () => {
    let release!: () => void;
    const e: LogRecordExporter = {
      export: (_r, done) => {
        release = () => done({ code: 0 });
      },
      shutdown: async () => {},
    };
    const p = new SimpleLogRecordProcessor(e);
    new LoggerProvider({ processors: [p] }).getLogger('x').emit({});
    let flushed = false;
    const f = p.forceFlush().then(() => (flushed = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(flushed).toBe(false);
    release();
    await f;
    expect(flushed).toBe(true);
  });
});

import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from 'vitest';
import { diag, DiagLogLevel } from '../lib/diag';
import type { ExportResult, ReadableSpan, SpanExporter } from './sdk-types';
import { SimpleSpanProcessor } from './simple-processor';

const KEY = Symbol.for('otelite');
type LogFn = (message: string, ...args: unknown[]) => void;
let log: { error: Mock<LogFn> };

beforeEach(() => {
  delete (globalThis as { [KEY]?: unknown })[KEY];
  log = { error: vi.fn<LogFn>() };
  diag.setLogger(log, DiagLogLevel.ALL);
});
afterEach(() => {
  vi.useRealTimers();
});

const span = (sampled = true): ReadableSpan =>
  ({ name: 's', spanContext: () => ({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: sampled ? 1 : 0 }) }) as unknown as ReadableSpan;

function exporter(answer: (done: (r: ExportResult) => void) => void = (done) => done({ code: 0 })) {
  return {
    export: vi.fn((_spans: ReadableSpan[], done: (r: ExportResult) => void) => answer(done)),
    shutdown: vi.fn(async () => {}),
    forceFlush: vi.fn(async () => {}),
  } satisfies SpanExporter;
}

describe('SimpleSpanProcessor', () => {
  it('exports each sampled span on its own, synchronously at end', () => {
    const e = exporter();
    const p = new SimpleSpanProcessor(e);
    const a = span();
    const b = span();
    p.onEnd(a);
    expect(e.export).toHaveBeenCalledTimes(1);
    expect(e.export.mock.calls[0][0]).toEqual([a]);
    p.onEnd(b);
    expect(e.export.mock.calls[1][0]).toEqual([b]);
  });

  it('ignores unsampled spans; onStart does nothing', () => {
    const e = exporter();
    const p = new SimpleSpanProcessor(e);
    p.onStart();
    p.onEnd(span(false));
    expect(e.export).not.toHaveBeenCalled();
  });

  it('forceFlush waits for the exports in flight, then flushes the exporter', async () => {
    vi.useFakeTimers();
    const e = exporter((done) => setTimeout(() => done({ code: 0 }), 100));
    const p = new SimpleSpanProcessor(e);
    p.onEnd(span());
    let done = false;
    const f = p.forceFlush().then(() => (done = true));
    await vi.advanceTimersByTimeAsync(99);
    expect(done).toBe(false);
    expect(e.forceFlush).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    await f;
    expect(e.forceFlush).toHaveBeenCalledTimes(1);
  });

  it('reports a failed export and an exporter that throws, never throwing itself', async () => {
    const failing = new SimpleSpanProcessor(exporter((done) => done({ code: 1, error: new Error('no') })));
    failing.onEnd(span());
    await failing.forceFlush();
    const throwing = new SimpleSpanProcessor(
      exporter(() => {
        throw new Error('bug');
      }),
    );
    expect(() => throwing.onEnd(span())).not.toThrow();
    await expect(throwing.forceFlush()).resolves.toBeUndefined();
    expect(log.error).toHaveBeenCalledTimes(2);
  });

  it('works with an exporter without forceFlush', async () => {
    const { forceFlush: _, ...bare } = exporter();
    const p = new SimpleSpanProcessor(bare);
    p.onEnd(span());
    await expect(p.forceFlush()).resolves.toBeUndefined();
  });

  it('shutdown flushes, then shuts the exporter down', async () => {
    const e = exporter();
    const p = new SimpleSpanProcessor(e);
    p.onEnd(span());
    await p.shutdown();
    expect(e.forceFlush).toHaveBeenCalledTimes(1);
    expect(e.shutdown).toHaveBeenCalledTimes(1);
  });

  it('after shutdown, ended spans are ignored and the exporter is shut down only once', async () => {
    const e = exporter();
    const p = new SimpleSpanProcessor(e);
    await p.shutdown();
    p.onEnd(span());
    await p.shutdown();
    expect(e.export).not.toHaveBeenCalled();
    expect(e.shutdown).toHaveBeenCalledTimes(1);
  });
});

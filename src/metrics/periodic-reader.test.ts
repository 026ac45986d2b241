import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { diag } from '../lib/diag';
import { PeriodicExportingMetricReader } from './periodic-reader';
import { MeterProvider } from './provider';
import type { PushMetricExporter, ResourceMetrics } from './sdk-types';
import { InMemoryMetricExporter } from './testing';

/*
 * A page, as far as page-exit.ts can tell: a `document` with a visibility state, and window
 * listeners (page-exit.ts installs its listeners with the global `addEventListener`, once).
 */
const listeners: Record<string, Array<() => void>> = {};
const doc = { visibilityState: 'visible' };
beforeAll(() => {
  vi.stubGlobal('document', doc);
  vi.stubGlobal('addEventListener', (type: string, fn: () => void) => (listeners[type] ||= []).push(fn));
});
afterAll(() => {
  vi.unstubAllGlobals();
});
const fire = (type: string): void => listeners[type]?.forEach((f) => f());
/** A navigation away, in Chromium's order (FACTS.md): pagehide, then visibilitychange to hidden. */
const navigateAway = (between?: () => void): void => {
  fire('pagehide');
  between?.();
  doc.visibilityState = 'hidden';
  fire('visibilitychange');
};

beforeEach(() => {
  vi.useFakeTimers({ now: 1_700_000_000_000 });
  doc.visibilityState = 'visible';
  fire('pageshow');
});
afterEach(() => {
  vi.useRealTimers();
  diag.disable();
});

function setup(exporter: PushMetricExporter, o: { exportIntervalMillis?: number; exportTimeoutMillis?: number } = {}) {
  const reader = new PeriodicExportingMetricReader({ exporter, ...o });
  const provider = new MeterProvider({ readers: [reader] });
  const meter = provider.getMeter('m');
  return { reader, provider, meter };
}

const sums = (rm: ResourceMetrics): Record<string, unknown> =>
  Object.fromEntries(rm.scopeMetrics[0].metrics.map((m) => [m.descriptor.name, m.dataPoints.map((p) => p.value)]));

/** An exporter that never reports back (a request still in flight). */
const hanging = (): PushMetricExporter & { got: ResourceMetrics[] } => {
  const got: ResourceMetrics[] = [];
  return { got, export: (m) => void got.push(m), shutdown: vi.fn(async () => {}), forceFlush: vi.fn(async () => {}) };
};

describe('PeriodicExportingMetricReader', () => {
  it('exports every interval (default 60 s), skipping empty collections', async () => {
    const exporter = new InMemoryMetricExporter();
    const { meter, provider } = setup(exporter);
    await vi.advanceTimersByTimeAsync(60000);
    expect(exporter.getMetrics()).toHaveLength(0); // nothing recorded: nothing sent
    const c = meter.createCounter('c');
    c.add(1);
    await vi.advanceTimersByTimeAsync(59999);
    expect(exporter.getMetrics()).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(exporter.getMetrics().map(sums)).toEqual([{ c: [1] }]);
    c.add(1);
    await vi.advanceTimersByTimeAsync(60000);
    expect(exporter.getMetrics().map(sums)).toEqual([{ c: [1] }, { c: [2] }]);
    await provider.shutdown();
  });

  it('takes the temporality from the exporter', async () => {
    const exporter = new InMemoryMetricExporter('delta');
    const { meter, reader } = setup(exporter, { exportIntervalMillis: 1000 });
    expect(reader.selectAggregationTemporality('COUNTER')).toBe(0);
    expect(reader.selectAggregationTemporality('UP_DOWN_COUNTER')).toBe(1);
    const c = meter.createCounter('c');
    c.add(1);
    await vi.advanceTimersByTimeAsync(1000);
    c.add(5);
    await vi.advanceTimersByTimeAsync(1000);
    expect(exporter.getMetrics().map(sums)).toEqual([{ c: [1] }, { c: [5] }]);
  });

  it('with exportIntervalMillis Infinity starts no timer: exports on forceFlush and shutdown only', async () => {
    const exporter = new InMemoryMetricExporter();
    const flush = vi.spyOn(exporter, 'forceFlush');
    const down = vi.spyOn(exporter, 'shutdown');
    const before = vi.getTimerCount();
    const { meter, provider } = setup(exporter, { exportIntervalMillis: Infinity });
    expect(vi.getTimerCount()).toBe(before);
    const c = meter.createCounter('c');
    c.add(1);
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(exporter.getMetrics()).toHaveLength(0);
    await provider.forceFlush();
    expect(exporter.getMetrics().map(sums)).toEqual([{ c: [1] }]);
    expect(flush).toHaveBeenCalledTimes(1);
    c.add(1);
    await provider.shutdown();
    expect(exporter.getMetrics().map(sums)).toEqual([{ c: [1] }, { c: [2] }]);
    expect(down).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(before); // no timer left behind (edge workers)
    await provider.shutdown(); // once only
    expect(down).toHaveBeenCalledTimes(1);
  });

  it('exports synchronously at pagehide and again at visibilitychange, even with the first export in flight', async () => {
    const exporter = hanging();
    const { meter } = setup({ ...exporter, selectAggregationTemporality: () => 0 }); // delta
    const h = meter.createHistogram('lcp');
    h.record(1200);
    navigateAway(() => {
      // what web-vitals does at visibilitychange, before our window listener runs
      meter.createHistogram('inp').record(80);
    });
    // no await: both exports were handed over inside the event handlers
    expect(exporter.got).toHaveLength(2);
    expect(Object.keys(sums(exporter.got[0]))).toEqual(['lcp']);
    expect(sums(exporter.got[1])).toEqual({ inp: [expect.objectContaining({ count: 1, sum: 80 })] });
  });

  it('cumulative: the second page-exit export repeats everything, with what came in between', () => {
    const exporter = hanging();
    const { meter } = setup(exporter);
    const c = meter.createCounter('c');
    c.add(1);
    navigateAway(() => c.add(1));
    expect(exporter.got.map(sums)).toEqual([{ c: [1] }, { c: [2] }]);
  });

  it('stops listening for page exit at shutdown', async () => {
    const exporter = new InMemoryMetricExporter();
    const { meter, provider } = setup(exporter);
    meter.createCounter('c').add(1);
    await provider.shutdown();
    const n = exporter.getMetrics().length;
    navigateAway();
    expect(exporter.getMetrics()).toHaveLength(n);
  });

  it('bounds an export by exportTimeoutMillis and reports it', async () => {
    const error = vi.fn();
    diag.setLogger({ error }, 9999);
    const exporter = hanging();
    const { meter, reader } = setup(exporter, { exportTimeoutMillis: 500 });
    meter.createCounter('c').add(1);
    let done = false;
    reader.forceFlush().then(() => (done = true));
    await vi.advanceTimersByTimeAsync(499);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
    expect(error).toHaveBeenCalledWith('otelite: metrics export failed', expect.objectContaining({ message: 'timeout' }));
  });

  it('exportTimeoutMillis Infinity: no limit', async () => {
    let done: ((r: { code: 0 }) => void) | undefined;
    const { meter, reader } = setup(
      { export: (_m, d) => void (done = d), shutdown: async () => {} },
      { exportTimeoutMillis: Infinity, exportIntervalMillis: Infinity },
    );
    meter.createObservableGauge('g').addCallback(async (r) => {
      await new Promise((ok) => setTimeout(ok, 100_000));
      r.observe(1);
    });
    let flushed = false;
    reader.forceFlush().then(() => (flushed = true));
    await vi.advanceTimersByTimeAsync(100_000); // the callback is waited for, however long
    expect(done).toBeTypeOf('function');
    await vi.advanceTimersByTimeAsync(1_000_000);
    expect(flushed).toBe(false); // and so is the export
    done!({ code: 0 });
    await vi.advanceTimersByTimeAsync(0);
    expect(flushed).toBe(true);
  });

  it('runs timer exports one at a time: a slow export delays the next', async () => {
    let inFlight = 0;
    let most = 0;
    const calls: number[] = [];
    const exporter: PushMetricExporter = {
      export(_m, done) {
        calls.push(Date.now());
        most = Math.max(most, ++inFlight);
        setTimeout(() => {
          inFlight--;
          done({ code: 0 });
        }, 1500);
      },
      shutdown: async () => {},
    };
    const { meter, reader } = setup(exporter, { exportIntervalMillis: 1000, exportTimeoutMillis: 5000 });
    meter.createCounter('c').add(1);
    await vi.advanceTimersByTimeAsync(5000);
    expect(most).toBe(1);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    // waiting flushes share one export: four calls while one runs make one more export, not four
    const n = calls.length;
    const all = Promise.all([reader.forceFlush(), reader.forceFlush(), reader.forceFlush(), reader.forceFlush()]);
    await vi.advanceTimersByTimeAsync(1600);
    const after = calls.length;
    await vi.advanceTimersByTimeAsync(1600);
    await all;
    // at most the running export and one more for all four calls (plus a timer tick that joined it)
    expect(after - n).toBeLessThanOrEqual(2);
  });

  it('catches an exporter that throws or fails', async () => {
    const error = vi.fn();
    diag.setLogger({ error }, 9999);
    const { meter, reader } = setup({
      export() {
        throw new Error('bad exporter');
      },
      shutdown: async () => {},
    });
    meter.createCounter('c').add(1);
    await expect(reader.forceFlush()).resolves.toBeUndefined();
    expect(() => navigateAway()).not.toThrow();
    expect(error).toHaveBeenCalledWith('otelite: metrics export failed', expect.objectContaining({ message: 'bad exporter' }));
    const failing = setup({ export: (_m, done) => done({ code: 1, error: new Error('503') }), shutdown: async () => {} });
    failing.meter.createCounter('c').add(1);
    await failing.reader.forceFlush();
    expect(error).toHaveBeenCalledWith('otelite: metrics export failed', expect.objectContaining({ message: '503' }));
  });

  it('warns about bad options and uses the defaults', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const before = vi.getTimerCount();
    setup(new InMemoryMetricExporter(), { exportIntervalMillis: -5, exportTimeoutMillis: 0 });
    expect(warn).toHaveBeenCalledWith('otelite: invalid exportIntervalMillis -5; using 60000');
    expect(warn).toHaveBeenCalledWith('otelite: invalid exportTimeoutMillis 0; using 30000');
    expect(vi.getTimerCount()).toBe(before + 1);
    warn.mockRestore();
  });

  it('serves one provider only', () => {
    const warn = vi.fn();
    diag.setLogger({ warn }, 9999);
    const reader = new PeriodicExportingMetricReader({ exporter: new InMemoryMetricExporter(), exportIntervalMillis: Infinity });
    new MeterProvider({ readers: [reader] });
    new MeterProvider({ readers: [reader] });
    expect(warn).toHaveBeenCalledWith('otelite: reader already in use');
  });

  it('survives a runtime where timers cannot start (workerd global scope)', () => {
    const warn = vi.fn();
    diag.setLogger({ warn }, 9999);
    const real = globalThis.setInterval;
    vi.stubGlobal('setInterval', () => {
      throw new Error('Disallowed operation called within global scope');
    });
    try {
      expect(() => setup(new InMemoryMetricExporter())).not.toThrow();
      expect(warn).toHaveBeenCalledWith('otelite: no export timer', expect.any(Error));
    } finally {
      vi.stubGlobal('setInterval', real);
    }
  });
});

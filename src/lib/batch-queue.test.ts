import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BatchConfig, BatchExporter } from './batch-queue';
import { diag, DiagLogLevel } from './diag';

/*
 * The queue registers a page-exit hook, and page-exit.ts keeps module state: each test gets fresh
 * modules and, where it needs one, a fake browser (a `document` and globalThis as event target).
 */

const KEY = Symbol.for('otelite');
type Mod = typeof import('./batch-queue');

class Exp implements BatchExporter<number> {
  batches: number[][] = [];
  /** when set, `done` is held until `release` */
  hold = false;
  held: Array<() => void> = [];
  shut = 0;
  flushed = 0;
  export(items: number[], done: (r: { code: number; error?: unknown }) => void): void {
    this.batches.push(items);
    if (this.hold) this.held.push(() => done({ code: 0 }));
    else done({ code: 0 });
  }
  release(): void {
    for (const f of this.held.splice(0)) f();
  }
  async shutdown(): Promise<void> {
    this.shut++;
  }
  async forceFlush(): Promise<void> {
    this.flushed++;
  }
}

async function queue(config: BatchConfig = {}, delay = 1000): Promise<{ q: { add(n: number): void } & InstanceType<Mod['BatchQueue']>; e: Exp }> {
  vi.resetModules();
  const { BatchQueue } = await import('./batch-queue');
  class Q extends BatchQueue<number> {
    override add(n: number): void {
      super.add(n);
    }
  }
  const e = new Exp();
  return { q: new Q(e, config, delay, 'test'), e };
}

let warn: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  delete (globalThis as { [KEY]?: unknown })[KEY];
  vi.useFakeTimers();
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  warn.mockRestore();
});

describe('BatchQueue', () => {
  it('keeps nothing of finished exports (forceFlush waits on one chain, not a growing nest)', async () => {
    const { q, e } = await queue({ maxExportBatchSize: 1 });
    for (let i = 0; i < 5; i++) q.add(i);
    await q.forceFlush();
    expect(e.batches).toEqual([[0], [1], [2], [3], [4]]);
    // what forceFlush waits on settles with nothing: earlier exports' results are not kept
    expect(await (q as unknown as { f: Promise<unknown> }).f).toBeUndefined();
  });

  it('exports after the scheduled delay, all queued items in one batch', async () => {
    const { q, e } = await queue({}, 1000);
    q.add(1);
    q.add(2);
    await vi.advanceTimersByTimeAsync(999);
    expect(e.batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(e.batches).toEqual([[1, 2]]);
    q.add(3);
    await vi.advanceTimersByTimeAsync(1000);
    expect(e.batches).toEqual([[1, 2], [3]]);
  });

  it('exports a full batch at once, without waiting for the timer', async () => {
    const { q, e } = await queue({ maxExportBatchSize: 2 });
    q.add(1);
    q.add(2);
    expect(e.batches).toEqual([[1, 2]]);
    q.add(3);
    expect(e.batches).toEqual([[1, 2]]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(e.batches).toEqual([[1, 2], [3]]);
  });

  it('is bounded: one export in flight, the queue capped, the rest dropped, counted, reported once', async () => {
    const log = { error: vi.fn<(m: string, ...a: unknown[]) => void>() };
    diag.setLogger(log, DiagLogLevel.ALL);
    const { q, e } = await queue({ maxQueueSize: 3, maxExportBatchSize: 3, scheduledDelayMillis: Infinity });
    e.hold = true;
    for (let i = 0; i < 10; i++) q.add(i);
    // 0..2 leave as a full batch; 3..5 wait while it is in flight (no concurrent export); 6..9 drop
    expect(e.batches).toEqual([[0, 1, 2]]);
    expect(q.dropped).toBe(4);
    expect(log.error).toHaveBeenCalledTimes(1);
    e.release();
    await vi.advanceTimersByTimeAsync(0);
    expect(e.batches).toEqual([[0, 1, 2], [3, 4, 5]]);
    diag.disable();
  });

  it('exports the next full batch as soon as the one in flight ends', async () => {
    const { q, e } = await queue({ maxQueueSize: 100, maxExportBatchSize: 2 });
    e.hold = true;
    for (let i = 0; i < 5; i++) q.add(i);
    expect(e.batches).toEqual([[0, 1]]);
    e.release();
    await vi.advanceTimersByTimeAsync(0);
    expect(e.batches).toEqual([[0, 1], [2, 3]]);
    e.release();
    await vi.advanceTimersByTimeAsync(0);
    // a partial batch waits for the timer
    expect(e.batches).toEqual([[0, 1], [2, 3]]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(e.batches).toEqual([[0, 1], [2, 3], [4]]);
  });

  it('never holds more than maxQueueSize while exports are slow', async () => {
    const { q, e } = await queue({ maxQueueSize: 5, maxExportBatchSize: 5, scheduledDelayMillis: Infinity });
    e.hold = true;
    for (let i = 0; i < 100; i++) q.add(i);
    expect(q.dropped).toBe(90);
    expect(e.batches.flat().length).toBe(5);
  });

  it('caps the batch size at the queue size', async () => {
    const { q, e } = await queue({ maxQueueSize: 2, maxExportBatchSize: 512 });
    q.add(1);
    q.add(2);
    expect(e.batches).toEqual([[1, 2]]);
  });

  it('with scheduledDelayMillis Infinity sets no timer at all', async () => {
    const { q, e } = await queue({ scheduledDelayMillis: Infinity, exportTimeoutMillis: Infinity });
    q.add(1);
    expect(vi.getTimerCount()).toBe(0);
    await q.forceFlush();
    expect(e.batches).toEqual([[1]]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('forceFlush exports everything in batches and waits for exports in flight', async () => {
    const { q, e } = await queue({ maxExportBatchSize: 2 });
    e.hold = true;
    for (let i = 0; i < 5; i++) q.add(i);
    let done = false;
    const p = q.forceFlush().then(() => (done = true));
    expect(e.batches).toEqual([[0, 1], [2, 3], [4]]);
    await Promise.resolve();
    expect(done).toBe(false);
    e.release();
    await p;
    expect(done).toBe(true);
    expect(e.flushed).toBe(1);
  });

  it('an export that never calls back times out after exportTimeoutMillis', async () => {
    const { q, e } = await queue({ exportTimeoutMillis: 50 });
    e.hold = true;
    q.add(1);
    const p = q.forceFlush();
    await vi.advanceTimersByTimeAsync(50);
    await expect(p).resolves.toBeUndefined();
  });

  it('an exporter that throws or fails does not throw into the caller', async () => {
    const { q, e } = await queue({ maxExportBatchSize: 1 });
    e.export = () => {
      throw new Error('boom');
    };
    expect(() => q.add(1)).not.toThrow();
    await expect(q.forceFlush()).resolves.toBeUndefined();
    e.export = (_i, done) => done({ code: 1, error: new Error('x') });
    expect(() => q.add(2)).not.toThrow();
    await expect(q.forceFlush()).resolves.toBeUndefined();
  });

  it('shutdown flushes, shuts the exporter down once, and ignores later items', async () => {
    const { q, e } = await queue();
    q.add(1);
    await q.shutdown();
    await q.shutdown();
    expect(e.batches).toEqual([[1]]);
    expect(e.shut).toBe(1);
    q.add(2);
    await q.forceFlush();
    expect(e.batches).toEqual([[1]]);
  });

  it('warns once per bad option and uses the default', async () => {
    const { q, e } = await queue({ maxQueueSize: -1, scheduledDelayMillis: 'soon' as unknown as number });
    expect(warn).toHaveBeenCalledTimes(2);
    expect(warn.mock.calls[0][0]).toContain('maxQueueSize');
    q.add(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(e.batches).toEqual([[1]]);
  });

  it('exports everything synchronously at each page exit (pagehide, then hidden)', async () => {
    const target = new EventTarget();
    const doc = { visibilityState: 'visible' as DocumentVisibilityState };
    vi.stubGlobal('document', doc);
    vi.stubGlobal('addEventListener', target.addEventListener.bind(target));
    const { q, e } = await queue({ maxExportBatchSize: 2 });
    e.hold = true; // the first exit's exports are still in flight at the second
    q.add(1);
    q.add(2);
    q.add(3);
    target.dispatchEvent(new Event('pagehide'));
    expect(e.batches).toEqual([[1, 2], [3]]);
    q.add(4); // e.g. a web vital reported at hidden, after pagehide
    doc.visibilityState = 'hidden';
    target.dispatchEvent(new Event('visibilitychange'));
    expect(e.batches).toEqual([[1, 2], [3], [4]]);
  });
});

describe('BatchQueue when the runtime cancels an export (workerd after waitUntil)', () => {
  /**
   * Runs `body` with a queue whose exporter never calls back, a clock the test moves (`at(ms)`,
   * from the start) and timers as `timers` says (none fire by default: cancelled by the runtime).
   */
  async function stuck(
    config: BatchConfig,
    body: (q: { push(n: number): void; forceFlush(): Promise<void> }, calls: number[][], at: (ms: number) => void) => Promise<void>,
    timers: typeof setTimeout = (() => 0) as unknown as typeof setTimeout,
  ): Promise<void> {
    const calls: number[][] = [];
    const exporter = { export: (items: number[]) => void calls.push(items), shutdown: async () => {} };
    const realSetTimeout = globalThis.setTimeout;
    const t0 = Date.now();
    let now = t0;
    const spy = vi.spyOn(Date, 'now').mockImplementation(() => now);
    globalThis.setTimeout = timers;
    try {
      vi.resetModules();
      const { BatchQueue } = await import('./batch-queue');
      class Q extends BatchQueue<number> {
        push(n: number): void {
          this.add(n);
        }
      }
      await body(new Q(exporter, config, config.scheduledDelayMillis ?? Infinity, 'test'), calls, (ms) => (now = t0 + ms));
    } finally {
      globalThis.setTimeout = realSetTimeout;
      spy.mockRestore();
    }
  }

  it('gives up on an export past its deadline whose timer never fired, so flushes go on', () =>
    stuck({ scheduledDelayMillis: Infinity, exportTimeoutMillis: 1000 }, async (q, calls, at) => {
      q.push(1);
      const first = q.forceFlush();
      let settled = false;
      void first.then(() => (settled = true));
      await Promise.resolve();
      expect(settled).toBe(false);
      at(1001); // past the deadline: the next flush (a later request's) reaps the stuck export
      q.push(2);
      const second = q.forceFlush();
      await first;
      at(2002);
      await q.forceFlush();
      await second;
      expect(calls).toEqual([[1], [2]]);
    }));

  it('gives up on a stuck regular export once a full batch waits behind it, without a flush', () =>
    stuck({ maxExportBatchSize: 2, exportTimeoutMillis: 1000 }, async (q, calls, at) => {
      q.push(1);
      q.push(2); // a full batch: the regular export starts, and never calls back
      at(1001);
      q.push(3); // not a full batch yet: waits
      await Promise.resolve();
      expect(calls).toEqual([[1, 2]]);
      q.push(4); // a full batch waits behind the stuck export: it is given up, the batch goes
      for (let i = 0; i < 5; i++) await Promise.resolve();
      expect(calls).toEqual([[1, 2], [3, 4]]);
    }));

  it('gives up on a stuck regular export when the schedule timer fires past its deadline', () => {
    // the schedule timer (100 ms) fires when the test says; the export's timeout timer never does
    const due: (() => void)[] = [];
    const timers = ((fn: (...a: unknown[]) => void, ms: number, ...a: unknown[]) => (ms == 100 && due.push(() => fn(...a)), 0)) as unknown as typeof setTimeout;
    return stuck(
      { maxExportBatchSize: 512, scheduledDelayMillis: 100, exportTimeoutMillis: 1000 },
      async (q, calls, at) => {
        q.push(1);
        due.shift()!(); // the timer exports [1], which never calls back
        expect(calls).toEqual([[1]]);
        q.push(2); // far from a full batch: waits, and the timer is armed again
        due.shift()!(); // before the deadline: still waiting
        expect(calls).toEqual([[1]]);
        at(1001);
        due.shift()!(); // past it: the stuck export is given up
        for (let i = 0; i < 5; i++) await Promise.resolve();
        due.shift()!(); // and the next tick exports what waited
        expect(calls).toEqual([[1], [2]]);
      },
      timers,
    );
  });
});

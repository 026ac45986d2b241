import { report, reportOnce, warnConfig } from './diag';
import { onPageExit } from './page-exit';

/**
 * Queue bounds and timing of a batch processor (spans or log records). The defaults are the
 * specification's, except `scheduledDelayMillis`, whose default each signal picks.
 */
export interface BatchConfig {
  /** Items kept waiting at most (2048); more are dropped and counted. */
  maxQueueSize?: number;
  /** Items per export at most (512; never more than `maxQueueSize`). */
  maxExportBatchSize?: number;
  /**
   * Delay between exports (5000 ms for spans, 1000 ms for log records). `Infinity`: export only
   * when a batch is full, on `forceFlush` and at page exit (edge workers, where timers must not
   * outlive a request).
   */
  scheduledDelayMillis?: number;
  /** How long an export may take (30000 ms). `Infinity`: no limit, and no timer per export. */
  exportTimeoutMillis?: number;
}

/**
 * What a batch queue sends to: the shape `SpanExporter` and `LogRecordExporter` share
 * (otel-js's callback-style `export`).
 */
export interface BatchExporter<T> {
  /** Sends `items`, then calls `done` exactly once. */
  export(items: T[], done: (result: { code: number; error?: unknown }) => void): void;
  /** Stops the exporter after sending what it holds. */
  shutdown(): Promise<void>;
  /** Sends what it holds. */
  forceFlush?(): Promise<void>;
}

function positive(config: BatchConfig, key: keyof BatchConfig, d: number): number {
  const v = config[key];
  if (v === undefined) return d;
  if (typeof v == 'number' && v > 0) return v;
  warnConfig(key, v, d);
  return d;
}

/**
 * The engine of the batch processors: queues items and exports them in batches, on a timer,
 * when a batch is full, on `forceFlush`, and (in browsers) synchronously when the page hides, so
 * that the exporter can send them with a request that survives the unload. Memory is bounded:
 * `maxQueueSize` items wait, one batch is in flight (plus what `forceFlush` and page exit hand
 * over at once); what does not fit is dropped and counted in {@link BatchQueue.dropped}.
 *
 * A processor extends it and calls {@link BatchQueue.add} from its `onEnd`/`onEmit`.
 */
export class BatchQueue<T> {
  /** Items dropped because the queue was full. */
  dropped = 0;
  private q: T[] = [];
  private readonly max: number;
  private readonly batch: number;
  private readonly delay: number;
  private readonly timeout: number;
  private timer?: ReturnType<typeof setTimeout>;
  private readonly flying = new Set<Promise<void>>();
  private readonly off: () => void;
  private down = false;
  private busy = false;

  /**
   * @param e - where items go
   * @param config - queue bounds and timing
   * @param delay - the signal's default `scheduledDelayMillis`
   * @param k - the signal's prefix of diagnostic keys (`bsp`, `blrp`)
   */
  constructor(
    private readonly e: BatchExporter<T>,
    config: BatchConfig,
    delay: number,
    private readonly k: string,
  ) {
    this.max = positive(config, 'maxQueueSize', 2048);
    this.batch = Math.min(positive(config, 'maxExportBatchSize', 512), this.max);
    this.delay = positive(config, 'scheduledDelayMillis', delay);
    this.timeout = positive(config, 'exportTimeoutMillis', 30000);
    this.off = onPageExit(() => this.drain());
  }

  /** Queues `item`; exports a batch at once when one is full. Ignored after shutdown. */
  protected add(item: T): void {
    if (this.down) return;
    if (this.q.length >= this.max) {
      this.dropped++;
      reportOnce(this.k + '.full', 'export queue full; dropping ' + this.k);
      return;
    }
    this.q.push(item);
    this.next();
  }

  /**
   * Exports a full batch now, or makes sure the timer will export a partial one. Only one regular
   * export is in flight at a time (the specification does not let a processor call `export`
   * concurrently): while it runs, items wait in the queue, which is what makes `maxQueueSize` a
   * real bound when the collector is slow or down.
   */
  private next(): void {
    if (this.busy || !this.q.length) return;
    if (this.q.length >= this.batch) this.one();
    else if (!this.timer && this.delay < Infinity) {
      this.timer = setTimeout(() => this.one(), this.delay);
      // Node: a pending export must not keep the process alive by itself
      (this.timer as { unref?: () => void }).unref?.();
    }
  }

  /** Starts the one regular export, of one batch; when it ends, the next one is considered. */
  private one(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.busy || !this.q.length) return; // the export in flight calls next() when it ends
    this.busy = true;
    this.send(this.q.splice(0, this.batch)).then(() => {
      this.busy = false;
      this.next();
    });
  }

  /**
   * Starts exports of everything queued, now and synchronously (page exit needs the exporter
   * called before the handler returns), whatever is in flight: a second page-exit flush
   * (`visibilitychange` after `pagehide`) must send what was queued in between, not wait.
   */
  private drain(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.q.length) this.send(this.q.splice(0, this.batch));
  }

  /** One export; the promise settles when the exporter reports back or times out, never rejects. */
  private send(items: T[]): Promise<void> {
    const p = new Promise<void>((resolve) => {
      const t = this.timeout < Infinity ? setTimeout(() => end({ code: 1, error: 'timeout' }), this.timeout) : 0;
      const end = (r: { code: number; error?: unknown }): void => {
        clearTimeout(t);
        if (r.code) report(0, 'export failed', r.error);
        resolve();
      };
      try {
        this.e.export(items, end);
      } catch (error) {
        end({ code: 1, error });
      }
    });
    this.flying.add(p);
    p.then(() => this.flying.delete(p));
    return p;
  }

  /** Exports everything queued and waits for every export in flight. */
  async forceFlush(): Promise<void> {
    this.drain();
    await Promise.all(this.flying);
    await this.e.forceFlush?.();
  }

  /** Flushes, stops accepting items, and shuts the exporter down. Idempotent. */
  async shutdown(): Promise<void> {
    if (this.down) return;
    this.down = true;
    this.off();
    await this.forceFlush();
    await this.e.shutdown();
  }
}

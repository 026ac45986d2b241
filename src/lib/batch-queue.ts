import { numberOption, report, reportOnce } from './diag';
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

type Result = { code: number; error?: unknown };
/** An export's `done` callback, carrying the export's deadline. */
type End = ((r: Result) => void) & { d?: number };
const TIMEOUT: Result = { code: 1, error: 'timeout' };

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
  /** settles when every export started so far has */
  private f: Promise<unknown> = Promise.resolve();
  /** the timer of the next scheduled export */
  private t?: ReturnType<typeof setTimeout>;
  /** a regular export is in flight */
  private b?: boolean;
  /** shut down */
  private d?: boolean;
  /** maxQueueSize, maxExportBatchSize, scheduledDelayMillis, exportTimeoutMillis */
  private m: number;
  private n: number;
  private w: number;
  private o: number;
  /** removes the page-exit hook */
  private x: () => void;
  /** the `done` callbacks of the exports in flight, each with its deadline (epoch ms) */
  private s = new Set<End>();

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
    // every option is a number > 0 (5e-324 is Number.MIN_VALUE)
    const positive = (key: keyof BatchConfig, d: number): number => numberOption(config, key, d, 5e-324);
    this.m = positive('maxQueueSize', 2048);
    this.n = Math.min(positive('maxExportBatchSize', 512), this.m);
    this.w = positive('scheduledDelayMillis', delay);
    this.o = positive('exportTimeoutMillis', 30000);
    this.x = onPageExit(() => this.drain());
  }

  /** Queues `item`; exports a batch at once when one is full. Ignored after shutdown. */
  protected add(item: T): void {
    if (this.d) return;
    if (this.q.length < this.m) {
      this.q.push(item);
      this.next();
    } else {
      this.dropped++;
      reportOnce(this.k + '.full', 'queue full, dropping ' + this.k);
    }
  }

  /**
   * Exports a full batch now, or makes sure the timer will export a partial one. Only one regular
   * export is in flight at a time (the specification does not let a processor call `export`
   * concurrently): while it runs, items wait in the queue, which is what makes `maxQueueSize` a
   * real bound when the collector is slow or down.
   */
  private next(timer?: boolean): void {
    const l = this.q.length;
    // A regular export in flight may be stuck (see reap); that holds up the queue. Checked when
    // a full batch waits behind it, when the timer fires meanwhile, and on every forceFlush: a
    // clock read on every add measured a tenth of the cost of a span.
    if (this.b && (timer || l >= this.n)) this.reap();
    if (!l) return;
    if (!this.b && (timer || l >= this.n)) {
      // the one regular export, of one batch; when it ends, the next one is considered
      this.t = clearTimeout(this.t) as undefined;
      this.b = true;
      this.send(this.q.splice(0, this.n)).then(() => {
        this.b = false;
        this.next();
      });
    } else if (!this.t && this.w < Infinity) {
      // the timer exports what is there, full batch or not (or, while an export is in flight,
      // checks that it is not stuck, and is armed again)
      this.t = setTimeout(() => {
        this.t = undefined;
        this.next(true);
      }, this.w);
      // Node: a pending export must not keep the process alive by itself
      (this.t as { unref?(): void }).unref?.();
    }
  }

  /**
   * Starts exports of everything queued, now and synchronously (page exit needs the exporter
   * called before the handler returns), whatever is in flight: a second page-exit flush
   * (`visibilitychange` after `pagehide`) must send what was queued in between, not wait.
   */
  private drain(): void {
    this.t = clearTimeout(this.t) as undefined;
    while (this.q.length) this.send(this.q.splice(0, this.n));
  }

  /**
   * Gives up on exports past their deadline whose timeout timer never fired: workerd cancels a
   * request's `waitUntil` work, timers included, about 30 s after the response, and such an
   * export would otherwise hold the queue (and every later `forceFlush`) for the isolate's life.
   */
  private reap(): void {
    const now = Date.now();
    for (const end of this.s) if (end.d! < now) end(TIMEOUT);
  }

  /** One export; the promise settles when the exporter reports back or times out, never rejects. */
  private send(items: T[]): Promise<void> {
    const p = new Promise<void>((resolve) => {
      // the first outcome wins: a late callback after a timeout is ignored
      const end: End = (r) => {
        if (this.s.delete(end)) {
          clearTimeout(t);
          if (r.code) report(0, 'export failed', r.error);
          resolve();
        }
      };
      end.d = Date.now() + this.o;
      this.s.add(end);
      const t = this.o < Infinity ? setTimeout(end, this.o, TIMEOUT) : undefined;
      try {
        this.e.export(items, end);
      } catch (error) {
        end({ code: 1, error });
      }
    });
    // chained, not Promise.all([f, p]): that nests every earlier result in the next (a leak)
    this.f = this.f.then(() => p);
    return p;
  }

  /** Exports everything queued and waits for every export in flight. */
  async forceFlush(): Promise<void> {
    this.reap();
    this.drain();
    // together: an exporter whose earlier callback died with its request (workerd) clears the
    // dead attempt in its own forceFlush, which must not wait behind that attempt
    await Promise.all([this.f, this.e.forceFlush?.()]);
  }

  /** Flushes, stops accepting items, and shuts the exporter down. Idempotent. */
  async shutdown(): Promise<void> {
    if (!this.d) {
      this.d = true;
      this.x();
      await this.forceFlush();
      await this.e.shutdown();
    }
  }
}

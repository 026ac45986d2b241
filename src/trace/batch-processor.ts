import { report, reportOnce, warnConfig } from '../lib/diag';
import { onPageExit } from '../lib/page-exit';
import type { ReadableSpan, SpanExporter, SpanProcessor } from './sdk-types';

/** Options of {@link BatchSpanProcessor}; the defaults are the specification's. */
export interface BatchSpanProcessorConfig {
  /** Spans kept waiting at most (2048); more are dropped and counted. */
  maxQueueSize?: number;
  /** Spans per export at most (512). */
  maxExportBatchSize?: number;
  /** Delay between exports (5000 ms). `Infinity`: export only when a batch is full, on `forceFlush` and at page exit (edge workers, where timers must not outlive a request). */
  scheduledDelayMillis?: number;
  /** How long an export may take (30000 ms). */
  exportTimeoutMillis?: number;
}

function positive(config: BatchSpanProcessorConfig, key: keyof BatchSpanProcessorConfig, d: number): number {
  const v = config[key];
  if (v === undefined) return d;
  if (typeof v == 'number' && v > 0) return v;
  warnConfig(key, v, d);
  return d;
}

/**
 * Queues ended spans and exports them in batches, on a timer, when a batch is full, on
 * `forceFlush`, and (in browsers) synchronously when the page hides, so that the exporter can
 * send them with a request that survives the unload. Memory is bounded by `maxQueueSize`.
 */
export class BatchSpanProcessor implements SpanProcessor {
  /** Spans dropped because the queue was full. */
  dropped = 0;
  private q: ReadableSpan[] = [];
  private readonly max: number;
  private readonly batch: number;
  private readonly delay: number;
  private readonly timeout: number;
  private timer?: ReturnType<typeof setTimeout>;
  private readonly flying = new Set<Promise<void>>();
  private readonly off: () => void;
  private down = false;

  /**
   * @param e - where spans go
   * @param config - queue bounds and timing
   */
  constructor(
    private readonly e: SpanExporter,
    config: BatchSpanProcessorConfig = {},
  ) {
    this.max = positive(config, 'maxQueueSize', 2048);
    this.batch = Math.min(positive(config, 'maxExportBatchSize', 512), this.max);
    this.delay = positive(config, 'scheduledDelayMillis', 5000);
    this.timeout = positive(config, 'exportTimeoutMillis', 30000);
    this.off = onPageExit(() => this.drain());
  }

  /** {@inheritDoc SpanProcessor.onStart} */
  onStart(): void {}

  /** {@inheritDoc SpanProcessor.onEnd} */
  onEnd(span: ReadableSpan): void {
    if (this.down || !(span.spanContext().traceFlags & 1)) return;
    const q = this.q;
    if (q.length >= this.max) {
      this.dropped++;
      reportOnce('bsp.full', 'span queue full; dropping spans');
      return;
    }
    q.push(span);
    if (q.length >= this.batch) this.send(q.splice(0, this.batch));
    if (q.length && !this.timer && this.delay < Infinity) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.drain();
      }, this.delay);
      // Node: a pending export must not keep the process alive by itself
      (this.timer as { unref?: () => void }).unref?.();
    }
  }

  /** Starts exports of everything queued, now. */
  private drain(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.q.length) this.send(this.q.splice(0, this.batch));
  }

  private send(spans: ReadableSpan[]): void {
    const p = new Promise<void>((done) => {
      const t = setTimeout(() => {
        reportOnce('bsp.timeout', 'export timed out');
        done();
      }, this.timeout);
      const end = (): void => {
        clearTimeout(t);
        done();
      };
      try {
        this.e.export(spans, (r) => {
          if (r.code) report(0, 'export failed', r.error);
          end();
        });
      } catch (err) {
        report(0, 'export failed', err);
        end();
      }
    });
    this.flying.add(p);
    p.then(() => this.flying.delete(p));
  }

  /** {@inheritDoc SpanProcessor.forceFlush} */
  async forceFlush(): Promise<void> {
    this.drain();
    await Promise.all(this.flying);
    await this.e.forceFlush?.();
  }

  /** {@inheritDoc SpanProcessor.shutdown} */
  async shutdown(): Promise<void> {
    if (this.down) return;
    await this.forceFlush();
    this.down = true;
    this.off();
    await this.e.shutdown();
  }
}

import { report } from '../lib/diag';
import { onPageExit } from '../lib/page-exit';
import type { ExportResult } from '../trace/sdk-types';
import type {
  AggregationTemporality,
  InstrumentType,
  MetricProducer,
  MetricReader,
  PushMetricExporter,
  ResourceMetrics,
} from './sdk-types';
import { positive, within } from './stream';

/** Options of {@link PeriodicExportingMetricReader}; the defaults are the specification's. */
export interface PeriodicExportingMetricReaderOptions {
  /** Where metrics go. */
  exporter: PushMetricExporter;
  /**
   * Time between exports (60000 ms). `Infinity`: no timer at all; export only on `forceFlush`,
   * shutdown and page exit (edge workers, where a timer must not outlive the request).
   */
  exportIntervalMillis?: number;
  /** How long the observable callbacks of one collection, then its export, may take (30000 ms each). `Infinity`: no limit. */
  exportTimeoutMillis?: number;
}

/** A failed or timed-out export, or a failed collection. */
const failed = (e: unknown): void => report(0, 'metrics export failed', e);

/**
 * Collects on an interval and hands the metrics to a push exporter; also on `forceFlush`, at
 * shutdown, and (in browsers) synchronously at every `pagehide` and every `visibilitychange`
 * to hidden. Both page-exit events export, even while an earlier export is still in flight:
 * web-vitals reports INP and CLS only at the second one (FACTS.md), and a "flush already
 * running" shortcut is what loses them in otel-js. Timer and `forceFlush` exports run one at a
 * time, as the spec requires; page-exit exports cannot wait for them.
 */
export class PeriodicExportingMetricReader implements MetricReader {
  // `declare`: no class field emitted for these (bytes)
  declare private p?: MetricProducer;
  declare private readonly e: PushMetricExporter;
  declare private readonly iv: number;
  declare private readonly to: number;
  declare private tm?: ReturnType<typeof setInterval> & { unref?(): void };
  declare private off?: () => void;
  declare private down?: boolean;
  /** the export in progress (or the last one) */
  private q: Promise<void> = Promise.resolve();
  /** the export waiting for it */
  declare private w?: Promise<void>;

  /** @param o - exporter, interval and timeout */
  constructor(o: PeriodicExportingMetricReaderOptions) {
    this.e = o.exporter;
    this.iv = positive(o, 'exportIntervalMillis', 60000);
    this.to = positive(o, 'exportTimeoutMillis', 30000);
  }

  /** {@inheritDoc MetricReader.selectAggregationTemporality} */
  selectAggregationTemporality(type: InstrumentType): AggregationTemporality {
    return this.e.selectAggregationTemporality?.(type) ?? 1;
  }

  /** {@inheritDoc MetricReader.setMetricProducer} */
  setMetricProducer(p: MetricProducer): void {
    if (this.p) return report(1, 'reader already in use');
    this.p = p;
    if (this.iv < Infinity)
      try {
        // Node: the export timer must not keep the process alive by itself
        (this.tm = setInterval(() => this.flush(), this.iv)).unref?.();
      } catch (e) {
        // workerd at global scope: no timers there; exports happen on forceFlush
        report(1, 'no export timer', e);
      }
    this.off = onPageExit(() => this.down || this.send(p.collectSync()));
  }

  /**
   * Hands `rm` to the exporter (synchronously: page exit needs that); resolves when it is done
   * or timed out. Never rejects.
   */
  private send(rm: ResourceMetrics): Promise<void> | void {
    if (rm.scopeMetrics.length)
      return within(new Promise<ExportResult>((ok) => this.e.export(rm, ok)), this.to, { code: 1, error: Error('timeout') }).then(
        (r) => void (r.code && failed(r.error)),
        failed,
      );
  }

  /**
   * Collects and exports after the export in progress. Calls made while one is waiting share
   * it (it collects when it starts, so it carries what they recorded): at most one export runs
   * and one waits, however long the exporter takes.
   */
  private flush(): Promise<void> {
    const p = this.p;
    return (this.w ||= this.q = this.q
      .then(async () => {
        this.w = undefined;
        if (p && !this.down) await this.send(await p.collect(this.to));
      })
      .catch(failed));
  }

  /** {@inheritDoc MetricReader.forceFlush} */
  async forceFlush(): Promise<void> {
    await this.flush();
    await this.e.forceFlush?.();
  }

  /** {@inheritDoc MetricReader.shutdown} */
  async shutdown(): Promise<void> {
    if (this.down) return;
    clearInterval(this.tm);
    this.off?.();
    await this.forceFlush();
    this.down = true;
    await this.e.shutdown();
  }
}

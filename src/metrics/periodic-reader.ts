import { numberOption, report } from '../lib/diag';
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
import { within } from './stream';

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
  // the methods are closures over the reader's state, set in the constructor: no `this.` (bytes)
  /** {@inheritDoc MetricReader.selectAggregationTemporality} */
  declare readonly selectAggregationTemporality: (type: InstrumentType) => AggregationTemporality;
  /** {@inheritDoc MetricReader.setMetricProducer} */
  declare readonly setMetricProducer: (p: MetricProducer) => void;
  /** {@inheritDoc MetricReader.forceFlush} */
  declare readonly forceFlush: () => Promise<void>;
  /** {@inheritDoc MetricReader.shutdown} */
  declare readonly shutdown: () => Promise<void>;

  /** @param o - exporter, interval and timeout */
  constructor(o: PeriodicExportingMetricReaderOptions) {
    const e = o.exporter;
    // positive numbers (5e-324 is Number.MIN_VALUE)
    const iv = numberOption(o, 'exportIntervalMillis', 60000, 5e-324);
    const to = numberOption(o, 'exportTimeoutMillis', 30000, 5e-324);
    let p: MetricProducer | undefined;
    let tm: (ReturnType<typeof setInterval> & { unref?(): void }) | undefined;
    let off: (() => void) | undefined;
    let down: boolean | undefined;
    /** the export in progress (or the last one) */
    let q: Promise<void> = Promise.resolve();
    /** the export waiting for it */
    let w: Promise<void> | undefined;
    /**
     * Hands `rm` to the exporter (synchronously: page exit needs that); resolves when it is done
     * or timed out. Never rejects.
     */
    const send = (rm: ResourceMetrics): Promise<void> | void => {
      if (rm.scopeMetrics.length)
        return within(new Promise<ExportResult>((ok) => e.export(rm, ok)), to, { code: 1, error: Error('timeout') }).then(
          (r) => void (r.code && failed(r.error)),
          failed,
        );
    };
    /**
     * Collects and exports after the export in progress. Calls made while one is waiting share
     * it (it collects when it starts, so it carries what they recorded): at most one export runs
     * and one waits, however long the exporter takes.
     */
    const flush = (): Promise<void> =>
      (w ||= q = q
        .then(() => {
          w = undefined;
          if (p && !down) return p.collect(to).then(send);
        })
        .catch(failed));
    /** what is due now, then what the exporter holds */
    const forceFlush = async (): Promise<void> => {
      await flush();
      await e.forceFlush?.();
    };
    Object.assign(this, {
      selectAggregationTemporality: (type: InstrumentType) => e.selectAggregationTemporality?.(type) ?? 1,
      setMetricProducer(x: MetricProducer): void {
        if (p) return report(1, 'reader already in use');
        p = x;
        if (iv < Infinity)
          try {
            // Node: the export timer must not keep the process alive by itself
            (tm = setInterval(flush, iv)).unref?.();
          } catch (err) {
            // workerd at global scope: no timers there; exports happen on forceFlush
            report(1, 'no export timer', err);
          }
        off = onPageExit(() => down || send(x.collectSync()));
      },
      forceFlush,
      async shutdown(): Promise<void> {
        if (down) return;
        clearInterval(tm);
        off?.();
        await forceFlush();
        down = true;
        await e.shutdown();
      },
    });
  }
}

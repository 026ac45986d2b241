import type { ExportResult } from '../trace/sdk-types';
import type {
  AggregationTemporality,
  InstrumentType,
  MetricProducer,
  MetricReader,
  PushMetricExporter,
  ResourceMetrics,
} from './sdk-types';
import { temporalitySelector, type AggregationTemporalityPreference, type AggregationTemporalitySelector } from './temporality';

/** Options of {@link ManualMetricReader}. */
export interface ManualMetricReaderOptions {
  /** A preference (`cumulative`, default; `delta`; `lowmemory`) or a selector per instrument kind. */
  temporality?: AggregationTemporalityPreference | AggregationTemporalitySelector;
  /** Attribute sets per instrument (default: the provider's). */
  cardinalityLimit?: number;
}

/**
 * A pull reader: collects only when asked ({@link ManualMetricReader.collect}). For tests, and
 * for pull-style exporters that serve the data on request.
 */
export class ManualMetricReader implements MetricReader {
  private p?: MetricProducer;
  private readonly s: AggregationTemporalitySelector;

  /** @param o - temporality and cardinality limit */
  constructor(private readonly o: ManualMetricReaderOptions = {}) {
    const t = o.temporality;
    this.s = typeof t == 'function' ? t : temporalitySelector(t);
  }

  /** {@inheritDoc MetricReader.setMetricProducer} */
  setMetricProducer(p: MetricProducer): void {
    this.p = p;
  }

  /** {@inheritDoc MetricReader.selectAggregationTemporality} */
  selectAggregationTemporality(type: InstrumentType): AggregationTemporality {
    return this.s(type);
  }

  /** {@inheritDoc MetricReader.selectCardinalityLimit} */
  selectCardinalityLimit(): number {
    return this.o.cardinalityLimit ?? 0; // 0: the provider's
  }

  /** Collects now (running observable callbacks, awaiting async ones up to `timeoutMillis`). */
  collect(timeoutMillis?: number): Promise<ResourceMetrics> {
    if (!this.p) return Promise.reject(new Error('reader not registered with a MeterProvider'));
    return this.p.collect(timeoutMillis);
  }

  /** Collects now, synchronously (as at page exit). */
  collectSync(): ResourceMetrics {
    if (!this.p) throw new Error('reader not registered with a MeterProvider');
    return this.p.collectSync();
  }

  /** {@inheritDoc MetricReader.forceFlush} */
  async forceFlush(): Promise<void> {}

  /** {@inheritDoc MetricReader.shutdown} */
  async shutdown(): Promise<void> {
    this.p = undefined;
  }
}

/**
 * A push exporter that keeps what it is given, for tests: use it with a
 * `PeriodicExportingMetricReader` and read {@link InMemoryMetricExporter.getMetrics}.
 */
export class InMemoryMetricExporter implements PushMetricExporter {
  private m: ResourceMetrics[] = [];
  private down = false;
  private readonly s: AggregationTemporalitySelector;

  /** @param temporality - a preference (default cumulative) or a selector */
  constructor(temporality?: AggregationTemporalityPreference | AggregationTemporalitySelector) {
    this.s = typeof temporality == 'function' ? temporality : temporalitySelector(temporality);
  }

  /** {@inheritDoc PushMetricExporter.export} */
  export(metrics: ResourceMetrics, done: (result: ExportResult) => void): void {
    if (this.down) return done({ code: 1, error: new Error('exporter is shut down') });
    this.m.push(metrics);
    done({ code: 0 });
  }

  /** {@inheritDoc PushMetricExporter.selectAggregationTemporality} */
  selectAggregationTemporality(type: InstrumentType): AggregationTemporality {
    return this.s(type);
  }

  /** Everything exported so far, one entry per export. */
  getMetrics(): ResourceMetrics[] {
    return this.m;
  }

  /** Forgets what was exported. */
  reset(): void {
    this.m = [];
  }

  /** {@inheritDoc PushMetricExporter.forceFlush} */
  async forceFlush(): Promise<void> {}

  /** {@inheritDoc PushMetricExporter.shutdown} */
  async shutdown(): Promise<void> {
    this.down = true;
  }
}

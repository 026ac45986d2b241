/*
 * What the metrics SDK hands to readers and exporters. The shapes and enum values follow
 * otel-js's sdk-metrics (`ResourceMetrics`, `MetricData`, `DataPoint`, `InstrumentType`,
 * `AggregationTemporality`, `DataPointType`) so that an exporter written for it needs few
 * changes, with one difference: times are epoch milliseconds (numbers with a fraction), as
 * everywhere in otelite, not `[seconds, nanos]` tuples.
 */
import type { Attributes, InstrumentationScope } from '../lib/types';
import type { Resource } from '../trace/resource';
import type { ExportResult } from '../trace/sdk-types';
import type { MetricAdvice, ValueType } from './types';

/** The kind of an instrument; the strings match otel-js's `InstrumentType`. */
export const InstrumentType = {
  COUNTER: 'COUNTER',
  GAUGE: 'GAUGE',
  HISTOGRAM: 'HISTOGRAM',
  UP_DOWN_COUNTER: 'UP_DOWN_COUNTER',
  OBSERVABLE_COUNTER: 'OBSERVABLE_COUNTER',
  OBSERVABLE_GAUGE: 'OBSERVABLE_GAUGE',
  OBSERVABLE_UP_DOWN_COUNTER: 'OBSERVABLE_UP_DOWN_COUNTER',
} as const;
/** One of the {@link InstrumentType} values. */
export type InstrumentType = (typeof InstrumentType)[keyof typeof InstrumentType];

/**
 * Whether points cover the time since the previous collection (delta) or since the series
 * started (cumulative). The numbers match otel-js; OTLP's enum is these plus one.
 */
export const AggregationTemporality = {
  DELTA: 0,
  CUMULATIVE: 1,
} as const;
/** One of the {@link AggregationTemporality} values. */
export type AggregationTemporality = (typeof AggregationTemporality)[keyof typeof AggregationTemporality];

/** The kind of points a metric carries; the numbers match otel-js. */
export const DataPointType = {
  HISTOGRAM: 0,
  EXPONENTIAL_HISTOGRAM: 1,
  GAUGE: 2,
  SUM: 3,
} as const;
/** One of the {@link DataPointType} values. */
export type DataPointType = (typeof DataPointType)[keyof typeof DataPointType];

/** An instrument as its creator described it. */
export interface InstrumentDescriptor {
  /** Its name. */
  readonly name: string;
  /** Its description ('' when none). */
  readonly description: string;
  /** Its unit ('' when none). */
  readonly unit: string;
  /** Its kind. */
  readonly type: InstrumentType;
  /** Integers or doubles. */
  readonly valueType: ValueType;
  /** Aggregation hints. */
  readonly advice: MetricAdvice;
}

/** The identity of an exported metric stream (the instrument's, or a view's renaming of it). */
export interface MetricDescriptor {
  /** The stream's name. */
  readonly name: string;
  /** Its description. */
  readonly description: string;
  /** Its unit. */
  readonly unit: string;
  /** The instrument's kind. */
  readonly type: InstrumentType;
  /** Integers (`asInt`) or doubles (`asDouble`). */
  readonly valueType: ValueType;
}

/** One aggregated value of one attribute set over `(startTime, endTime]`. */
export interface DataPoint<T> {
  /** Start of the interval, epoch milliseconds. */
  readonly startTime: number;
  /** End of the interval (the collection), epoch milliseconds. */
  readonly endTime: number;
  /** The attribute set. */
  readonly attributes: Attributes;
  /** The value. */
  readonly value: T;
}

/** An explicit-bucket histogram's value. */
export interface Histogram {
  /** `counts[i]` values fell in `(boundaries[i-1], boundaries[i]]`; there is one count more than boundaries. */
  buckets: { boundaries: number[]; counts: number[] };
  /** The sum of the values. */
  sum?: number;
  /** How many values. */
  count: number;
  /** The smallest value (absent when count is 0). */
  min?: number;
  /** The largest value (absent when count is 0). */
  max?: number;
}

interface BaseMetricData {
  readonly descriptor: MetricDescriptor;
  readonly aggregationTemporality: AggregationTemporality;
}

/** A sum (counters, up-down counters). */
export interface SumMetricData extends BaseMetricData {
  /** {@link DataPointType.SUM} */
  readonly dataPointType: 3;
  /** The points. */
  readonly dataPoints: DataPoint<number>[];
  /** Whether it only goes up. */
  readonly isMonotonic: boolean;
}

/** A gauge (last values). */
export interface GaugeMetricData extends BaseMetricData {
  /** {@link DataPointType.GAUGE} */
  readonly dataPointType: 2;
  /** The points. */
  readonly dataPoints: DataPoint<number>[];
}

/** An explicit-bucket histogram. */
export interface HistogramMetricData extends BaseMetricData {
  /** {@link DataPointType.HISTOGRAM} */
  readonly dataPointType: 0;
  /** The points. */
  readonly dataPoints: DataPoint<Histogram>[];
}

/** The data of one metric stream. */
export type MetricData = SumMetricData | GaugeMetricData | HistogramMetricData;

/** The metrics of one meter. */
export interface ScopeMetrics {
  /** The meter's name, version and schema URL. */
  scope: InstrumentationScope;
  /** Its streams that have points. */
  metrics: MetricData[];
}

/** One collection: every meter's metrics, with the provider's resource. */
export interface ResourceMetrics {
  /** The provider's resource. */
  resource: Resource;
  /** Per meter; only meters that have points. */
  scopeMetrics: ScopeMetrics[];
}

/** What a provider gives each of its readers: the way to collect. */
export interface MetricProducer {
  /**
   * Runs the observable callbacks (waiting for async ones up to `timeoutMillis`) and returns
   * what this reader has not seen yet (everything, for cumulative streams).
   */
  collect(timeoutMillis?: number): Promise<ResourceMetrics>;
  /**
   * The same, synchronously, for page exit: async callbacks contribute only what they observed
   * before their first `await`.
   */
  collectSync(): ResourceMetrics;
}

/**
 * Collects metrics from one provider and sends them somewhere. A reader belongs to one
 * provider, which calls {@link MetricReader.setMetricProducer} once when it is constructed.
 */
export interface MetricReader {
  /** Receives the provider's collect functions. */
  setMetricProducer(producer: MetricProducer): void;
  /** The temporality this reader wants for an instrument kind (default: cumulative). */
  selectAggregationTemporality?(type: InstrumentType): AggregationTemporality;
  /** The cardinality limit this reader wants for an instrument kind (default: the provider's). */
  selectCardinalityLimit?(type: InstrumentType): number;
  /** Collects and sends now. */
  forceFlush(): Promise<void>;
  /** Collects and sends a last time, then stops. */
  shutdown(): Promise<void>;
}

/** Sends collected metrics. Same shape as otel-js's `PushMetricExporter`. */
export interface PushMetricExporter {
  /** Sends `metrics`, then calls `done` exactly once. */
  export(metrics: ResourceMetrics, done: (result: ExportResult) => void): void;
  /** The temporality this exporter wants for an instrument kind (default: cumulative). */
  selectAggregationTemporality?(type: InstrumentType): AggregationTemporality;
  /** Sends what it holds. */
  forceFlush?(): Promise<void>;
  /** Stops the exporter after sending what it holds. */
  shutdown(): Promise<void>;
}

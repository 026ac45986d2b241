/*
 * The metrics API types. Same names, shapes and generics as `@opentelemetry/api`'s metrics
 * types, so code written for OpenTelemetry reads the same and otelite's objects are assignable
 * to its interfaces.
 */
import type { Context } from '../context/types';
import type { Attributes, AttributeValue } from '../lib/types';

/** Attributes of a measurement (the same rules as span attributes). */
export type MetricAttributes = Attributes;

/** A value of a measurement attribute. */
export type MetricAttributeValue = AttributeValue;

/** Whether an instrument records integers or doubles; the numbers match `@opentelemetry/api`. */
export const ValueType = {
  INT: 0,
  DOUBLE: 1,
} as const;
/** One of the {@link ValueType} values. */
export type ValueType = (typeof ValueType)[keyof typeof ValueType];

/** Hints from the instrument's author about how to aggregate it (the spec's "advisory parameters"). */
export interface MetricAdvice {
  /** Histogram bucket boundaries, increasing; used unless a view says otherwise. */
  explicitBucketBoundaries?: number[];
}

/** Options of an instrument. */
export interface MetricOptions {
  /** What it measures. */
  description?: string;
  /** Its unit, UCUM (`ms`, `By`, `{request}`). */
  unit?: string;
  /** Integers or doubles (default: doubles). Integer instruments truncate fractions. */
  valueType?: ValueType;
  /** Aggregation hints. */
  advice?: MetricAdvice;
}

/** Options of a meter. */
export interface MeterOptions {
  /** The schema URL of the telemetry it produces. */
  schemaUrl?: string;
}

/** Counts things that only go up (requests, bytes sent). */
export interface Counter<AttributesTypes extends MetricAttributes = MetricAttributes> {
  /** Adds `value` (must be ≥ 0: negative values are dropped with a diagnostic). */
  add(value: number, attributes?: AttributesTypes, context?: Context): void;
}

/** Counts things that go up and down (items in a queue). */
export interface UpDownCounter<AttributesTypes extends MetricAttributes = MetricAttributes> {
  /** Adds `value`, which may be negative. */
  add(value: number, attributes?: AttributesTypes, context?: Context): void;
}

/** Records the current value of something (a temperature); the last value wins. */
export interface Gauge<AttributesTypes extends MetricAttributes = MetricAttributes> {
  /** Records `value`. */
  record(value: number, attributes?: AttributesTypes, context?: Context): void;
}

/** Records a distribution of values (durations, sizes). */
export interface Histogram<AttributesTypes extends MetricAttributes = MetricAttributes> {
  /** Records `value` (must be ≥ 0: negative values are dropped with a diagnostic). */
  record(value: number, attributes?: AttributesTypes, context?: Context): void;
}

/** Where an observable instrument's callback reports its observations. */
export interface ObservableResult<AttributesTypes extends MetricAttributes = MetricAttributes> {
  /** Reports `value` for `attributes`. */
  observe(this: ObservableResult<AttributesTypes>, value: number, attributes?: AttributesTypes): void;
}

/** Where a batch callback reports observations for several instruments. */
export interface BatchObservableResult<AttributesTypes extends MetricAttributes = MetricAttributes> {
  /** Reports `value` for `attributes` on `metric`. */
  observe(
    this: BatchObservableResult<AttributesTypes>,
    metric: Observable<AttributesTypes>,
    value: number,
    attributes?: AttributesTypes,
  ): void;
}

/** Called at each collection to observe an instrument's current values. May return a promise. */
export type ObservableCallback<AttributesTypes extends MetricAttributes = MetricAttributes> = (
  observableResult: ObservableResult<AttributesTypes>,
) => void | Promise<void>;

/** Called at each collection to observe several instruments. May return a promise. */
export type BatchObservableCallback<AttributesTypes extends MetricAttributes = MetricAttributes> = (
  observableResult: BatchObservableResult<AttributesTypes>,
) => void | Promise<void>;

/** An instrument whose values are observed by callbacks when metrics are collected. */
export interface Observable<AttributesTypes extends MetricAttributes = MetricAttributes> {
  /** Adds a callback (once: adding the same function again does nothing). */
  addCallback(callback: ObservableCallback<AttributesTypes>): void;
  /** Removes a callback. */
  removeCallback(callback: ObservableCallback<AttributesTypes>): void;
}

/** A counter whose running total a callback observes. */
export type ObservableCounter<AttributesTypes extends MetricAttributes = MetricAttributes> = Observable<AttributesTypes>;
/** An up-down counter whose running total a callback observes. */
export type ObservableUpDownCounter<AttributesTypes extends MetricAttributes = MetricAttributes> =
  Observable<AttributesTypes>;
/** A gauge whose current value a callback observes. */
export type ObservableGauge<AttributesTypes extends MetricAttributes = MetricAttributes> = Observable<AttributesTypes>;

/** Makes instruments for one library (the instrumentation scope). Same shape as `@opentelemetry/api`'s `Meter`. */
export interface Meter {
  /** A gauge (synchronous, last value). */
  createGauge<AttributesTypes extends MetricAttributes = MetricAttributes>(
    name: string,
    options?: MetricOptions,
  ): Gauge<AttributesTypes>;
  /** A histogram (explicit buckets). */
  createHistogram<AttributesTypes extends MetricAttributes = MetricAttributes>(
    name: string,
    options?: MetricOptions,
  ): Histogram<AttributesTypes>;
  /** A monotonic counter. */
  createCounter<AttributesTypes extends MetricAttributes = MetricAttributes>(
    name: string,
    options?: MetricOptions,
  ): Counter<AttributesTypes>;
  /** A counter that may go down. */
  createUpDownCounter<AttributesTypes extends MetricAttributes = MetricAttributes>(
    name: string,
    options?: MetricOptions,
  ): UpDownCounter<AttributesTypes>;
  /** A gauge observed by callbacks. */
  createObservableGauge<AttributesTypes extends MetricAttributes = MetricAttributes>(
    name: string,
    options?: MetricOptions,
  ): ObservableGauge<AttributesTypes>;
  /** A monotonic counter observed by callbacks. */
  createObservableCounter<AttributesTypes extends MetricAttributes = MetricAttributes>(
    name: string,
    options?: MetricOptions,
  ): ObservableCounter<AttributesTypes>;
  /** An up-down counter observed by callbacks. */
  createObservableUpDownCounter<AttributesTypes extends MetricAttributes = MetricAttributes>(
    name: string,
    options?: MetricOptions,
  ): ObservableUpDownCounter<AttributesTypes>;
  /** Adds a callback that observes several of this meter's observable instruments at once. */
  addBatchObservableCallback<AttributesTypes extends MetricAttributes = MetricAttributes>(
    callback: BatchObservableCallback<AttributesTypes>,
    observables: Observable<AttributesTypes>[],
  ): void;
  /** Removes a batch callback. */
  removeBatchObservableCallback<AttributesTypes extends MetricAttributes = MetricAttributes>(
    callback: BatchObservableCallback<AttributesTypes>,
    observables: Observable<AttributesTypes>[],
  ): void;
}

/** Hands out meters. Same shape as `@opentelemetry/api`'s `MeterProvider`. */
export interface MeterProvider {
  /** The meter of the named library. */
  getMeter(name: string, version?: string, options?: MeterOptions): Meter;
}

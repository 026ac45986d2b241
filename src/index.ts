/**
 * otelite: the API. Libraries depend on this entry only; every call is a no-op until an
 * application installs the SDK (`otelite/trace`, `otelite/web`, an edge adapter), exactly as
 * OpenTelemetry's API/SDK split prescribes.
 * @packageDocumentation
 */
export { context } from './context/api';
export { createContextKey, ROOT_CONTEXT } from './context/context';
export type { Context, ContextManager } from './context/types';
export { trace } from './trace/api';
export { propagation } from './trace/propagation/api';
export { createTraceState } from './trace/propagation/trace-state';
export { defaultTextMapGetter, defaultTextMapSetter } from './trace/propagation/types';
export type {
  Baggage,
  BaggageEntry,
  BaggageEntryMetadata,
  TextMapGetter,
  TextMapPropagator,
  TextMapSetter,
} from './trace/propagation/types';
export { isSpanContextValid, isValidSpanId, isValidTraceId, INVALID_SPAN_CONTEXT } from './trace/span-context';
export { SpanKind, SpanStatusCode, TraceFlags } from './trace/types';
export type {
  Exception,
  Link,
  Span,
  SpanContext,
  SpanOptions,
  SpanStatus,
  TraceState,
  Tracer,
  TracerOptions,
  TracerProvider,
} from './trace/types';
export { diag, DiagConsoleLogger, DiagLogLevel } from './lib/diag';
export type { DiagLogger } from './lib/diag';
export { suppressTracing, isTracingSuppressed } from './lib/suppress';
export type { Attributes, AttributeValue, HrTime, InstrumentationScope, TimeInput } from './lib/types';
export { metrics } from './metrics/api';
export { ValueType } from './metrics/types';
export type {
  BatchObservableCallback,
  BatchObservableResult,
  Counter,
  Gauge,
  Histogram,
  Meter,
  MeterOptions,
  MeterProvider,
  MetricAdvice,
  MetricAttributes,
  MetricAttributeValue,
  MetricOptions,
  Observable,
  ObservableCallback,
  ObservableCounter,
  ObservableGauge,
  ObservableResult,
  ObservableUpDownCounter,
  UpDownCounter,
} from './metrics/types';
export { logs } from './logs/api';
export { SeverityNumber } from './logs/types';
export type { AnyValue, AnyValueMap, LogAttributes, Logger, LoggerOptions, LoggerProvider, LogRecord } from './logs/types';

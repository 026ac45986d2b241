/**
 * otelite/metrics: the metrics SDK. Instruments aggregate in memory (`provider.ts` →
 * `stream.ts`); readers collect them (`periodic-reader.ts`) and hand them to an exporter
 * (the OTLP one is in `otelite/exporters/otlp-http-json`). Views are opt-in: `view()`
 * (`view.ts`) makes them, so an app that passes no `views` does not bundle their code.
 * @packageDocumentation
 */
export { MeterProvider, DEFAULT_BOUNDARIES } from './provider';
export type { MeterProviderConfig, StreamSpec, View } from './provider';
export { view } from './view';
export type { StreamConfig, ViewOptions } from './view';
export { PeriodicExportingMetricReader } from './periodic-reader';
export type { PeriodicExportingMetricReaderOptions } from './periodic-reader';
export { ManualMetricReader, InMemoryMetricExporter } from './testing';
export type { ManualMetricReaderOptions } from './testing';
export { AggregationTemporalityPreference, temporalitySelector } from './temporality';
export type { AggregationTemporalitySelector } from './temporality';
export { AggregationTemporality, DataPointType, InstrumentType } from './sdk-types';
export type {
  DataPoint,
  GaugeMetricData,
  Histogram,
  HistogramMetricData,
  InstrumentDescriptor,
  MetricData,
  MetricDescriptor,
  MetricProducer,
  MetricReader,
  PushMetricExporter,
  ResourceMetrics,
  ScopeMetrics,
  SumMetricData,
} from './sdk-types';
export { defaultResource, resourceFromAttributes } from '../trace/resource';
export type { Resource } from '../trace/resource';

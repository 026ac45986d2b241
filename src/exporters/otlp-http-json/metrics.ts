import type { InstrumentationScope } from '../../lib/types';
import type {
  AggregationTemporality,
  DataPoint,
  Histogram,
  InstrumentType,
  MetricData,
  PushMetricExporter,
  ResourceMetrics,
} from '../../metrics/sdk-types';
import { temporalitySelector, type AggregationTemporalityPreference } from '../../metrics/temporality';
import type { Resource } from '../../trace/resource';
import type { OTLPExporterConfig } from './config';
import { arr, attrFields, encodeRequest, INT64, nanos, num, str, strField } from './encode-common';
import { OtlpExporter } from './exporter';

/** One metric with its resource and scope: the unit the sender queues and splits at page exit. */
export interface MetricItem {
  /** the provider's resource */
  r: Resource;
  /** the meter's scope */
  s: InstrumentationScope;
  /** the metric */
  m: MetricData;
}

/** `{"startTimeUnixNano":"…","timeUnixNano":"…"` and the attributes of a point: its start. */
const common = (p: DataPoint<unknown>): string =>
  '{"startTimeUnixNano":' + nanos(p.startTime) + ',"timeUnixNano":' + nanos(p.endTime) + attrFields(p.attributes);

/** A `NumberDataPoint`: `asInt` (a decimal string) for integer instruments, else `asDouble`. */
function numberPoint(p: DataPoint<number>, int: boolean): string {
  const v = p.value;
  // the value oneof is written even when 0: it says which of the two the value is
  return (
    common(p) +
    (int && Number.isInteger(v) && v < INT64 && v > -INT64 ? ',"asInt":"' + v + '"}' : ',"asDouble":' + num(v) + '}')
  );
}

/**
 * A `HistogramDataPoint`: `count` and `bucketCounts` are `fixed64` (decimal strings),
 * `explicitBounds`, `sum`, `min`, `max` doubles; `sum`, `min` and `max` are `optional` fields
 * (written when known, 0 included).
 */
function histogramPoint(p: DataPoint<Histogram>): string {
  const h = p.value;
  return (
    common(p) +
    ',"count":"' +
    h.count +
    '"' +
    (h.sum != null ? ',"sum":' + num(h.sum) : '') +
    ',"bucketCounts":' +
    arr(h.buckets.counts, (c) => '"' + c + '"') +
    ',"explicitBounds":' +
    arr(h.buckets.boundaries, num) +
    (h.count && h.min != null ? ',"min":' + num(h.min) : '') +
    (h.count && h.max != null ? ',"max":' + num(h.max) : '') +
    '}'
  );
}

/**
 * One metric as an OTLP JSON `Metric` message (metrics.proto): name, description, unit, and one
 * of `sum` (with `aggregationTemporality`, OTLP's enum: 1 delta, 2 cumulative, and
 * `isMonotonic`), `gauge`, `histogram` (with `aggregationTemporality`).
 */
export function encodeMetric(m: MetricData): string {
  const d = m.descriptor;
  const t = ',"aggregationTemporality":' + (m.aggregationTemporality + 1);
  let body: string;
  if (m.dataPointType == 0) {
    body = '"histogram":{"dataPoints":' + arr(m.dataPoints, histogramPoint) + t + '}';
  } else {
    const int = d.valueType == 0;
    const points = '{"dataPoints":' + arr(m.dataPoints, (p) => numberPoint(p, int));
    body = m.dataPointType == 2 ? '"gauge":' + points + '}' : '"sum":' + points + t + (m.isMonotonic ? ',"isMonotonic":true}' : '}');
  }
  return '{"name":' + str(d.name) + strField('description', d.description) + strField('unit', d.unit) + ',' + body + '}';
}

/** The metrics of one or more collections as items for the sender (one per metric). */
export const metricItems = (rm: ResourceMetrics): MetricItem[] =>
  rm.scopeMetrics.flatMap((sm) => sm.metrics.map((m) => ({ r: rm.resource, s: sm.scope, m })));

/** Items as an `ExportMetricsServiceRequest` in JSON text, grouped by resource, then scope. */
export const encodeMetricItems = (items: MetricItem[]): string =>
  encodeRequest(
    items,
    'Metrics',
    'metrics',
    (i) => encodeMetric(i.m),
    (i) => i.r,
    (i) => i.s,
  );

/** A collection as an OTLP `ExportMetricsServiceRequest` in JSON text. */
export const encodeMetrics = (rm: ResourceMetrics): string => encodeMetricItems(metricItems(rm));

/** Options of {@link OTLPMetricExporter}. */
export interface OTLPMetricExporterConfig extends OTLPExporterConfig {
  /**
   * Which temporality to ask the reader for, per instrument kind
   * (`OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`): `cumulative` (default), `delta` or
   * `lowmemory`; case-insensitive. See `temporalitySelector` in `otelite/metrics`.
   */
  temporalityPreference?: AggregationTemporalityPreference | (string & {});
}

/**
 * Exports metrics to an OTLP/HTTP endpoint as JSON (`POST {endpoint}/v1/metrics`),
 * gzip-compressed by default, with the same sender as the trace and log exporters (retries,
 * unload-safe requests at page exit). Use it with a `PeriodicExportingMetricReader`, which
 * also exports at page exit.
 *
 * @example
 * ```ts
 * new MeterProvider({
 *   readers: [new PeriodicExportingMetricReader({
 *     exporter: new OTLPMetricExporter({ endpoint: 'https://otel.example.com', temporalityPreference: 'delta' }),
 *   })],
 * }).register();
 * ```
 */
export class OTLPMetricExporter extends OtlpExporter<MetricItem, ResourceMetrics> implements PushMetricExporter {
  /** {@inheritDoc PushMetricExporter.selectAggregationTemporality} */
  readonly selectAggregationTemporality: (type: InstrumentType) => AggregationTemporality;

  /** @param config - where and how to send, and the temporality preference */
  constructor(config?: OTLPMetricExporterConfig) {
    super(config, 'metrics', encodeMetricItems);
    this.selectAggregationTemporality = temporalitySelector(config?.temporalityPreference);
    this.export = (metrics, done) => this.send(metricItems(metrics), done);
  }
}

/**
 * OTLP/JSON shapes as tests read them, and helpers that flatten export requests into lists of
 * spans, metrics and log records with their resource and scope attached.
 *
 * The types describe valid payloads loosely (every field optional where the proto allows it);
 * validity itself is checked by `otlp-schema.ts`.
 */

/** OTLP `AnyValue` in JSON form. */
export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string;
  doubleValue?: number;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
  bytesValue?: string;
}
/** OTLP `KeyValue`. */
export interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}
/** OTLP `Resource`. */
export interface OtlpResource {
  attributes?: OtlpKeyValue[];
  droppedAttributesCount?: number;
}
/** OTLP `InstrumentationScope`. */
export interface OtlpScope {
  name?: string;
  version?: string;
  attributes?: OtlpKeyValue[];
  droppedAttributesCount?: number;
}
/** OTLP `Span`. */
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  traceState?: string;
  parentSpanId?: string;
  flags?: number;
  name: string;
  kind?: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes?: OtlpKeyValue[];
  droppedAttributesCount?: number;
  events?: { timeUnixNano: string; name: string; attributes?: OtlpKeyValue[]; droppedAttributesCount?: number }[];
  droppedEventsCount?: number;
  links?: {
    traceId: string;
    spanId: string;
    traceState?: string;
    attributes?: OtlpKeyValue[];
    droppedAttributesCount?: number;
    flags?: number;
  }[];
  droppedLinksCount?: number;
  status?: { code?: number; message?: string };
}
/** A metric data point of any kind (fields of the number, histogram and summary points). */
export interface OtlpDataPoint {
  attributes?: OtlpKeyValue[];
  startTimeUnixNano?: string;
  timeUnixNano: string;
  asDouble?: number;
  asInt?: string;
  count?: string;
  sum?: number;
  min?: number;
  max?: number;
  bucketCounts?: string[];
  explicitBounds?: number[];
  scale?: number;
  zeroCount?: string;
  positive?: { offset?: number; bucketCounts?: string[] };
  negative?: { offset?: number; bucketCounts?: string[] };
  quantileValues?: { quantile?: number; value?: number }[];
  exemplars?: unknown[];
  flags?: number;
}
/** The kinds of metric data an OTLP `Metric` can carry. */
export type MetricType = 'gauge' | 'sum' | 'histogram' | 'exponentialHistogram' | 'summary';
/** OTLP `Metric`. */
export interface OtlpMetric {
  name: string;
  description?: string;
  unit?: string;
  gauge?: { dataPoints?: OtlpDataPoint[] };
  sum?: { dataPoints?: OtlpDataPoint[]; aggregationTemporality?: number; isMonotonic?: boolean };
  histogram?: { dataPoints?: OtlpDataPoint[]; aggregationTemporality?: number };
  exponentialHistogram?: { dataPoints?: OtlpDataPoint[]; aggregationTemporality?: number };
  summary?: { dataPoints?: OtlpDataPoint[] };
  metadata?: OtlpKeyValue[];
}
/** OTLP `LogRecord`. */
export interface OtlpLogRecord {
  timeUnixNano?: string;
  observedTimeUnixNano?: string;
  severityNumber?: number;
  severityText?: string;
  body?: OtlpAnyValue;
  attributes?: OtlpKeyValue[];
  droppedAttributesCount?: number;
  flags?: number;
  traceId?: string;
  spanId?: string;
  eventName?: string;
}

/** `ExportTraceServiceRequest`. */
export interface OtlpTracesRequest {
  resourceSpans?: { resource?: OtlpResource; scopeSpans?: { scope?: OtlpScope; spans?: OtlpSpan[]; schemaUrl?: string }[]; schemaUrl?: string }[];
}
/** `ExportMetricsServiceRequest`. */
export interface OtlpMetricsRequest {
  resourceMetrics?: { resource?: OtlpResource; scopeMetrics?: { scope?: OtlpScope; metrics?: OtlpMetric[]; schemaUrl?: string }[]; schemaUrl?: string }[];
}
/** `ExportLogsServiceRequest`. */
export interface OtlpLogsRequest {
  resourceLogs?: { resource?: OtlpResource; scopeLogs?: { scope?: OtlpScope; logRecords?: OtlpLogRecord[]; schemaUrl?: string }[]; schemaUrl?: string }[];
}

/** A decoded attribute value: string, boolean, number (bigint past 2^53), array or object. */
export type Value = string | boolean | number | bigint | Value[] | { [key: string]: Value } | undefined;

/** Decodes an OTLP `AnyValue` into a plain JS value (bytes stay base64). */
export function anyValue(v: OtlpAnyValue | undefined): Value {
  if (!v) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) {
    const n = Number(v.intValue);
    return Number.isSafeInteger(n) ? n : BigInt(v.intValue);
  }
  if (v.doubleValue !== undefined) return Number(v.doubleValue);
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(anyValue);
  if (v.kvlistValue) return attrs(v.kvlistValue.values);
  if (v.bytesValue !== undefined) return v.bytesValue;
  return undefined;
}

/** Decodes an OTLP attribute list into an object. */
export function attrs(list: OtlpKeyValue[] | undefined): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const kv of list ?? []) out[kv.key] = anyValue(kv.value);
  return out;
}

/** What every flattened item carries besides its own fields. */
export interface FlatContext<R> {
  /** decoded resource attributes */
  resource: Record<string, Value>;
  scope: { name?: string; version?: string; attributes: Record<string, Value> };
  /** the export request it came in */
  req: R;
}
/** A span with decoded `attrs` and its resource and scope. */
export type FlatSpan<R> = OtlpSpan & FlatContext<R> & { attrs: Record<string, Value> };
/** A metric with its `type`, its data points (with decoded `attrs`), resource and scope. */
export type FlatMetric<R> = OtlpMetric &
  FlatContext<R> & { type: MetricType | undefined; points: (OtlpDataPoint & { attrs: Record<string, Value> })[] };
/** A log record with decoded `attrs` and `value` (its body), resource and scope. */
export type FlatLog<R> = OtlpLogRecord & FlatContext<R> & { attrs: Record<string, Value>; value: Value };

function ctx<R>(resource: OtlpResource | undefined, scope: OtlpScope | undefined, req: R): FlatContext<R> {
  return {
    resource: attrs(resource?.attributes),
    scope: { name: scope?.name, version: scope?.version, attributes: attrs(scope?.attributes) },
    req,
  };
}

/** Flattens a traces request. Tolerates malformed bodies (skips what is not there). */
export function flattenSpans<R>(body: unknown, req: R): FlatSpan<R>[] {
  const out: FlatSpan<R>[] = [];
  for (const rs of asArray((body as OtlpTracesRequest)?.resourceSpans))
    for (const ss of asArray(rs.scopeSpans))
      for (const s of asArray(ss.spans)) out.push({ ...s, ...ctx(rs.resource, ss.scope, req), attrs: attrs(s.attributes) });
  return out;
}

const METRIC_TYPES: MetricType[] = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'];

/** Flattens a metrics request. */
export function flattenMetrics<R>(body: unknown, req: R): FlatMetric<R>[] {
  const out: FlatMetric<R>[] = [];
  for (const rm of asArray((body as OtlpMetricsRequest)?.resourceMetrics))
    for (const sm of asArray(rm.scopeMetrics))
      for (const m of asArray(sm.metrics)) {
        const type = METRIC_TYPES.find((t) => m[t]);
        const points = asArray(type ? m[type]?.dataPoints : undefined).map((p) => ({ ...p, attrs: attrs(p.attributes) }));
        out.push({ ...m, ...ctx(rm.resource, sm.scope, req), type, points });
      }
  return out;
}

/** Flattens a logs request. */
export function flattenLogs<R>(body: unknown, req: R): FlatLog<R>[] {
  const out: FlatLog<R>[] = [];
  for (const rl of asArray((body as OtlpLogsRequest)?.resourceLogs))
    for (const sl of asArray(rl.scopeLogs))
      for (const l of asArray(sl.logRecords))
        out.push({ ...l, ...ctx(rl.resource, sl.scope, req), attrs: attrs(l.attributes), value: anyValue(l.body) });
  return out;
}

function asArray<T>(v: T[] | undefined): T[] {
  return Array.isArray(v) ? v : [];
}

/**
 * otelite/exporters/otlp-http-json: OTLP/HTTP JSON exporters for traces, metrics and logs on one
 * shared sender and set of encoding helpers: gzip, unload-safe transports, retry. Each exporter
 * is tree-shaken separately: importing `OTLPTraceExporter` pulls no log or metric code.
 * @packageDocumentation
 */
export { OTLPTraceExporter, encodeSpan, encodeTraces } from './traces';
export { OTLPLogExporter, anyValue, encodeLogRecord, encodeLogs } from './logs';
export { OTLPMetricExporter, encodeMetric, encodeMetrics } from './metrics';
export type { OTLPMetricExporterConfig } from './metrics';
export type { OTLPExporterConfig, OtlpSignal } from './config';
export { OtlpExporter, createOtlpSender, retryAfterMillis } from './exporter';
export type { OtlpSender } from './exporter';
export {
  arr,
  attrFields,
  encodeRequest,
  intField,
  keyValues,
  listField,
  nanos,
  num,
  obj,
  resourceJson,
  scopeJson,
  str,
  strField,
} from './encode-common';
export type { ResourceLike } from './encode-common';

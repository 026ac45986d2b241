/**
 * otelite/exporters/otlp-http-json: OTLP/HTTP JSON export (traces here; the metrics and logs
 * exporters build on the same sender and encoding helpers), gzip, unload-safe transports, retry.
 * @packageDocumentation
 */
export { OTLPTraceExporter, encodeSpan, encodeTraces } from './traces';
export type { OTLPExporterConfig, OtlpSignal } from './config';
export { createOtlpSender, retryAfterMillis } from './exporter';
export type { OtlpSender } from './exporter';
export {
  anyValue,
  attrFields,
  encodeRequest,
  groupByResourceScope,
  intField,
  keyValues,
  nanos,
  num,
  obj,
  resourceJson,
  scopeJson,
  str,
  strField,
} from './encode-common';
export type { ResourceLike } from './encode-common';

import type { LogRecordExporter, ReadableLogRecord } from '../../logs/sdk-types';
import type { OTLPExporterConfig } from './config';
import { attrFields, attrValue, encodeRequest, intField, keyValues, nanos, strField } from './encode-common';
import { OtlpExporter } from './exporter';

/** The objects of a log `AnyValue`: bytes as `bytesValue` (base64), any other as a `kvlistValue` map. */
const obj = (o: object): string =>
  o instanceof Uint8Array
    ? '{"bytesValue":"' + btoa(Array.from(o, (b) => String.fromCharCode(b)).join('')) + '"}'
    : '{"kvlistValue":{"values":' + keyValues(o as Record<string, unknown>, obj) + '}}';

/**
 * A log body or attribute value as an OTLP JSON `AnyValue`: what `attrValue` of `encode-common.ts`
 * writes, plus `Uint8Array` → `{"bytesValue":"<base64>"}` and other objects (maps) →
 * `{"kvlistValue":{"values":[…]}}`, nested at any depth.
 */
export const anyValue = (v: unknown): string => attrValue(v, obj);

/**
 * One record as an OTLP JSON `LogRecord` message (logs.proto), fields with default values left
 * out. `flags` carries the W3C trace flags in its low byte (LOG_RECORD_FLAGS_TRACE_FLAGS_MASK);
 * ids, flags and `eventName` (OTLP 1.5) only when present.
 */
export function encodeLogRecord(r: ReadableLogRecord): string {
  const sc = r.spanContext;
  return (
    '{"timeUnixNano":' +
    nanos(r.time) +
    ',"observedTimeUnixNano":' +
    nanos(r.observedTime) +
    intField('severityNumber', r.severityNumber) +
    strField('severityText', r.severityText) +
    (r.body != null ? ',"body":' + anyValue(r.body) : '') +
    attrFields(r.attributes, r.droppedAttributesCount, obj) +
    (sc ? intField('flags', sc.traceFlags & 0xff) + ',"traceId":"' + sc.traceId + '","spanId":"' + sc.spanId + '"' : '') +
    strField('eventName', r.eventName) +
    '}'
  );
}

/**
 * Log records as an OTLP `ExportLogsServiceRequest` in JSON text: grouped by resource, then by
 * instrumentation scope; nanosecond times as decimal strings, severity as an integer, the body
 * as an `AnyValue` (maps as `kvlistValue`), hex ids.
 */
export const encodeLogs = (records: ReadableLogRecord[]): string =>
  encodeRequest(
    records,
    'Logs',
    'logRecords',
    encodeLogRecord,
    (r) => r.resource,
    (r) => r.instrumentationScope,
  );

/**
 * Exports log records to an OTLP/HTTP endpoint as JSON (`POST {endpoint}/v1/logs`),
 * gzip-compressed by default; unload-safe in a browser with a `BatchLogRecordProcessor`, like
 * `OTLPTraceExporter` (same options, same sender).
 *
 * @example
 * ```ts
 * new LoggerProvider({
 *   processors: [new BatchLogRecordProcessor(new OTLPLogExporter({ endpoint: 'https://otel.example.com' }))],
 * }).register();
 * ```
 */
export class OTLPLogExporter extends OtlpExporter<ReadableLogRecord> implements LogRecordExporter {
  /** @param config - where and how to send */
  constructor(config?: OTLPExporterConfig) {
    super(config, 'logs', encodeLogs);
  }
}

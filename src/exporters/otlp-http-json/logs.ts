import type { LogRecordExporter, ReadableLogRecord } from '../../logs/sdk-types';
import type { OTLPExporterConfig } from './config';
import { anyValue, attrFields, encodeRequest, intField, nanos, strField } from './encode-common';
import { OtlpExporter } from './exporter';

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
    attrFields(r.attributes, r.droppedAttributesCount) +
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

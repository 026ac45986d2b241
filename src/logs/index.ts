/**
 * otelite/logs: the logs SDK, and the logs API (`logs`, `SeverityNumber`) that libraries use.
 * Records are born in `provider.ts` (`SdkLogger.emit` → `record.ts`) and leave through
 * `processors.ts` to an exporter (`otelite/exporters/otlp-http-json`'s `OTLPLogExporter`).
 * @packageDocumentation
 */
export { logs } from './api';
export { SeverityNumber } from './types';
export type { AnyValue, AnyValueMap, LogAttributes, Logger, LoggerOptions, LogRecord } from './types';
export type { LoggerProvider as ApiLoggerProvider } from './types';
export { LoggerProvider, SdkLogger } from './provider';
export type { LoggerProviderConfig } from './provider';
export { SdkLogRecord, cleanAnyValue } from './record';
export { BatchLogRecordProcessor, SimpleLogRecordProcessor } from './processors';
export type { BatchLogRecordProcessorConfig } from './processors';
export type {
  LogRecordExporter,
  LogRecordLimits,
  LogRecordProcessor,
  LogRecordWriter,
  ReadableLogRecord,
} from './sdk-types';
export type { ExportResult } from '../trace/sdk-types';

import type { Context } from '../context/types';
import type { TimeInput } from '../lib/types';

/**
 * How severe a log record is; the numbers are the OpenTelemetry logs data model's (and
 * `@opentelemetry/api-logs`' `SeverityNumber`). Each of the six ranges has four steps: `ERROR`
 * is 17, `ERROR2`..`ERROR4` are finer grades of it.
 */
export const SeverityNumber = {
  UNSPECIFIED: 0,
  TRACE: 1,
  TRACE2: 2,
  TRACE3: 3,
  TRACE4: 4,
  DEBUG: 5,
  DEBUG2: 6,
  DEBUG3: 7,
  DEBUG4: 8,
  INFO: 9,
  INFO2: 10,
  INFO3: 11,
  INFO4: 12,
  WARN: 13,
  WARN2: 14,
  WARN3: 15,
  WARN4: 16,
  ERROR: 17,
  ERROR2: 18,
  ERROR3: 19,
  ERROR4: 20,
  FATAL: 21,
  FATAL2: 22,
  FATAL3: 23,
  FATAL4: 24,
} as const;
/** One of the {@link SeverityNumber} values. */
export type SeverityNumber = (typeof SeverityNumber)[keyof typeof SeverityNumber];

/** A map from string keys to {@link AnyValue}s (a log body or log attributes). */
export interface AnyValueMap {
  [key: string]: AnyValue;
}

/**
 * What a log body or log attribute may hold: a scalar, bytes, an array of any values (mixed
 * types allowed), a map, or nothing. Same as `@opentelemetry/api-logs`' `AnyValue`.
 */
export type AnyValue = string | number | boolean | Uint8Array | AnyValue[] | AnyValueMap | null | undefined;

/** Log attributes: unlike span attributes they may nest maps and mixed arrays. */
export type LogAttributes = AnyValueMap;

/** What `Logger.emit` takes. Same fields as `@opentelemetry/api-logs`' `LogRecord`. */
export interface LogRecord {
  /** The event's name, for records that are events (`exception`, `browser.web_vital`, ...). */
  eventName?: string;
  /** When it happened (default: now). */
  timestamp?: TimeInput;
  /** When it was observed (default: now). */
  observedTimestamp?: TimeInput;
  /** Numeric severity. */
  severityNumber?: SeverityNumber;
  /** Severity as the source names it (`ERROR`, `warn`, ...). */
  severityText?: string;
  /** The message or structured payload. */
  body?: AnyValue;
  /** Attributes of the record. */
  attributes?: LogAttributes;
  /**
   * An exception: its `name`, `message` and `stack` become `exception.type`,
   * `exception.message` and `exception.stacktrace` unless those attributes are given.
   */
  exception?: unknown;
  /** The context whose span the record belongs to (default: the active context). */
  context?: Context;
}

/** Options of `getLogger`. */
export interface LoggerOptions {
  /** The schema URL of the records. */
  schemaUrl?: string;
  /** Attributes of the instrumentation scope. */
  attributes?: LogAttributes;
}

/** Emits log records. Same shape as `@opentelemetry/api-logs`' `Logger`. */
export interface Logger {
  /** Emits one record; never throws. */
  emit(record: LogRecord): void;
  /** Whether a record would be processed at all (to skip building costly ones). */
  enabled(options?: { context?: Context; severityNumber?: SeverityNumber; eventName?: string }): boolean;
}

/** Hands out loggers. Same shape as `@opentelemetry/api-logs`' `LoggerProvider`. */
export interface LoggerProvider {
  /** A logger for the named library or module. */
  getLogger(name: string, version?: string, options?: LoggerOptions): Logger;
}

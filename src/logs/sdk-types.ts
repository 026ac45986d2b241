import type { Context } from '../context/types';
import type { InstrumentationScope } from '../lib/types';
import type { Resource } from '../trace/resource';
import type { ExportResult } from '../trace/sdk-types';
import type { SpanContext } from '../trace/types';
import type { AnyValue, LogAttributes, SeverityNumber } from './types';

/**
 * What processors and exporters see of a log record. Unlike otel-js's `ReadableLogRecord`,
 * times are epoch milliseconds (numbers with sub-millisecond precision), not `[s, ns]` tuples.
 */
export interface ReadableLogRecord {
  /** When it happened, in epoch milliseconds. */
  readonly time: number;
  /** When it was observed, in epoch milliseconds. */
  readonly observedTime: number;
  /** The span it belongs to: set only when the record's context had a valid span context. */
  readonly spanContext?: SpanContext;
  /** Numeric severity. */
  readonly severityNumber?: SeverityNumber;
  /** Severity text. */
  readonly severityText?: string;
  /** The body. */
  readonly body?: AnyValue;
  /** The event name, for events. */
  readonly eventName?: string;
  /** Its attributes (within the limits). */
  readonly attributes: LogAttributes;
  /** Attributes dropped by the count limit. */
  readonly droppedAttributesCount: number;
  /** The resource of its provider. */
  readonly resource: Resource;
  /** The scope of the logger that emitted it. */
  readonly instrumentationScope: InstrumentationScope;
}

/**
 * Sees each record as it is emitted, and may add to it during `onEmit` (with the record's
 * `setAttribute`/`setAttributes`, within the limits). Same shape as otel-js's `LogRecordProcessor`.
 */
export interface LogRecordProcessor {
  /** A record was emitted in `context`. */
  onEmit(record: ReadableLogRecord & LogRecordWriter, context?: Context): void;
  /** Exports everything pending. */
  forceFlush(): Promise<void>;
  /** Exports everything pending and stops. */
  shutdown(): Promise<void>;
}

/** What a processor may change on a record during `onEmit`. */
export interface LogRecordWriter {
  /** Sets one attribute (invalid values are dropped with a diagnostic, never thrown). */
  setAttribute(key: string, value: AnyValue): this;
  /** Sets several attributes. */
  setAttributes(attributes: LogAttributes): this;
}

/** Sends log records somewhere. Same shape as otel-js's `LogRecordExporter`. */
export interface LogRecordExporter {
  /** Sends `records`, then calls `done` exactly once. */
  export(records: ReadableLogRecord[], done: (result: ExportResult) => void): void;
  /** Stops the exporter after sending what it holds. */
  shutdown(): Promise<void>;
  /** Sends what it holds. */
  forceFlush?(): Promise<void>;
}

/** Bounds on what one record may hold; the defaults are the specification's. */
export interface LogRecordLimits {
  /** Attributes per record (128). */
  attributeCountLimit?: number;
  /** Characters per string value, also inside maps and arrays (unlimited). */
  attributeValueLengthLimit?: number;
}

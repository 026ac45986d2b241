import type { Context } from '../context/types';
import type { Attributes, InstrumentationScope } from '../lib/types';
import type { Resource } from './resource';
import type { Link, SpanContext, SpanKind, SpanStatus } from './types';

/** An event on a span. Times are epoch milliseconds. */
export interface TimedEvent {
  /** The event's name. */
  readonly name: string;
  /** When it happened, in epoch milliseconds. */
  readonly time: number;
  /** Its attributes. */
  readonly attributes: Attributes;
  /** How many attributes the limits dropped. */
  readonly droppedAttributesCount: number;
}

/**
 * What processors and exporters see of a span. Unlike otel-js's `ReadableSpan`, times are
 * epoch milliseconds (numbers, sub-millisecond precision), not `[seconds, nanos]` tuples.
 */
export interface ReadableSpan {
  /** The span's name. */
  readonly name: string;
  /** Its kind. */
  readonly kind: SpanKind;
  /** Its identity. */
  spanContext(): SpanContext;
  /** The parent's identity, when it has a parent. */
  readonly parentSpanContext?: SpanContext | undefined;
  /** Start, in epoch milliseconds. */
  readonly startTime: number;
  /** End, in epoch milliseconds (0 while running). */
  readonly endTime: number;
  /** Whether it has ended. */
  readonly ended: boolean;
  /** Its status. */
  readonly status: SpanStatus;
  /** Its attributes. */
  readonly attributes: Attributes;
  /** Its links. */
  readonly links: Link[];
  /** Its events. */
  readonly events: TimedEvent[];
  /** The resource of its provider. */
  readonly resource: Resource;
  /** The scope of the tracer that made it. */
  readonly instrumentationScope: InstrumentationScope;
  /** Attributes dropped by the limits. */
  readonly droppedAttributesCount: number;
  /** Events dropped by the limits. */
  readonly droppedEventsCount: number;
  /** Links dropped by the limits. */
  readonly droppedLinksCount: number;
}

/** The outcome of an export; codes match otel-js's `ExportResultCode`. */
export interface ExportResult {
  /** 0 success, 1 failure. */
  code: 0 | 1;
  /** What went wrong. */
  error?: Error;
}

/** Sends finished spans somewhere. Same shape as otel-js's `SpanExporter`. */
export interface SpanExporter {
  /** Sends `spans`, then calls `done` exactly once. */
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void;
  /** Stops the exporter after sending what it holds. */
  shutdown(): Promise<void>;
  /** Sends what it holds. */
  forceFlush?(): Promise<void>;
}

/** Sees spans start and end. Same shape as otel-js's `SpanProcessor`. */
export interface SpanProcessor {
  /** A span started in `parentContext`. */
  onStart(span: ReadableSpan, parentContext: Context): void;
  /** A span ended. */
  onEnd(span: ReadableSpan): void;
  /** Exports everything pending. */
  forceFlush(): Promise<void>;
  /** Exports everything pending and stops. */
  shutdown(): Promise<void>;
}

/** Bounds on what one span may hold; the defaults are the specification's. */
export interface SpanLimits {
  /** Attributes per span (128). */
  attributeCountLimit?: number;
  /** Characters per string attribute value (unlimited). */
  attributeValueLengthLimit?: number;
  /** Events per span (128). */
  eventCountLimit?: number;
  /** Links per span (128). */
  linkCountLimit?: number;
  /** Attributes per event (128). */
  attributePerEventCountLimit?: number;
  /** Attributes per link (128). */
  attributePerLinkCountLimit?: number;
}

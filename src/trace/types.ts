import type { Context } from '../context/types';
import type { Attributes, AttributeValue, TimeInput } from '../lib/types';

/** What a span represents; the numbers match `@opentelemetry/api`'s `SpanKind`. */
export const SpanKind = {
  INTERNAL: 0,
  SERVER: 1,
  CLIENT: 2,
  PRODUCER: 3,
  CONSUMER: 4,
} as const;
/** One of the {@link SpanKind} values. */
export type SpanKind = (typeof SpanKind)[keyof typeof SpanKind];

/** A span's status code; the numbers match `@opentelemetry/api` and OTLP. */
export const SpanStatusCode = {
  UNSET: 0,
  OK: 1,
  ERROR: 2,
} as const;
/** One of the {@link SpanStatusCode} values. */
export type SpanStatusCode = (typeof SpanStatusCode)[keyof typeof SpanStatusCode];

/** W3C trace flags; bit 0 is "sampled". */
export const TraceFlags = {
  NONE: 0,
  SAMPLED: 1,
} as const;
/** A trace-flags byte. */
export type TraceFlags = number;

/** The vendor list of the W3C `tracestate` header, immutable. */
export interface TraceState {
  /** A new state with `key` set to `value`, moved to the front as the spec requires. */
  set(key: string, value: string): TraceState;
  /** A new state without `key`. */
  unset(key: string): TraceState;
  /** The value of `key`. */
  get(key: string): string | undefined;
  /** The header value. */
  serialize(): string;
}

/** What identifies a span across processes. */
export interface SpanContext {
  /** 32 lowercase hex characters, not all zero. */
  traceId: string;
  /** 16 lowercase hex characters, not all zero. */
  spanId: string;
  /** Whether the context came from another process. */
  isRemote?: boolean;
  /** W3C trace flags. */
  traceFlags: TraceFlags;
  /** W3C trace state. */
  traceState?: TraceState;
}

/** A span's status. */
export interface SpanStatus {
  /** The code. */
  code: SpanStatusCode;
  /** A description, kept only with ERROR. */
  message?: string;
}

/** A link to another span. */
export interface Link {
  /** The linked span. */
  context: SpanContext;
  /** Attributes of the link. */
  attributes?: Attributes;
  /** How many attributes the limits dropped. */
  droppedAttributesCount?: number;
}

/** Something thrown, or a description of it. */
export type Exception =
  | string
  | { code?: string | number; message?: string; name?: string; stack?: string };

/** Options of `startSpan` and `startActiveSpan`. */
export interface SpanOptions {
  /** The kind, INTERNAL by default. */
  kind?: SpanKind;
  /** Attributes known at start (the sampler sees them). */
  attributes?: Attributes;
  /** Links to other spans. */
  links?: Link[];
  /** The start time, now by default. */
  startTime?: TimeInput;
  /** Start a new trace, ignoring the parent in the context. */
  root?: boolean;
}

/** A unit of work. Same shape as `@opentelemetry/api`'s `Span`. */
export interface Span {
  /** The span's identity. */
  spanContext(): SpanContext;
  /** Sets one attribute; invalid keys or values are dropped. */
  setAttribute(key: string, value: AttributeValue): this;
  /** Sets several attributes. */
  setAttributes(attributes: Attributes): this;
  /** Adds an event. */
  addEvent(name: string, attributesOrStartTime?: Attributes | TimeInput, startTime?: TimeInput): this;
  /** Adds a link. */
  addLink(link: Link): this;
  /** Adds links. */
  addLinks(links: Link[]): this;
  /** Sets the status (OK is final; UNSET is ignored). */
  setStatus(status: SpanStatus): this;
  /** Renames the span. */
  updateName(name: string): this;
  /** Ends the span; later calls are ignored. */
  end(endTime?: TimeInput): void;
  /** Whether the span records what it is told. */
  isRecording(): boolean;
  /** Adds an `exception` event. */
  recordException(exception: Exception, time?: TimeInput): void;
}

/** Creates spans. Same shape as `@opentelemetry/api`'s `Tracer`. */
export interface Tracer {
  /** Starts a span; it does not become active. */
  startSpan(name: string, options?: SpanOptions, context?: Context): Span;
  /** Starts a span, makes it active while `fn` runs, returns what `fn` returns. */
  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  /** {@inheritDoc Tracer.startActiveSpan} */
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  /** {@inheritDoc Tracer.startActiveSpan} */
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    context: Context,
    fn: F,
  ): ReturnType<F>;
}

/** Options of `getTracer`. */
export interface TracerOptions {
  /** The schema URL of the spans. */
  schemaUrl?: string;
}

/** Hands out tracers. Same shape as `@opentelemetry/api`'s `TracerProvider`. */
export interface TracerProvider {
  /** The tracer of the named library. */
  getTracer(name: string, version?: string, options?: TracerOptions): Tracer;
}

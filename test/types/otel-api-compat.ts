/**
 * Type-level contract: otelite's API and SDK types stay assignable to `@opentelemetry/api`'s,
 * so code written for the OpenTelemetry API accepts otelite objects (and contexts and spans flow
 * both ways). Nothing here runs: `npx tsc -p tsconfig.json` fails when the shapes drift.
 */
import type * as otel from '@opentelemetry/api';
import type { Context, ContextManager } from '../../src/context/types';
import type { StackContextManager } from '../../src/context/stack';
import type { Attributes, HrTime, TimeInput } from '../../src/lib/types';
import type { NonRecordingSpan } from '../../src/trace/non-recording-span';
import type { CompositePropagator } from '../../src/trace/propagation/composite';
import type { W3CBaggagePropagator } from '../../src/trace/propagation/baggage';
import type { W3CTraceContextPropagator } from '../../src/trace/propagation/trace-context';
import type {
  Baggage,
  BaggageEntry,
  TextMapGetter,
  TextMapPropagator,
  TextMapSetter,
} from '../../src/trace/propagation/types';
import type { TracerProvider as SdkTracerProvider } from '../../src/trace/provider';
import type { RecordingSpan } from '../../src/trace/span';
import type { SdkTracer } from '../../src/trace/tracer';
import type {
  Exception,
  Link,
  Span,
  SpanContext,
  SpanKind,
  SpanOptions,
  SpanStatus,
  SpanStatusCode,
  TraceState,
  Tracer,
  TracerOptions,
  TracerProvider,
} from '../../src/trace/types';

/** Compiles only when `From` is assignable to `To`. */
type Is<From extends To, To> = [From, To];

// ---- the API types named by the issue: ours → @opentelemetry/api ----
export type ApiToOtel = [
  Is<Tracer, otel.Tracer>,
  Is<Span, otel.Span>,
  Is<Context, otel.Context>,
  Is<ContextManager, otel.ContextManager>,
  Is<TextMapPropagator, otel.TextMapPropagator>,
  Is<TracerProvider, otel.TracerProvider>,
];

// ---- the SDK's classes → @opentelemetry/api ----
export type SdkToOtel = [
  Is<SdkTracer, otel.Tracer>,
  Is<RecordingSpan, otel.Span>,
  Is<NonRecordingSpan, otel.Span>,
  Is<SdkTracerProvider, otel.TracerProvider>,
  Is<StackContextManager, otel.ContextManager>,
  Is<W3CTraceContextPropagator, otel.TextMapPropagator>,
  Is<W3CBaggagePropagator, otel.TextMapPropagator>,
  Is<CompositePropagator, otel.TextMapPropagator>,
];

// ---- what flows in from code written for @opentelemetry/api: theirs → ours ----
export type OtelToOurs = [
  Is<otel.Context, Context>,
  Is<otel.ContextManager, ContextManager>,
  Is<otel.Span, Span>,
  Is<otel.SpanContext, SpanContext>,
  Is<otel.TraceState, TraceState>,
  Is<otel.TextMapPropagator, TextMapPropagator>,
  Is<otel.TextMapGetter, TextMapGetter>,
  Is<otel.TextMapSetter, TextMapSetter>,
  Is<otel.Tracer, Tracer>,
  Is<otel.TracerProvider, TracerProvider>,
];

// ---- the value types both sides pass around, both ways ----
export type Values = [
  Is<SpanContext, otel.SpanContext>,
  Is<TraceState, otel.TraceState>,
  Is<Link, otel.Link>,
  Is<otel.Link, Link>,
  Is<SpanOptions, otel.SpanOptions>,
  Is<otel.SpanOptions, SpanOptions>,
  Is<SpanStatus, otel.SpanStatus>,
  Is<otel.SpanStatus, SpanStatus>,
  Is<SpanKind, otel.SpanKind>,
  Is<otel.SpanKind, SpanKind>,
  Is<SpanStatusCode, otel.SpanStatusCode>,
  Is<otel.SpanStatusCode, SpanStatusCode>,
  Is<Attributes, otel.Attributes>,
  Is<otel.Attributes, Attributes>,
  Is<TimeInput, otel.TimeInput>,
  Is<otel.TimeInput, TimeInput>,
  Is<HrTime, otel.HrTime>,
  Is<otel.Exception, Exception>,
  Is<TracerOptions, otel.TracerOptions>,
  // Not ours → theirs: @opentelemetry/api brands BaggageEntryMetadata with a `unique symbol`
  // (only its own baggageEntryMetadataFromString can make one), so no other library's baggage
  // type can be assignable to its Baggage. Theirs → ours is what matters: baggage set through
  // @opentelemetry/api is read by otelite's propagator.
  Is<otel.Baggage, Baggage>,
  Is<otel.BaggageEntry, BaggageEntry>,
  Is<TextMapGetter, otel.TextMapGetter>,
  Is<TextMapSetter, otel.TextMapSetter>,
];

// ---- usage: what an app writes when it mixes both ----
declare const api: typeof import('@opentelemetry/api');
declare const tracer: SdkTracer;
declare const span: RecordingSpan;
declare const provider: SdkTracerProvider;
declare const manager: StackContextManager;
declare const propagator: CompositePropagator;
declare const ctx: Context;

export function usage(): void {
  api.trace.setGlobalTracerProvider(provider);
  api.context.setGlobalContextManager(manager);
  api.propagation.setGlobalPropagator(propagator);
  const theirCtx: otel.Context = api.trace.setSpan(ctx, span);
  const ourCtx: Context = api.trace.setSpan(api.context.active(), span);
  const theirTracer: otel.Tracer = tracer;
  // every startActiveSpan overload, with callbacks typed against @opentelemetry/api
  const a: number = theirTracer.startActiveSpan('a', (s: otel.Span) => (s.end(), 1));
  const b: Promise<string> = theirTracer.startActiveSpan('b', { kind: api.SpanKind.CLIENT }, async () => 'b');
  const c: void = theirTracer.startActiveSpan('c', {}, theirCtx, (s) => s.end());
  // and on our side, with their enums and contexts
  const d: boolean = tracer.startActiveSpan('d', { kind: api.SpanKind.SERVER }, api.ROOT_CONTEXT, (s) => s.isRecording());
  span.setStatus({ code: api.SpanStatusCode.ERROR, message: 'm' });
  span.addLink({ context: api.trace.wrapSpanContext(api.INVALID_SPAN_CONTEXT).spanContext() });
  void [ourCtx, a, b, c, d];
}

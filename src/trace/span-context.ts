import type { SpanContext } from './types';

// lowercase hex of the right length, not all zero
const TRACE_ID = /^(?!0+$)[\da-f]{32}$/;
const SPAN_ID = /^(?!0+$)[\da-f]{16}$/;
const INVALID_TRACE = '0'.repeat(32);

/** A trace id that is 32 lowercase hex characters and not all zero. */
export const isValidTraceId = (id: string): boolean => TRACE_ID.test(id);

/** A span id that is 16 lowercase hex characters and not all zero. */
export const isValidSpanId = (id: string): boolean => SPAN_ID.test(id);

/** Whether both ids of `sc` are valid. */
export const isSpanContextValid = (sc: SpanContext | undefined): sc is SpanContext =>
  !!sc && isValidTraceId(sc.traceId) && isValidSpanId(sc.spanId);

/** The span context whose ids the SDK wrote out last (see {@link wrote}). */
let last: SpanContext | undefined;

/**
 * Notes that the SDK has just written out valid ids into `sc` (the built-in generator's are valid
 * by construction), so that {@link isKnownValid} need not check them again: the trace headers of
 * a traced request are injected right after its span's ids are written (by whichever propagator),
 * and a log record in a span reads them right after; the two id regexes were most of an
 * injection's cost. (Not inside {@link isSpanContextValid}: that is in the API-only bundle,
 * whose 1 KB budget the extra state would break; every SDK-side caller uses this one.)
 */
export const wrote = (sc: SpanContext): SpanContext => (last = sc);

/** {@link isSpanContextValid}, without the regexes for the context the SDK wrote out last. */
export const isKnownValid = (sc: SpanContext | undefined): sc is SpanContext => (sc && sc === last) || isSpanContextValid(sc);

/** The all-zero span context of spans that are not real. */
export const INVALID_SPAN_CONTEXT: SpanContext = {
  traceId: INVALID_TRACE,
  spanId: INVALID_TRACE.slice(16),
  traceFlags: 0,
};

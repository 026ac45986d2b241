import type { SpanContext } from './types';

const TRACE_ID = /^[\da-f]{32}$/;
const SPAN_ID = /^[\da-f]{16}$/;
const INVALID_TRACE = '0'.repeat(32);
const INVALID_SPAN = INVALID_TRACE.slice(16);

/** A trace id that is 32 lowercase hex characters and not all zero. */
export const isValidTraceId = (id: string): boolean => TRACE_ID.test(id) && id != INVALID_TRACE;

/** A span id that is 16 lowercase hex characters and not all zero. */
export const isValidSpanId = (id: string): boolean => SPAN_ID.test(id) && id != INVALID_SPAN;

/** Whether both ids of `sc` are valid. */
export const isSpanContextValid = (sc: SpanContext | undefined): sc is SpanContext =>
  !!sc && isValidTraceId(sc.traceId) && isValidSpanId(sc.spanId);

/** The all-zero span context of spans that are not real. */
export const INVALID_SPAN_CONTEXT: SpanContext = {
  traceId: INVALID_TRACE,
  spanId: INVALID_SPAN,
  traceFlags: 0,
};

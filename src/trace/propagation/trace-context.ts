import type { Context } from '../../context/types';
import { isTracingSuppressed } from '../../lib/suppress';
import { getSpanContext, setSpanContext } from '../api';
import { isKnownValid } from '../span-context';
import type { SpanContext } from '../types';
import { createTraceState } from './trace-state';
import type { TextMapGetter, TextMapPropagator, TextMapSetter } from './types';

/** The W3C `traceparent` header name. */
export const TRACE_PARENT_HEADER = 'traceparent';
/** The W3C `tracestate` header name. */
export const TRACE_STATE_HEADER = 'tracestate';

/*
 * version "-" trace-id "-" parent-id "-" trace-flags, lowercase hex only, OWS (SP / HTAB) around
 * the value allowed. Version ff and all-zero ids are invalid. Anything after the flags must
 * start with "-" and is only allowed for versions above 00 ("Versioning of traceparent"); it holds
 * no comma, which only repeated headers joined into one value put there.
 */
const TRACE_PARENT =
  /^[ \t]*((?!ff)[\da-f]{2})-((?!0{32})[\da-f]{32})-((?!0{16})[\da-f]{16})-([\da-f]{2})(-[^,]*)?[ \t]*$/;

/**
 * Parses one `traceparent` value (W3C Trace Context Level 2) into a remote span context, or
 * `undefined` when it is not valid. Trace flags are kept as sent; bit 0 is "sampled", bit 1
 * "random trace id". Also used for `<meta name="traceparent">` and `Server-Timing` values.
 */
export const parseTraceParent = (value: string): SpanContext | undefined => {
  const m = TRACE_PARENT.exec(value);
  return m && (m[1] != '00' || !m[5])
    ? { traceId: m[2], spanId: m[3], traceFlags: parseInt(m[4], 16), isRemote: true }
    : undefined;
};

/**
 * The W3C Trace Context propagator (`traceparent`, `tracestate`), Level 2.
 *
 * Repeated `traceparent` headers make the context invalid: combined as RFC 9110 5.3 says, they
 * form a value the grammar rejects (a comma after the flags, also in a future version's fields), and the W3C conformance suite (`test_traceparent_duplicated`)
 * expects a new trace. Repeated `tracestate` headers are combined with ",". `tracestate` is read
 * only when `traceparent` is valid.
 */
export class W3CTraceContextPropagator implements TextMapPropagator {
  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    const sc = getSpanContext(ctx);
    if (isTracingSuppressed(ctx) || !isKnownValid(sc)) return;
    // only the sampled and random-trace-id flags are defined; others MUST be sent as zero
    setter.set(carrier, TRACE_PARENT_HEADER, `00-${sc.traceId}-${sc.spanId}-0${sc.traceFlags & 3}`);
    const ts = sc.traceState?.serialize();
    if (ts) setter.set(carrier, TRACE_STATE_HEADER, ts);
  }

  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    const tp = getter.get(carrier, TRACE_PARENT_HEADER);
    // String() joins an array with ",": one value stays itself, several become invalid
    const sc = tp && parseTraceParent(String(tp));
    if (!sc) return ctx;
    const ts = getter.get(carrier, TRACE_STATE_HEADER);
    if (ts) sc.traceState = createTraceState(String(ts));
    return setSpanContext(ctx, sc);
  }

  fields(): string[] {
    return [TRACE_PARENT_HEADER, TRACE_STATE_HEADER];
  }
}

import { createContextKey } from '../../context/context';
import type { Context } from '../../context/types';
import { isTracingSuppressed } from '../../lib/suppress';
import { getSpanContext, setSpanContext } from '../api';
import { isKnownValid, isValidSpanId, isValidTraceId } from '../span-context';
import type { TextMapGetter, TextMapPropagator, TextMapSetter } from './types';

/** The single B3 header. */
export const B3_CONTEXT_HEADER = 'b3';
/** The multi-header B3 trace id. */
export const X_B3_TRACE_ID = 'x-b3-traceid';
/** The multi-header B3 span id. */
export const X_B3_SPAN_ID = 'x-b3-spanid';
/** The multi-header B3 sampling decision. */
export const X_B3_SAMPLED = 'x-b3-sampled';
/** The multi-header B3 parent span id (read by nobody here, listed in `fields()`). */
export const X_B3_PARENT_SPAN_ID = 'x-b3-parentspanid';
/** The multi-header B3 debug flag. */
export const X_B3_FLAGS = 'x-b3-flags';

/** How {@link B3Propagator} writes headers; the numbers match opentelemetry-js's enum. */
export const B3InjectEncoding = {
  /** `b3: {traceId}-{spanId}-{sampling}` */
  SINGLE_HEADER: 0,
  /** `X-B3-TraceId`, `X-B3-SpanId`, `X-B3-Sampled` / `X-B3-Flags` */
  MULTI_HEADER: 1,
} as const;
/** One of the {@link B3InjectEncoding} values. */
export type B3InjectEncoding = (typeof B3InjectEncoding)[keyof typeof B3InjectEncoding];

/** Options of {@link B3Propagator}. */
export interface B3PropagatorConfig {
  /** Which form to inject; single header by default. Both forms are always extracted. */
  injectEncoding?: B3InjectEncoding;
}

/**
 * Where an extracted debug flag is kept so that it is injected again; the same key as
 * opentelemetry-js's B3 propagator (which stores `'1'` from multi and `'d'` from single headers).
 */
const DEBUG_KEY = createContextKey('OpenTelemetry Context Key B3 Debug Flag');

/** {TraceId}-{SpanId}[-{SamplingState}][-{ParentSpanId}], ids lower-hex, 64- or 128-bit trace id. */
const SINGLE = /^[ \t]*([\da-f]{16}|[\da-f]{32})-([\da-f]{16})(?:-([01d]))?(?:-[\da-f]{16})?[ \t]*$/;
const SAMPLED = /^(1|true|d)$/i;
const UNSAMPLED = /^(0|false)$/i;

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** A 64-bit trace id as the 128-bit one it stands for (left-padded with zeros). */
const pad = (id: string): string => id.padStart(32, '0');

/**
 * The B3 propagator (https://github.com/openzipkin/b3-propagation). Extracts the single `b3`
 * header when present, else the `X-B3-*` headers; injects the form chosen in the config. The
 * debug flag (`d`, `X-B3-Flags: 1`) means sampled and is carried on to outgoing requests.
 */
export class B3Propagator implements TextMapPropagator {
  private readonly m: boolean;
  constructor(config: B3PropagatorConfig = {}) {
    this.m = config.injectEncoding === B3InjectEncoding.MULTI_HEADER;
  }

  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    const sc = getSpanContext(ctx);
    if (isTracingSuppressed(ctx) || !isKnownValid(sc)) return;
    const debug = !!ctx.getValue(DEBUG_KEY);
    const sampled = sc.traceFlags & 1;
    if (!this.m) {
      setter.set(carrier, B3_CONTEXT_HEADER, `${sc.traceId}-${sc.spanId}-${debug ? 'd' : sampled}`);
      return;
    }
    setter.set(carrier, X_B3_TRACE_ID, sc.traceId);
    setter.set(carrier, X_B3_SPAN_ID, sc.spanId);
    // the spec: with the debug flag, X-B3-Sampled is not sent (debug implies accept)
    if (debug) setter.set(carrier, X_B3_FLAGS, '1');
    else setter.set(carrier, X_B3_SAMPLED, '' + sampled);
  }

  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    const single = first(getter.get(carrier, B3_CONTEXT_HEADER));
    let traceId: string | undefined;
    let spanId: string | undefined;
    let flags = 0;
    let debug: string | undefined;
    if (single) {
      const m = SINGLE.exec(single);
      if (!m) return ctx;
      traceId = pad(m[1]);
      spanId = m[2];
      if (m[3] == 'd') debug = 'd';
      flags = m[3] == '1' || debug ? 1 : 0;
    } else {
      const t = first(getter.get(carrier, X_B3_TRACE_ID));
      spanId = first(getter.get(carrier, X_B3_SPAN_ID));
      const s = first(getter.get(carrier, X_B3_SAMPLED));
      if (first(getter.get(carrier, X_B3_FLAGS)) === '1') debug = '1';
      if (debug || (s && SAMPLED.test(s))) flags = 1;
      else if (s && !UNSAMPLED.test(s)) return ctx;
      if (t && (t.length == 16 || t.length == 32)) traceId = pad(t);
    }
    if (!traceId || !spanId || !isValidTraceId(traceId) || !isValidSpanId(spanId)) return ctx;
    if (debug) ctx = ctx.setValue(DEBUG_KEY, debug);
    return setSpanContext(ctx, { traceId, spanId, traceFlags: flags, isRemote: true });
  }

  fields(): string[] {
    return this.m
      ? [X_B3_TRACE_ID, X_B3_SPAN_ID, X_B3_FLAGS, X_B3_SAMPLED, X_B3_PARENT_SPAN_ID]
      : [B3_CONTEXT_HEADER];
  }
}

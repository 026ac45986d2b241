import type { Context } from '../../context/types';
import { isTracingSuppressed } from '../../lib/suppress';
import { getSpanContext, setSpanContext } from '../api';
import { isKnownValid, isValidSpanId, isValidTraceId } from '../span-context';
import { createBaggage, getBaggage, percentDecode, setBaggage } from './baggage';
import type { TextMapGetter, TextMapPropagator, TextMapSetter } from './types';

/** The Jaeger trace header. */
export const UBER_TRACE_ID_HEADER = 'uber-trace-id';
/** The prefix of Jaeger baggage headers (`uberctx-{key}`). */
export const UBER_BAGGAGE_HEADER_PREFIX = 'uberctx';

/** Options of {@link JaegerPropagator}. */
export interface JaegerPropagatorConfig {
  /** Another name for the trace header. */
  customTraceHeader?: string;
  /** Another prefix for the baggage headers. */
  customBaggageHeaderPrefix?: string;
}

/**
 * `{trace-id}:{span-id}:{parent-span-id}:{flags}`: hex ids of any length up to 128/64 bits
 * (left-padded with zeros), the parent id is deprecated (any hex, usually `0`), flags one byte
 * in hex of which bit 0 is "sampled" (bit 1 is Jaeger's debug flag, not W3C's random flag).
 */
const UBER = /^[ \t]*([\da-f]{1,32}):([\da-f]{1,16}):[\da-f]{1,16}:([\da-f]{1,2})[ \t]*$/i;
const TOKEN = /^[!#-'*+.\dA-Z^-z|~-]+$/;

/**
 * The Jaeger propagator (https://www.jaegertracing.io/docs/client-libraries/#propagation-format):
 * `uber-trace-id` (also URL-encoded) and `uberctx-*` baggage headers.
 */
export class JaegerPropagator implements TextMapPropagator {
  private readonly h: string;
  private readonly b: string;
  /** `config` may also be just the name of the trace header. */
  constructor(config: JaegerPropagatorConfig | string = {}) {
    const c = typeof config == 'string' ? { customTraceHeader: config } : config;
    this.h = c.customTraceHeader || UBER_TRACE_ID_HEADER;
    this.b = (c.customBaggageHeaderPrefix || UBER_BAGGAGE_HEADER_PREFIX) + '-';
  }

  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    if (isTracingSuppressed(ctx)) return;
    const sc = getSpanContext(ctx);
    if (isKnownValid(sc)) setter.set(carrier, this.h, `${sc.traceId}:${sc.spanId}:0:0${sc.traceFlags & 1}`);
    for (const [k, e] of getBaggage(ctx)?.getAllEntries() ?? []) {
      try {
        // a key that is not a header-name token cannot be sent
        if (TOKEN.test(k)) setter.set(carrier, this.b + k, encodeURIComponent(e.value));
      } catch {
        // lone surrogate in the value: that entry cannot be encoded
      }
    }
  }

  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    const v = getter.get(carrier, this.h);
    const m = UBER.exec(percentDecode(String(Array.isArray(v) ? v[0] : v)));
    if (m) {
      const traceId = m[1].padStart(32, '0').toLowerCase();
      const spanId = m[2].padStart(16, '0').toLowerCase();
      if (isValidTraceId(traceId) && isValidSpanId(spanId)) {
        ctx = setSpanContext(ctx, { traceId, spanId, traceFlags: parseInt(m[3], 16) & 1, isRemote: true });
      }
    }
    const before = getBaggage(ctx);
    let bag = before;
    const n = this.b.length;
    for (const k of getter.keys(carrier)) {
      if (k.length > n && k.slice(0, n).toLowerCase() == this.b) {
        const val = getter.get(carrier, k);
        const s = Array.isArray(val) ? val[0] : val;
        if (typeof s == 'string') bag = (bag || createBaggage()).setEntry(k.slice(n), { value: percentDecode(s) });
      }
    }
    return bag && bag != before ? setBaggage(ctx, bag) : ctx;
  }

  fields(): string[] {
    return [this.h];
  }
}

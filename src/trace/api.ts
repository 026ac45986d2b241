import { context } from '../context/api';
import type { Context } from '../context/types';
import { globals, setGlobal } from '../lib/global';
import { NonRecordingSpan } from './non-recording-span';
import { isSpanContextValid } from './span-context';
import type { Span, SpanContext, SpanOptions, Tracer, TracerOptions, TracerProvider } from './types';

/** The key of the active span; the same symbol `@opentelemetry/api` uses (what `createContextKey` makes). */
export const SPAN_KEY: symbol = Symbol.for('OpenTelemetry Context Key SPAN');

/** The span stored in `ctx`. */
export const getSpan = (ctx: Context): Span | undefined => ctx.getValue(SPAN_KEY) as Span | undefined;

/** `ctx` with `span` as its span. */
export const setSpan = (ctx: Context, span: Span): Context => ctx.setValue(SPAN_KEY, span);

/** `ctx` without a span. */
export const deleteSpan = (ctx: Context): Context => ctx.deleteValue(SPAN_KEY);

/** Wraps a span context (a remote parent, say) in a span that records nothing. */
export const wrapSpanContext = (sc: SpanContext): Span => new NonRecordingSpan(sc);

/** `ctx` with a non-recording span that carries `sc`. */
export const setSpanContext = (ctx: Context, sc: SpanContext): Context => setSpan(ctx, wrapSpanContext(sc));

/** The span context of the span in `ctx`. */
export const getSpanContext = (ctx: Context): SpanContext | undefined => getSpan(ctx)?.spanContext();

/**
 * `startActiveSpan` for every tracer: sorts out the overloads, starts the span in the given or
 * active context and runs `fn` with the span active. Shared so the SDK tracer and the no-op
 * tracer cannot disagree. Without a function it starts nothing and returns undefined, with a
 * diagnostic from an SDK tracer (otel-js throws a TypeError): instrumentation must never throw
 * into the host.
 */
export function startActiveSpan(this: Tracer, name: string, a: unknown, b?: unknown, c?: unknown): unknown {
  const fn = typeof a == 'function' ? a : typeof b == 'function' ? b : c;
  if (typeof fn == 'function') {
    const ctx = (fn == c && (b as Context)) || context.active();
    const span = this.startSpan(name, fn == a ? undefined : (a as SpanOptions), ctx);
    return context.with(setSpan(ctx, span), fn as (s: Span) => unknown, undefined, span);
  }
  // the SDK's tracer reports it (the API alone has no diagnostics, to stay small)
  (this as { w?(): void }).w?.();
}

const provider = (): TracerProvider | undefined => globals().t as TracerProvider | undefined;

/**
 * The API's tracer. Before an SDK is registered its spans carry the parent's context and
 * record nothing; it looks the SDK up on each use, so libraries that take their tracer at import
 * time start recording once the app registers one (it then keeps the SDK's tracer).
 */
class ProxyTracer implements Tracer {
  private d?: Tracer;
  /** @param a - the arguments of `getTracer` */
  constructor(private readonly a: [name: string, version?: string, options?: TracerOptions]) {}
  startSpan(name: string, opts?: SpanOptions, ctx?: Context): Span {
    const p = provider();
    const t = this.d || (p && (this.d = p.getTracer(...this.a)));
    if (t) return t.startSpan(name, opts, ctx);
    const parent = opts?.root ? undefined : getSpanContext(ctx || context.active());
    return new NonRecordingSpan(isSpanContextValid(parent) ? parent : undefined);
  }
  startActiveSpan = startActiveSpan as Tracer['startActiveSpan'];
}

/** The trace API, shaped like `@opentelemetry/api`'s `trace`. */
export const trace = {
  /** A tracer for the named library; a working one once an SDK is registered. */
  getTracer: (...a: [name: string, version?: string, options?: TracerOptions]): Tracer =>
    provider()?.getTracer(...a) || new ProxyTracer(a),
  /** The registered tracer provider, or a no-op one. */
  getTracerProvider: (): TracerProvider => provider() || trace,
  /** Installs the global tracer provider; false when one is installed already. */
  setGlobalTracerProvider: (p: TracerProvider): boolean => setGlobal('t', p),
  /** Removes the global tracer provider. */
  disable(): void {
    globals().t = undefined;
  },
  /** The span active right now. */
  getActiveSpan: (): Span | undefined => getSpan(context.active()),
  getSpan,
  setSpan,
  deleteSpan,
  getSpanContext,
  setSpanContext,
  wrapSpanContext,
  isSpanContextValid,
};

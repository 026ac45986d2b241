import { context } from '../context/api';
import { createContextKey } from '../context/context';
import type { Context } from '../context/types';
import { globals } from '../lib/global';
import { NonRecordingSpan } from './non-recording-span';
import { isSpanContextValid } from './span-context';
import type { Span, SpanContext, SpanOptions, Tracer, TracerOptions, TracerProvider } from './types';

/** The key of the active span; the same symbol `@opentelemetry/api` uses. */
export const SPAN_KEY: symbol = createContextKey('OpenTelemetry Context Key SPAN');

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
 * tracer cannot disagree.
 */
export function startActiveSpan(
  this: Tracer,
  name: string,
  a: unknown,
  b?: unknown,
  c?: unknown,
): unknown {
  const [opts, parent, fn] =
    typeof a == 'function'
      ? [undefined, undefined, a]
      : typeof b == 'function'
        ? [a, undefined, b]
        : [a, b, c];
  const ctx = (parent as Context | undefined) ?? context.active();
  const span = this.startSpan(name, opts as SpanOptions | undefined, ctx);
  return context.with(setSpan(ctx, span), fn as (s: Span) => unknown, undefined, span);
}

/** The tracer of the API when no SDK is installed: spans carry the parent's context, nothing more. */
class NoopTracer implements Tracer {
  startSpan(_name: string, opts?: SpanOptions, ctx: Context = context.active()): Span {
    const parent = opts?.root ? undefined : getSpanContext(ctx);
    return new NonRecordingSpan(isSpanContextValid(parent) ? parent : undefined);
  }
  startActiveSpan = startActiveSpan as Tracer['startActiveSpan'];
}

const provider = (): TracerProvider | undefined => globals().t as TracerProvider | undefined;

/**
 * A tracer handed out before an SDK is installed. It looks the real tracer up on each use, so
 * libraries that take their tracer at import time start recording once the app registers an
 * SDK.
 */
class ProxyTracer implements Tracer {
  private d?: Tracer;
  constructor(
    private readonly n: string,
    private readonly v?: string,
    private readonly o?: TracerOptions,
  ) {}
  private t(): Tracer {
    const p = provider();
    return this.d || (p ? (this.d = p.getTracer(this.n, this.v, this.o)) : new NoopTracer());
  }
  startSpan(name: string, opts?: SpanOptions, ctx?: Context): Span {
    return this.t().startSpan(name, opts, ctx);
  }
  startActiveSpan = startActiveSpan as Tracer['startActiveSpan'];
}

/** The trace API, shaped like `@opentelemetry/api`'s `trace`. */
export const trace = {
  /** A tracer for the named library; a working one once an SDK is registered. */
  getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
    return provider()?.getTracer(name, version, options) ?? new ProxyTracer(name, version, options);
  },
  /** The registered tracer provider, or a no-op one. */
  getTracerProvider(): TracerProvider {
    return provider() ?? trace;
  },
  /** Installs the global tracer provider; false when one is installed already. */
  setGlobalTracerProvider(p: TracerProvider): boolean {
    const g = globals();
    if (g.t) return false;
    g.t = p;
    return true;
  },
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

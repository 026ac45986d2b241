import { trace as otelTrace, ROOT_CONTEXT as OTEL_ROOT } from '@opentelemetry/api';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { context } from '../context/api';
import { ROOT_CONTEXT } from '../context/context';
import { StackContextManager } from '../context/stack';
import type { Context } from '../context/types';
import {
  deleteSpan,
  getSpan,
  getSpanContext,
  setSpan,
  setSpanContext,
  SPAN_KEY,
  startActiveSpan,
  trace,
  wrapSpanContext,
} from './api';
import { NonRecordingSpan } from './non-recording-span';
import { INVALID_SPAN_CONTEXT } from './span-context';
import type { Span, SpanContext, SpanOptions, Tracer, TracerProvider } from './types';

const KEY = Symbol.for('otelite');
const PARENT: SpanContext = {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: 1,
  isRemote: true,
};

beforeEach(() => {
  delete (globalThis as { [KEY]?: unknown })[KEY];
});

const withStack = (): void => {
  context.setGlobalContextManager(new StackContextManager().enable());
};

/** A provider whose tracer hands out NonRecordingSpans carrying a fixed, recognisable context. */
function fakeProvider() {
  const started: { name: string; opts?: SpanOptions; ctx?: Context }[] = [];
  const tracer: Tracer = {
    startSpan: vi.fn((name: string, opts?: SpanOptions, ctx?: Context) => {
      started.push({ name, opts, ctx });
      return new NonRecordingSpan({ ...PARENT, spanId: (started.length + 0x100).toString(16).padStart(16, '0') });
    }),
    // how every tracer gets it (the SDK's too)
    startActiveSpan: startActiveSpan as Tracer['startActiveSpan'],
  };
  const provider: TracerProvider = { getTracer: vi.fn(() => tracer) };
  return { provider, tracer, started };
}

describe('span in context', () => {
  it('uses the same key as @opentelemetry/api', () => {
    expect(SPAN_KEY).toBe(Symbol.for('OpenTelemetry Context Key SPAN'));
  });

  it('sets, gets and deletes the span of a context without changing the original', () => {
    const span = new NonRecordingSpan(PARENT);
    const ctx = setSpan(ROOT_CONTEXT, span);
    expect(getSpan(ctx)).toBe(span);
    expect(getSpan(ROOT_CONTEXT)).toBeUndefined();
    expect(getSpanContext(ctx)).toBe(PARENT);
    expect(getSpanContext(ROOT_CONTEXT)).toBeUndefined();
    const gone = deleteSpan(ctx);
    expect(getSpan(gone)).toBeUndefined();
    expect(getSpan(ctx)).toBe(span);
  });

  it('wraps a span context in a non-recording span', () => {
    const s = wrapSpanContext(PARENT);
    expect(s.isRecording()).toBe(false);
    expect(s.spanContext()).toBe(PARENT);
    const ctx = setSpanContext(ROOT_CONTEXT, PARENT);
    expect(getSpanContext(ctx)).toBe(PARENT);
    expect(getSpan(ctx)?.isRecording()).toBe(false);
  });

  it('reads a span that @opentelemetry/api stored, and the other way round', () => {
    const span = new NonRecordingSpan(PARENT);
    // their setSpan on our context, our getSpan
    expect(getSpan(otelTrace.setSpan(ROOT_CONTEXT, span))).toBe(span);
    // our setSpan on their context, their getSpan
    expect(otelTrace.getSpan(setSpan(OTEL_ROOT, span))).toBe(span);
  });

  it('trace exposes the helpers, like @opentelemetry/api', () => {
    expect(trace.getSpan).toBe(getSpan);
    expect(trace.setSpan).toBe(setSpan);
    expect(trace.deleteSpan).toBe(deleteSpan);
    expect(trace.getSpanContext).toBe(getSpanContext);
    expect(trace.setSpanContext).toBe(setSpanContext);
    expect(trace.wrapSpanContext).toBe(wrapSpanContext);
    expect(trace.isSpanContextValid(PARENT)).toBe(true);
    expect(trace.isSpanContextValid(INVALID_SPAN_CONTEXT)).toBe(false);
  });
});

describe('trace API without an SDK (no-op)', () => {
  it('hands out tracers whose spans record nothing and carry the invalid context', () => {
    const span = trace.getTracer('lib', '1.0.0').startSpan('op');
    expect(span.isRecording()).toBe(false);
    expect(span.spanContext()).toEqual(INVALID_SPAN_CONTEXT);
    expect(() => span.setAttribute('a', 1).addEvent('e').setStatus({ code: 2 }).end()).not.toThrow();
  });

  it('a span started under a valid parent carries the parent context (so it still propagates)', () => {
    const ctx = setSpanContext(ROOT_CONTEXT, PARENT);
    const span = trace.getTracer('lib').startSpan('op', {}, ctx);
    expect(span.spanContext()).toBe(PARENT);
    expect(span.isRecording()).toBe(false);
  });

  it('uses the active context when none is given', () => {
    withStack();
    const ctx = setSpanContext(ROOT_CONTEXT, PARENT);
    const span = context.with(ctx, () => trace.getTracer('lib').startSpan('op'));
    expect(span.spanContext()).toBe(PARENT);
  });

  it('ignores an invalid parent and honours root', () => {
    const bad = setSpanContext(ROOT_CONTEXT, { ...PARENT, traceId: '0'.repeat(32) });
    expect(trace.getTracer('lib').startSpan('op', {}, bad).spanContext()).toBe(INVALID_SPAN_CONTEXT);
    const ctx = setSpanContext(ROOT_CONTEXT, PARENT);
    expect(trace.getTracer('lib').startSpan('op', { root: true }, ctx).spanContext()).toBe(INVALID_SPAN_CONTEXT);
  });

  it('getTracerProvider returns a provider that works', () => {
    const p = trace.getTracerProvider();
    expect(p.getTracer('x').startSpan('y').isRecording()).toBe(false);
  });

  it('getActiveSpan is undefined with nothing active', () => {
    expect(trace.getActiveSpan()).toBeUndefined();
    withStack();
    expect(trace.getActiveSpan()).toBeUndefined();
  });

  it('getActiveSpan returns the span of the active context', () => {
    withStack();
    const span = wrapSpanContext(PARENT);
    expect(context.with(setSpan(ROOT_CONTEXT, span), () => trace.getActiveSpan())).toBe(span);
  });
});

describe('startActiveSpan (shared by every tracer)', () => {
  it('(name, fn): runs fn with the span, returns its value', () => {
    const tracer = trace.getTracer('lib');
    let got: Span | undefined;
    const r = tracer.startActiveSpan('op', (span) => {
      got = span;
      return 42;
    });
    expect(r).toBe(42);
    expect(got?.isRecording()).toBe(false);
  });

  it('(name, fn): the span is active inside fn and not after', () => {
    withStack();
    const { provider } = fakeProvider();
    trace.setGlobalTracerProvider(provider);
    const tracer = trace.getTracer('lib');
    const [span, active] = tracer.startActiveSpan('op', (s) => [s, trace.getActiveSpan()]);
    expect(active).toBe(span);
    expect(trace.getActiveSpan()).toBeUndefined();
  });

  it('(name, options, fn): passes the options on, parents to the active context', () => {
    withStack();
    const { provider, started } = fakeProvider();
    trace.setGlobalTracerProvider(provider);
    const outer = setSpanContext(ROOT_CONTEXT, PARENT);
    const opts: SpanOptions = { kind: 2, attributes: { a: 1 } };
    const r = context.with(outer, () => trace.getTracer('lib').startActiveSpan('op', opts, (s) => s));
    expect(started[0].name).toBe('op');
    expect(started[0].opts).toBe(opts);
    expect(started[0].ctx).toBe(outer);
    expect(r).toBeInstanceOf(NonRecordingSpan);
  });

  it('(name, options, context, fn): parents to the given context, not the active one', () => {
    withStack();
    const { provider, started } = fakeProvider();
    trace.setGlobalTracerProvider(provider);
    const given = setSpanContext(ROOT_CONTEXT, PARENT);
    const r = trace.getTracer('lib').startActiveSpan('op', {}, given, (span) => {
      // the active context is the given one plus the new span
      expect(getSpanContext(context.active())).toBe(span.spanContext());
      return 'done';
    });
    expect(r).toBe('done');
    expect(started[0].ctx).toBe(given);
  });

  it('(name, undefined, fn) and (name, options, undefined, fn) work too', () => {
    const tracer = trace.getTracer('lib');
    expect(tracer.startActiveSpan('op', undefined as unknown as SpanOptions, () => 1)).toBe(1);
    expect(tracer.startActiveSpan('op', {}, undefined as unknown as Context, () => 2)).toBe(2);
  });

  it('returns a promise from an async fn as it is', async () => {
    const p = trace.getTracer('lib').startActiveSpan('op', async (span) => {
      span.end();
      return 'async';
    });
    expect(p).toBeInstanceOf(Promise);
    await expect(p).resolves.toBe('async');
  });

  it('lets an exception of fn through', () => {
    const err = new Error('user');
    expect(() =>
      trace.getTracer('lib').startActiveSpan('op', () => {
        throw err;
      }),
    ).toThrow(err);
  });
});

describe('ProxyTracer and the global provider', () => {
  it('a tracer taken before the SDK is registered starts recording once it is', () => {
    const early = trace.getTracer('lib', '2.0.0', { schemaUrl: 'https://s' });
    expect(early.startSpan('before').spanContext()).toEqual(INVALID_SPAN_CONTEXT);
    const { provider, started } = fakeProvider();
    expect(trace.setGlobalTracerProvider(provider)).toBe(true);
    const span = early.startSpan('after', { kind: 1 });
    expect(span.spanContext().traceId).toBe(PARENT.traceId);
    expect(provider.getTracer).toHaveBeenCalledWith('lib', '2.0.0', { schemaUrl: 'https://s' });
    expect(started.map((s) => s.name)).toEqual(['after']);
  });

  it('asks the provider for the real tracer once, then keeps it', () => {
    const early = trace.getTracer('lib');
    const { provider } = fakeProvider();
    trace.setGlobalTracerProvider(provider);
    early.startSpan('a');
    early.startSpan('b');
    early.startActiveSpan('c', () => {});
    expect(provider.getTracer).toHaveBeenCalledTimes(1);
  });

  it('startActiveSpan of a proxy goes through the real tracer', () => {
    const early = trace.getTracer('lib');
    const { provider, started } = fakeProvider();
    trace.setGlobalTracerProvider(provider);
    early.startActiveSpan('active', () => {});
    expect(started.map((s) => s.name)).toEqual(['active']);
  });

  it('getTracer after registration returns the provider\'s tracer directly', () => {
    const { provider, tracer } = fakeProvider();
    trace.setGlobalTracerProvider(provider);
    expect(trace.getTracer('lib')).toBe(tracer);
    expect(trace.getTracerProvider()).toBe(provider);
  });

  it('refuses a second provider; disable() removes the first', () => {
    const a = fakeProvider().provider;
    const b = fakeProvider().provider;
    expect(trace.setGlobalTracerProvider(a)).toBe(true);
    expect(trace.setGlobalTracerProvider(b)).toBe(false);
    expect(trace.getTracerProvider()).toBe(a);
    trace.disable();
    expect(trace.getTracerProvider()).not.toBe(a);
    expect(trace.setGlobalTracerProvider(b)).toBe(true);
  });

  it('sees a provider registered by another copy of otelite', () => {
    const { provider, tracer } = fakeProvider();
    (globalThis as { [KEY]?: unknown })[KEY] = { t: provider };
    expect(trace.getTracer('lib')).toBe(tracer);
  });
});

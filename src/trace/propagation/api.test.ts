import * as otel from '@opentelemetry/api';
import {
  suppressTracing as otelSuppress,
  W3CBaggagePropagator as OtelBaggage,
  W3CTraceContextPropagator as OtelTraceContext,
} from '@opentelemetry/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { context } from '../../context/api';
import { ROOT_CONTEXT } from '../../context/context';
import { StackContextManager } from '../../context/stack';
import { diag } from '../../lib/diag';
import { globals } from '../../lib/global';
import { getSpanContext, setSpanContext, trace } from '../api';
import { baggageEntryMetadataFromString, propagation } from './api';
import { W3CBaggagePropagator } from './baggage';
import { CompositePropagator } from './composite';
import { W3CTraceContextPropagator } from './trace-context';
import type { TextMapPropagator } from './types';

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const S = '00f067aa0ba902b7';
const TP = `00-${T}-${S}-01`;
const w3c = () => new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] });

afterEach(() => {
  propagation.disable();
  context.disable();
  diag.disable();
  otel.propagation.disable();
});

describe('propagation API without a propagator', () => {
  it('injects nothing, extracts the same context, has no fields', () => {
    const h: Record<string, string> = {};
    propagation.inject(setSpanContext(ROOT_CONTEXT, { traceId: T, spanId: S, traceFlags: 1 }), h);
    expect(h).toEqual({});
    expect(propagation.extract(ROOT_CONTEXT, { traceparent: TP })).toBe(ROOT_CONTEXT);
    expect(propagation.fields()).toEqual([]);
  });
});

describe('propagation API with a propagator', () => {
  it('registers once, in the shared globals', () => {
    const p = w3c();
    expect(propagation.setGlobalPropagator(p)).toBe(true);
    expect(propagation.setGlobalPropagator(w3c())).toBe(false);
    expect(globals().p).toBe(p);
    propagation.disable();
    expect(globals().p).toBeUndefined();
    expect(propagation.setGlobalPropagator(w3c())).toBe(true);
  });

  it('injects and extracts with plain-object carriers by default', () => {
    propagation.setGlobalPropagator(w3c());
    const ctx = propagation.extract(ROOT_CONTEXT, { traceparent: TP, baggage: 'k=v' });
    expect(getSpanContext(ctx)).toMatchObject({ traceId: T, spanId: S, isRemote: true });
    const h: Record<string, string> = {};
    propagation.inject(ctx, h);
    expect(h).toEqual({ traceparent: TP, baggage: 'k=v' });
    expect(propagation.fields()).toEqual(['traceparent', 'tracestate', 'baggage']);
  });

  it('uses the given getter and setter', () => {
    propagation.setGlobalPropagator(w3c());
    const headers = new Headers({ TraceParent: TP });
    const ctx = propagation.extract(ROOT_CONTEXT, headers, {
      keys: (h) => [...h.keys()],
      get: (h, k) => h.get(k) ?? undefined,
    });
    expect(getSpanContext(ctx)?.traceId).toBe(T);
    const out = new Headers();
    propagation.inject(ctx, out, { set: (h, k, v) => h.set(k, v) });
    expect(out.get('traceparent')).toBe(TP);
  });

  it('treats two traceparent lines in a Fetch Headers object as invalid', () => {
    propagation.setGlobalPropagator(w3c());
    const headers = new Headers([
      ['traceparent', TP],
      ['traceparent', TP],
    ]);
    const ctx = propagation.extract(ROOT_CONTEXT, headers, { keys: (h) => [...h.keys()], get: (h, k) => h.get(k) ?? undefined });
    expect(ctx).toBe(ROOT_CONTEXT);
  });

  it('never throws into the host, and reports', () => {
    const error = vi.fn();
    diag.setLogger({ error });
    const bad: TextMapPropagator = {
      inject: () => {
        throw new Error('i');
      },
      extract: () => {
        throw new Error('e');
      },
      fields: () => {
        throw new Error('f');
      },
    };
    propagation.setGlobalPropagator(bad);
    expect(() => propagation.inject(ROOT_CONTEXT, {})).not.toThrow();
    expect(propagation.extract(ROOT_CONTEXT, {})).toBe(ROOT_CONTEXT);
    expect(propagation.fields()).toEqual([]);
    propagation.disable();
    propagation.setGlobalPropagator(w3c());
    const throwing = { set: () => { throw new TypeError('Headers.set'); } };
    expect(() => propagation.inject(setSpanContext(ROOT_CONTEXT, { traceId: T, spanId: S, traceFlags: 1 }), {}, throwing)).not.toThrow();
  });
});

describe('propagation API: baggage', () => {
  it('creates, sets, gets and deletes baggage', () => {
    const b = propagation.createBaggage({ a: { value: '1', metadata: baggageEntryMetadataFromString('p') } });
    expect(b.getEntry('a')?.metadata?.toString()).toBe('p');
    const ctx = propagation.setBaggage(ROOT_CONTEXT, b);
    expect(propagation.getBaggage(ctx)).toBe(b);
    expect(propagation.getBaggage(propagation.deleteBaggage(ctx))).toBeUndefined();
    expect(propagation.createBaggage().getAllEntries()).toEqual([]);
  });

  it('reads the active baggage through the context manager', () => {
    expect(propagation.getActiveBaggage()).toBeUndefined();
    context.setGlobalContextManager(new StackContextManager().enable());
    const b = propagation.createBaggage({ a: { value: '1' } });
    context.with(propagation.setBaggage(ROOT_CONTEXT, b), () => {
      expect(propagation.getActiveBaggage()).toBe(b);
    });
    expect(propagation.getActiveBaggage()).toBeUndefined();
  });
});

describe('interoperability with @opentelemetry/api and @opentelemetry/core', () => {
  it('sees baggage set through @opentelemetry/api, and the reverse', () => {
    const theirs = otel.propagation.createBaggage({ k: { value: 'v 1', metadata: otel.baggageEntryMetadataFromString('p=1') } });
    const ctx = otel.propagation.setBaggage(ROOT_CONTEXT, theirs);
    expect(propagation.getBaggage(ctx)).toBe(theirs);
    const h: Record<string, string> = {};
    new W3CBaggagePropagator().inject(ctx, h, otel.defaultTextMapSetter);
    expect(h.baggage).toBe('k=v%201;p=1');

    const ours = propagation.setBaggage(otel.ROOT_CONTEXT, propagation.createBaggage({ a: { value: 'é' } }));
    expect(otel.propagation.getBaggage(ours)?.getEntry('a')?.value).toBe('é');
  });

  it('sees a span context set through @opentelemetry/api, and the reverse', () => {
    const ctx = otel.trace.setSpanContext(otel.ROOT_CONTEXT, { traceId: T, spanId: S, traceFlags: 1 });
    const h: Record<string, string> = {};
    new W3CTraceContextPropagator().inject(ctx, h, otel.defaultTextMapSetter);
    expect(h).toEqual({ traceparent: TP });

    const extracted = new W3CTraceContextPropagator().extract(otel.ROOT_CONTEXT, { traceparent: TP }, otel.defaultTextMapGetter);
    expect(otel.trace.getSpanContext(extracted)).toMatchObject({ traceId: T, spanId: S, traceFlags: 1, isRemote: true });
    expect(otel.trace.getSpan(extracted)?.isRecording()).toBe(false);
    expect(trace.getSpanContext(extracted)?.traceId).toBe(T);
  });

  it('honours tracing suppression set by @opentelemetry/core', () => {
    const ctx = otelSuppress(otel.trace.setSpanContext(otel.ROOT_CONTEXT, { traceId: T, spanId: S, traceFlags: 1 }));
    const h = {};
    w3c().inject(otel.propagation.setBaggage(ctx, otel.propagation.createBaggage({ a: { value: '1' } })), h, otel.defaultTextMapSetter);
    expect(h).toEqual({});
  });

  it('writes what opentelemetry-js writes, and reads what it writes', () => {
    const theirs = new OtelTraceContext();
    const theirBaggage = new OtelBaggage();
    const ts = 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7';
    const incoming = { traceparent: TP, tracestate: ts, baggage: 'userId=Am%C3%A9lie,serverNode=DF%2028;p' };
    const a: Record<string, string> = {};
    const b: Record<string, string> = {};
    const ourCtx = w3c().extract(ROOT_CONTEXT, incoming, otel.defaultTextMapGetter);
    theirs.inject(ourCtx, a, otel.defaultTextMapSetter);
    theirBaggage.inject(ourCtx, a, otel.defaultTextMapSetter);
    const theirCtx = theirBaggage.extract(theirs.extract(otel.ROOT_CONTEXT, incoming, otel.defaultTextMapGetter), incoming, otel.defaultTextMapGetter);
    w3c().inject(theirCtx, b, otel.defaultTextMapSetter);
    expect(a).toEqual(b);
    expect(b).toEqual({ traceparent: TP, tracestate: ts, baggage: 'userId=Am%C3%A9lie,serverNode=DF%2028;p' });
  });

  it('works as the global propagator of @opentelemetry/api', () => {
    expect(otel.propagation.setGlobalPropagator(w3c())).toBe(true);
    const ctx = otel.propagation.extract(otel.ROOT_CONTEXT, { traceparent: TP, baggage: 'k=v' });
    expect(otel.trace.getSpanContext(ctx)?.traceId).toBe(T);
    expect(otel.propagation.getBaggage(ctx)?.getEntry('k')?.value).toBe('v');
    const h: Record<string, string> = {};
    otel.propagation.inject(ctx, h);
    expect(h).toEqual({ traceparent: TP, baggage: 'k=v' });
  });
});

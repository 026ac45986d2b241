import * as otel from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { context } from '../context/api';
import { trace } from '../trace/api';
import { propagation } from '../trace/propagation/api';
import { TracerProvider } from '../trace/provider';
import type { ReadableSpan, SpanProcessor } from '../trace/sdk-types';
import { registerOtelApi } from './index';

const reset = (): void => {
  delete (globalThis as Record<symbol, unknown>)[Symbol.for('otelite')];
  otel.trace.disable();
  otel.context.disable();
  otel.propagation.disable();
};

describe('registerOtelApi', () => {
  let ended: ReadableSpan[];
  beforeEach(() => {
    reset();
    ended = [];
    const collect: SpanProcessor = {
      onStart() {},
      onEnd: (s) => void ended.push(s),
      forceFlush: async () => {},
      shutdown: async () => {},
    };
    new TracerProvider({ spanProcessors: [collect] }).register();
  });
  afterEach(reset);

  it('makes a span started through @opentelemetry/api a child of the active otelite span, and back', () => {
    expect(registerOtelApi()).toBe(true);
    trace.getTracer('app').startActiveSpan('outer', (outer) => {
      const lib = otel.trace.getTracer('some-library');
      lib.startActiveSpan('library work', (inner) => {
        // and an otelite span inside the library's span parents to it
        trace.getTracer('app').startSpan('app inside library').end();
        inner.end();
      });
      outer.end();
    });
    const by = Object.fromEntries(ended.map((s) => [s.name, s]));
    expect(by['library work'].parentSpanContext?.spanId).toBe(by.outer.spanContext().spanId);
    expect(by['app inside library'].parentSpanContext?.spanId).toBe(by['library work'].spanContext().spanId);
    expect(by['library work'].instrumentationScope.name).toBe('some-library');
  });

  it('propagates through the API with otelite\'s propagator', () => {
    registerOtelApi();
    const carrier: Record<string, string> = {};
    trace.getTracer('app').startActiveSpan('s', (s) => {
      otel.propagation.inject(otel.context.active(), carrier);
      s.end();
    });
    expect(carrier.traceparent).toMatch(new RegExp(`^00-${ended[0].spanContext().traceId}-${ended[0].spanContext().spanId}-0[13]$`));
    const ctx = otel.propagation.extract(otel.ROOT_CONTEXT, carrier);
    expect(otel.trace.getSpanContext(ctx)?.spanId).toBe(ended[0].spanContext().spanId);
    expect(propagation.fields()).toEqual(otel.propagation.fields());
  });

  it('returns false and leaves the other SDK in charge when one is registered already', () => {
    otel.trace.setGlobalTracerProvider(new otel.ProxyTracerProvider());
    expect(registerOtelApi()).toBe(false);
    expect(context.active()).toBeDefined();
  });
});

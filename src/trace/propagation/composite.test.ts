import { afterEach, describe, expect, it, vi } from 'vitest';
import { createContextKey, ROOT_CONTEXT } from '../../context/context';
import type { Context } from '../../context/types';
import { diag, failures } from '../../lib/diag';
import { getSpanContext, setSpanContext } from '../api';
import { getBaggage, W3CBaggagePropagator } from './baggage';
import { CompositePropagator } from './composite';
import { W3CTraceContextPropagator } from './trace-context';
import { defaultTextMapGetter, defaultTextMapSetter, type TextMapPropagator } from './types';

const K = createContextKey('test composite');

/** A propagator that writes and reads header `name`, appending to a shared log. */
const fake = (name: string, log: string[] = []): TextMapPropagator => ({
  inject: (_ctx, carrier, setter) => {
    log.push('inject ' + name);
    setter.set(carrier, name, 'v-' + name);
  },
  extract: (ctx, carrier, getter) => {
    log.push('extract ' + name);
    const prev = (ctx.getValue(K) as string[] | undefined) ?? [];
    return ctx.setValue(K, [...prev, name + '=' + getter.get(carrier, name)]);
  },
  fields: () => [name],
});

const broken: TextMapPropagator = {
  inject: () => {
    throw new Error('inject');
  },
  extract: () => {
    throw new Error('extract');
  },
  fields: () => {
    throw new Error('fields');
  },
};

afterEach(() => {
  diag.disable();
  delete failures.propagator;
});

describe('CompositePropagator', () => {
  it('injects through every propagator in order', () => {
    const log: string[] = [];
    const h: Record<string, string> = {};
    new CompositePropagator({ propagators: [fake('a', log), fake('b', log)] }).inject(ROOT_CONTEXT, h, defaultTextMapSetter);
    expect(h).toEqual({ a: 'v-a', b: 'v-b' });
    expect(log).toEqual(['inject a', 'inject b']);
  });

  it('extracts in order, each on the context the previous one returned', () => {
    const log: string[] = [];
    const c = new CompositePropagator({ propagators: [fake('a', log), fake('b', log)] });
    const ctx = c.extract(ROOT_CONTEXT, { a: '1', b: '2' }, defaultTextMapGetter);
    expect(ctx.getValue(K)).toEqual(['a=1', 'b=2']);
    expect(log).toEqual(['extract a', 'extract b']);
  });

  it('catches a failing propagator, reports it, and runs the others', () => {
    const logger = { error: vi.fn() };
    diag.setLogger(logger);
    const c = new CompositePropagator({ propagators: [broken, fake('a'), broken, fake('b')] });
    const h: Record<string, string> = {};
    expect(() => c.inject(ROOT_CONTEXT, h, defaultTextMapSetter)).not.toThrow();
    expect(h).toEqual({ a: 'v-a', b: 'v-b' });
    let ctx: Context = ROOT_CONTEXT;
    expect(() => (ctx = c.extract(ROOT_CONTEXT, { a: '1', b: '2' }, defaultTextMapGetter))).not.toThrow();
    expect(ctx.getValue(K)).toEqual(['a=1', 'b=2']);
    expect(c.fields()).toEqual(['a', 'b']);
    // reported once, counted every time
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(logger.error.mock.calls[0][0]).toContain('propagator');
    expect(failures.propagator).toBeGreaterThanOrEqual(6);
  });

  it('catches a throwing setter or getter', () => {
    const c = new CompositePropagator({ propagators: [fake('a'), fake('b')] });
    const setter = { set: vi.fn(() => { throw new TypeError('bad header'); }) };
    expect(() => c.inject(ROOT_CONTEXT, {}, setter)).not.toThrow();
    expect(setter.set).toHaveBeenCalledTimes(2);
    const getter = { keys: () => [], get: () => { throw new Error('x'); } };
    expect(c.extract(ROOT_CONTEXT, {}, getter)).toBe(ROOT_CONTEXT);
  });

  it('lists the union of the fields, without duplicates', () => {
    const c = new CompositePropagator({ propagators: [fake('a'), fake('b'), fake('a'), new W3CTraceContextPropagator()] });
    expect(c.fields()).toEqual(['a', 'b', 'traceparent', 'tracestate']);
  });

  it('does nothing without propagators', () => {
    const c = new CompositePropagator();
    const h = {};
    c.inject(ROOT_CONTEXT, h, defaultTextMapSetter);
    expect(h).toEqual({});
    expect(c.extract(ROOT_CONTEXT, { traceparent: 'x' }, defaultTextMapGetter)).toBe(ROOT_CONTEXT);
    expect(c.fields()).toEqual([]);
    expect(new CompositePropagator({}).fields()).toEqual([]);
  });

  it('carries trace context and baggage together (the default setup)', () => {
    const c = new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] });
    const ctx = c.extract(
      ROOT_CONTEXT,
      { traceparent: '00-12345678901234567890123456789012-1234567890123456-01', tracestate: 'a=1', baggage: 'k=v' },
      defaultTextMapGetter,
    );
    expect(getSpanContext(ctx)?.traceId).toBe('12345678901234567890123456789012');
    expect(getBaggage(ctx)?.getEntry('k')?.value).toBe('v');
    const out: Record<string, string> = {};
    c.inject(setSpanContext(ctx, { ...getSpanContext(ctx)!, spanId: 'abcdefabcdefabcd' }), out, defaultTextMapSetter);
    expect(out).toEqual({
      traceparent: '00-12345678901234567890123456789012-abcdefabcdefabcd-01',
      tracestate: 'a=1',
      baggage: 'k=v',
    });
  });
});

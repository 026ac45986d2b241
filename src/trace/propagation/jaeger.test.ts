import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT } from '../../context/context';
import type { Context } from '../../context/types';
import { suppressTracing } from '../../lib/suppress';
import { getSpanContext, setSpanContext } from '../api';
import type { SpanContext } from '../types';
import { createBaggage, getBaggage, setBaggage } from './baggage';
import { JaegerPropagator, UBER_BAGGAGE_HEADER_PREFIX, UBER_TRACE_ID_HEADER } from './jaeger';
import { defaultTextMapGetter, defaultTextMapSetter } from './types';

const T = '80f198ee56343ba864fe8b2a57d3eff7';
const S = 'e457b5a2e4d86bd1';
const p = new JaegerPropagator();
type H = Record<string, string | string[]>;
const extract = (h: H, prop = p, ctx: Context = ROOT_CONTEXT) => prop.extract(ctx, h, defaultTextMapGetter);
const sc = (v: string | string[]) => getSpanContext(extract({ 'uber-trace-id': v }));
const inject = (ctx: Context, prop = p) => {
  const h: Record<string, string> = {};
  prop.inject(ctx, h, defaultTextMapSetter);
  return h;
};
const withSc = (s: Partial<SpanContext> = {}) => setSpanContext(ROOT_CONTEXT, { traceId: T, spanId: S, traceFlags: 1, ...s });

describe('JaegerPropagator.extract', () => {
  it('extracts trace id, span id and the sampled flag', () => {
    expect(sc(`${T}:${S}:0:1`)).toEqual({ traceId: T, spanId: S, traceFlags: 1, isRemote: true });
    expect(sc(`${T}:${S}:0:01`)?.traceFlags).toBe(1);
    expect(sc(`${T}:${S}:0:0`)?.traceFlags).toBe(0);
    expect(sc(`${T}:${S}:0:00`)?.traceFlags).toBe(0);
  });

  it('reads flags as hex and keeps only "sampled" (bit 1 is Jaeger debug, bit 2 firehose)', () => {
    expect(sc(`${T}:${S}:0:3`)?.traceFlags).toBe(1);
    expect(sc(`${T}:${S}:0:2`)?.traceFlags).toBe(0);
    expect(sc(`${T}:${S}:0:0a`)?.traceFlags).toBe(0);
    expect(sc(`${T}:${S}:0:0b`)?.traceFlags).toBe(1);
    expect(sc(`${T}:${S}:0:ff`)?.traceFlags).toBe(1);
  });

  it('pads short ids with zeros and lowercases them', () => {
    expect(sc(`abc:def:0:1`)).toMatchObject({ traceId: '0'.repeat(29) + 'abc', spanId: '0'.repeat(13) + 'def' });
    expect(sc(`64FE8B2A57D3EFF7:E457B5A2E4D86BD1:0:1`)).toMatchObject({ traceId: '0'.repeat(16) + '64fe8b2a57d3eff7', spanId: S });
  });

  it('accepts the URL-encoded form and any parent id', () => {
    expect(sc(`${T}%3A${S}%3A0%3A1`)?.traceId).toBe(T);
    expect(sc(`${T}%3a${S}%3a0%3a1`)?.traceId).toBe(T);
    expect(sc(`${T}:${S}:05e3ac9a4f6e3b90:1`)?.spanId).toBe(S);
  });

  it('takes the first of repeated headers', () => {
    expect(sc([`${T}:${S}:0:1`, `abc:def:0:0`])?.traceId).toBe(T);
  });

  it('rejects malformed values', () => {
    for (const v of [
      `${T}:${S}:0`,
      `${T}:${S}:0:1:x`,
      `${T}0:${S}:0:1`,
      `${T}:${S}0:0:1`,
      `${T}:${S}::1`,
      `${T}:${S}:0:100`,
      `${T}:${S}:0:`,
      `0:${S}:0:1`,
      `${T}:0000:0:1`,
      `${T}-${S}-0-1`,
      `x${T}:${S}:0:1`,
      '',
    ]) {
      expect(sc(v), v).toBeUndefined();
    }
  });

  it('reads uberctx-* headers into baggage, percent-decoded, merged with the baggage in the context', () => {
    const ctx = setBaggage(ROOT_CONTEXT, createBaggage({ old: { value: 'x' }, k1: { value: 'replaced' } }));
    const out = extract({ 'uber-trace-id': `${T}:${S}:0:1`, 'uberctx-k1': 'v%201', 'uberctx-k2': ['a', 'b'], 'uberctx-': 'no key', other: 'x' }, p, ctx);
    expect(getSpanContext(out)?.traceId).toBe(T);
    const b = getBaggage(out)!;
    expect(Object.fromEntries(b.getAllEntries().map(([k, e]) => [k, e.value]))).toEqual({ old: 'x', k1: 'v 1', k2: 'a' });
  });

  it('reads baggage without a trace header, and matches the prefix case-insensitively', () => {
    const b = getBaggage(extract({ 'UberCtx-Key': 'v' }));
    expect(b?.getEntry('Key')?.value).toBe('v');
  });

  it('returns the same context when there is nothing to extract', () => {
    expect(extract({})).toBe(ROOT_CONTEXT);
    expect(extract({ 'uber-trace-id': 'x' })).toBe(ROOT_CONTEXT);
  });
});

describe('JaegerPropagator.inject', () => {
  it('writes trace-id:span-id:0:flags', () => {
    expect(inject(withSc())).toEqual({ 'uber-trace-id': `${T}:${S}:0:01` });
    expect(inject(withSc({ traceFlags: 0 }))).toEqual({ 'uber-trace-id': `${T}:${S}:0:00` });
  });

  it('never turns the W3C random flag into the Jaeger debug flag', () => {
    expect(inject(withSc({ traceFlags: 2 }))['uber-trace-id']).toBe(`${T}:${S}:0:00`);
    expect(inject(withSc({ traceFlags: 3 }))['uber-trace-id']).toBe(`${T}:${S}:0:01`);
  });

  it('writes baggage as uberctx-* headers, percent-encoded', () => {
    const ctx = setBaggage(withSc(), createBaggage({ k: { value: 'a b' }, 'bad key': { value: 'x' }, s: { value: '\ud800' } }));
    expect(inject(ctx)).toEqual({ 'uber-trace-id': `${T}:${S}:0:01`, 'uberctx-k': 'a%20b' });
    expect(inject(setBaggage(ROOT_CONTEXT, createBaggage({ k: { value: 'v' } })))).toEqual({ 'uberctx-k': 'v' });
  });

  it('writes nothing when tracing is suppressed or there is nothing to write', () => {
    expect(inject(suppressTracing(setBaggage(withSc(), createBaggage({ k: { value: 'v' } }))))).toEqual({});
    expect(inject(ROOT_CONTEXT)).toEqual({});
    expect(inject(withSc({ spanId: '0'.repeat(16) }))).toEqual({});
  });

  it('round-trips', () => {
    const ctx = setBaggage(withSc(), createBaggage({ k: { value: 'é,;=' } }));
    const back = extract(inject(ctx));
    expect(getSpanContext(back)).toEqual({ traceId: T, spanId: S, traceFlags: 1, isRemote: true });
    expect(getBaggage(back)?.getEntry('k')?.value).toBe('é,;=');
  });
});

describe('JaegerPropagator: configuration', () => {
  it('uses custom header names', () => {
    const c = new JaegerPropagator({ customTraceHeader: 'x-trace', customBaggageHeaderPrefix: 'x-bag' });
    const ctx = setBaggage(withSc(), createBaggage({ k: { value: 'v' } }));
    expect(inject(ctx, c)).toEqual({ 'x-trace': `${T}:${S}:0:01`, 'x-bag-k': 'v' });
    const back = extract({ 'x-trace': `${T}:${S}:0:1`, 'x-bag-k': 'v' }, c);
    expect(getSpanContext(back)?.traceId).toBe(T);
    expect(getBaggage(back)?.getEntry('k')?.value).toBe('v');
    expect(c.fields()).toEqual(['x-trace']);
  });

  it('accepts the trace header name as a string', () => {
    expect(new JaegerPropagator('x-trace').fields()).toEqual(['x-trace']);
  });

  it('has the Jaeger defaults', () => {
    expect(p.fields()).toEqual([UBER_TRACE_ID_HEADER]);
    expect(UBER_TRACE_ID_HEADER).toBe('uber-trace-id');
    expect(UBER_BAGGAGE_HEADER_PREFIX).toBe('uberctx');
  });
});

import { describe, expect, it } from 'vitest';
import { createContextKey, ROOT_CONTEXT } from '../../context/context';
import type { Context } from '../../context/types';
import { suppressTracing } from '../../lib/suppress';
import { getSpanContext, setSpanContext } from '../api';
import type { SpanContext } from '../types';
import { B3InjectEncoding, B3Propagator } from './b3';
import { defaultTextMapGetter, defaultTextMapSetter } from './types';

const T = '80f198ee56343ba864fe8b2a57d3eff7';
const T64 = '64fe8b2a57d3eff7';
const S = 'e457b5a2e4d86bd1';
const P = '05e3ac9a4f6e3b90';
const DEBUG = createContextKey('OpenTelemetry Context Key B3 Debug Flag');

const single = new B3Propagator();
const multi = new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER });
const extract = (h: Record<string, string | string[]>, p = single) => p.extract(ROOT_CONTEXT, h, defaultTextMapGetter);
const sc = (h: Record<string, string | string[]>) => getSpanContext(extract(h));
const inject = (ctx: Context, p = single) => {
  const h: Record<string, string> = {};
  p.inject(ctx, h, defaultTextMapSetter);
  return h;
};
const withSc = (s: Partial<SpanContext> = {}) => setSpanContext(ROOT_CONTEXT, { traceId: T, spanId: S, traceFlags: 1, ...s });

describe('B3Propagator: single header', () => {
  it('extracts trace id, span id, sampling state and parent id', () => {
    expect(sc({ b3: `${T}-${S}-1-${P}` })).toEqual({ traceId: T, spanId: S, traceFlags: 1, isRemote: true });
    expect(sc({ b3: `${T}-${S}-0` })?.traceFlags).toBe(0);
    expect(sc({ b3: `${T}-${S}-1` })?.traceFlags).toBe(1);
  });

  it('treats a missing sampling state as not sampled (deferred)', () => {
    expect(sc({ b3: `${T}-${S}` })).toMatchObject({ traceId: T, traceFlags: 0 });
  });

  it('pads a 64-bit trace id to 128 bits', () => {
    expect(sc({ b3: `${T64}-${S}-1` })?.traceId).toBe('0000000000000000' + T64);
  });

  it('treats the debug state "d" as sampled and keeps it for injection', () => {
    const ctx = extract({ b3: `${T}-${S}-d` });
    expect(getSpanContext(ctx)?.traceFlags).toBe(1);
    expect(ctx.getValue(DEBUG)).toBe('d');
    expect(inject(ctx).b3).toBe(`${T}-${S}-d`);
    expect(inject(ctx, multi)).toEqual({ 'x-b3-traceid': T, 'x-b3-spanid': S, 'x-b3-flags': '1' });
  });

  it('rejects malformed values', () => {
    for (const b3 of [
      `${T}-${S}-2`,
      `${T}-${S}-1-${P}-x`,
      `${T.toUpperCase()}-${S}-1`,
      `${T}0-${S}-1`,
      `${T.slice(2)}-${S}-1`,
      `${T}-${S.slice(1)}-1`,
      `${'0'.repeat(32)}-${S}-1`,
      `${T}-${'0'.repeat(16)}-1`,
      `x${T}-${S}-1`,
      `${T}-${S}-1-${P}0`,
      '0',
      '1',
      'd',
      '',
    ]) {
      expect(extract({ b3 }), b3).toBe(ROOT_CONTEXT);
    }
  });

  it('accepts OWS around the value and takes the first of repeated headers', () => {
    expect(sc({ b3: ` ${T}-${S}-1\t` })?.traceId).toBe(T);
    expect(sc({ b3: [`${T}-${S}-1`, `${T64}-${S}-0`] })?.traceId).toBe(T);
  });

  it('prefers the single header over multi headers', () => {
    expect(sc({ b3: `${T}-${S}-0`, 'x-b3-traceid': T64, 'x-b3-spanid': P, 'x-b3-sampled': '1' })).toMatchObject({ spanId: S, traceFlags: 0 });
  });

  it('injects traceid-spanid-sampled', () => {
    expect(inject(withSc())).toEqual({ b3: `${T}-${S}-1` });
    expect(inject(withSc({ traceFlags: 0 }))).toEqual({ b3: `${T}-${S}-0` });
    expect(inject(withSc({ traceFlags: 2 }))).toEqual({ b3: `${T}-${S}-0` });
    expect(inject(withSc({ traceFlags: 3 }))).toEqual({ b3: `${T}-${S}-1` });
  });

  it('lists its field', () => {
    expect(single.fields()).toEqual(['b3']);
  });
});

describe('B3Propagator: multiple headers', () => {
  const h = (sampled?: string, extra: Record<string, string> = {}) => ({
    'x-b3-traceid': T,
    'x-b3-spanid': S,
    ...(sampled === undefined ? {} : { 'x-b3-sampled': sampled }),
    ...extra,
  });

  it('extracts trace id, span id and the sampling decision', () => {
    expect(sc(h('1', { 'x-b3-parentspanid': P }))).toEqual({ traceId: T, spanId: S, traceFlags: 1, isRemote: true });
    for (const v of ['1', 'true', 'True', 'TRUE', 'd']) expect(sc(h(v))?.traceFlags, v).toBe(1);
    for (const v of ['0', 'false', 'False']) expect(sc(h(v))?.traceFlags, v).toBe(0);
    expect(sc(h())?.traceFlags).toBe(0);
  });

  it('rejects an unknown sampling value', () => {
    for (const v of ['2', 'yes', 'x']) expect(extract(h(v)), v).toBe(ROOT_CONTEXT);
  });

  it('treats X-B3-Flags: 1 as debug, sampled, and keeps it', () => {
    const ctx = extract(h('0', { 'x-b3-flags': '1' }));
    expect(getSpanContext(ctx)?.traceFlags).toBe(1);
    expect(ctx.getValue(DEBUG)).toBe('1');
    expect(inject(ctx, multi)).toEqual({ 'x-b3-traceid': T, 'x-b3-spanid': S, 'x-b3-flags': '1' });
    expect(inject(ctx).b3).toBe(`${T}-${S}-d`);
    expect(extract(h(undefined, { 'x-b3-flags': '0' })).getValue(DEBUG)).toBeUndefined();
  });

  it('pads a 64-bit trace id and rejects other lengths', () => {
    expect(sc({ 'x-b3-traceid': T64, 'x-b3-spanid': S })?.traceId).toBe('0'.repeat(16) + T64);
    for (const t of [T64.slice(1), T + '0', 'abc', '']) {
      expect(extract({ 'x-b3-traceid': t, 'x-b3-spanid': S }), t).toBe(ROOT_CONTEXT);
    }
  });

  it('rejects missing or invalid ids', () => {
    expect(extract({ 'x-b3-traceid': T })).toBe(ROOT_CONTEXT);
    expect(extract({ 'x-b3-spanid': S })).toBe(ROOT_CONTEXT);
    expect(extract({ 'x-b3-traceid': '0'.repeat(32), 'x-b3-spanid': S })).toBe(ROOT_CONTEXT);
    expect(extract({ 'x-b3-traceid': T, 'x-b3-spanid': 'E457B5A2E4D86BD1' })).toBe(ROOT_CONTEXT);
    expect(extract({})).toBe(ROOT_CONTEXT);
  });

  it('looks up lowercase header names (the default getter does not fold the carrier\'s keys)', () => {
    expect(sc({ 'X-B3-TraceId': T, 'X-B3-SpanId': S } as Record<string, string>)).toBeUndefined();
    const lower = Object.fromEntries(Object.entries({ 'X-B3-TraceId': T, 'X-B3-SpanId': S }).map(([k, v]) => [k.toLowerCase(), v]));
    expect(sc(lower)?.traceId).toBe(T);
  });

  it('injects the multi headers', () => {
    expect(inject(withSc(), multi)).toEqual({ 'x-b3-traceid': T, 'x-b3-spanid': S, 'x-b3-sampled': '1' });
    expect(inject(withSc({ traceFlags: 0 }), multi)).toEqual({ 'x-b3-traceid': T, 'x-b3-spanid': S, 'x-b3-sampled': '0' });
  });

  it('lists its fields', () => {
    expect(multi.fields()).toEqual(['x-b3-traceid', 'x-b3-spanid', 'x-b3-flags', 'x-b3-sampled', 'x-b3-parentspanid']);
  });

  it('round-trips', () => {
    for (const p of [single, multi]) {
      for (const flags of [0, 1]) {
        expect(getSpanContext(extract(inject(withSc({ traceFlags: flags }), p), p))).toEqual({ traceId: T, spanId: S, traceFlags: flags, isRemote: true });
      }
    }
  });
});

describe('B3Propagator: nothing to inject', () => {
  it('writes nothing without a valid span context or when tracing is suppressed', () => {
    for (const p of [single, multi]) {
      expect(inject(ROOT_CONTEXT, p)).toEqual({});
      expect(inject(withSc({ traceId: '0'.repeat(32) }), p)).toEqual({});
      expect(inject(suppressTracing(withSc()), p)).toEqual({});
    }
  });
});

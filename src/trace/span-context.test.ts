import { describe, expect, it } from 'vitest';
import { INVALID_SPAN_CONTEXT, isKnownValid, isSpanContextValid, isValidSpanId, isValidTraceId, wrote } from './span-context';

const T = '0af7651916cd43dd8448eb211c80319c';
const S = 'b7ad6b7169203331';

describe('isValidTraceId', () => {
  it('accepts 32 lowercase hex characters', () => {
    expect(isValidTraceId(T)).toBe(true);
    expect(isValidTraceId('0'.repeat(31) + '1')).toBe(true);
  });
  it.each([
    ['all zero', '0'.repeat(32)],
    ['upper case', T.toUpperCase()],
    ['too short', T.slice(1)],
    ['too long', T + '0'],
    ['non-hex', 'g' + T.slice(1)],
    ['empty', ''],
    ['a 16-character id', S],
  ])('rejects %s', (_n, id) => {
    expect(isValidTraceId(id)).toBe(false);
  });
  it('rejects non-strings without throwing', () => {
    expect(isValidTraceId(undefined as unknown as string)).toBe(false);
    expect(isValidTraceId(123 as unknown as string)).toBe(false);
  });
});

describe('isValidSpanId', () => {
  it('accepts 16 lowercase hex characters', () => {
    expect(isValidSpanId(S)).toBe(true);
  });
  it.each([
    ['all zero', '0'.repeat(16)],
    ['upper case', S.toUpperCase()],
    ['too short', S.slice(1)],
    ['too long', S + '0'],
    ['non-hex', 'z' + S.slice(1)],
    ['a trace id', T],
  ])('rejects %s', (_n, id) => {
    expect(isValidSpanId(id)).toBe(false);
  });
});

describe('isSpanContextValid', () => {
  it('needs both ids valid', () => {
    expect(isSpanContextValid({ traceId: T, spanId: S, traceFlags: 0 })).toBe(true);
    expect(isSpanContextValid({ traceId: T, spanId: '0'.repeat(16), traceFlags: 1 })).toBe(false);
    expect(isSpanContextValid({ traceId: '0'.repeat(32), spanId: S, traceFlags: 1 })).toBe(false);
    expect(isSpanContextValid(undefined)).toBe(false);
  });
  it('ignores flags and remoteness', () => {
    expect(isSpanContextValid({ traceId: T, spanId: S, traceFlags: 0xff, isRemote: true })).toBe(true);
  });
});

describe('INVALID_SPAN_CONTEXT', () => {
  it('is all zero, unsampled and invalid', () => {
    expect(INVALID_SPAN_CONTEXT).toEqual({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 0 });
    expect(isSpanContextValid(INVALID_SPAN_CONTEXT)).toBe(false);
  });
});

describe('isKnownValid', () => {
  it('trusts the context the SDK wrote last and checks every other one', () => {
    const sc = wrote({ traceId: T, spanId: S, traceFlags: 1 });
    expect(isKnownValid(sc)).toBe(true);
    expect(isKnownValid({ ...sc })).toBe(true);
    expect(isKnownValid({ ...sc, spanId: '0'.repeat(16) })).toBe(false);
    expect(isKnownValid(undefined)).toBe(false);
    expect(isKnownValid(INVALID_SPAN_CONTEXT)).toBe(false);
  });
});

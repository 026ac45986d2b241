import { beforeEach, describe, expect, it, vi, type Mock } from 'vitest';
import { cleanAttribute, isAttributeValue } from './attributes';
import { diag, DiagLogLevel } from './diag';

const KEY = Symbol.for('otelite');
type LogFn = (message: string, ...args: unknown[]) => void;
let log: { error: Mock<LogFn>; warn: Mock<LogFn> };

beforeEach(() => {
  delete (globalThis as { [KEY]?: unknown })[KEY];
  log = { error: vi.fn<LogFn>(), warn: vi.fn<LogFn>() };
  diag.setLogger(log, DiagLogLevel.ALL);
});

describe('isAttributeValue', () => {
  it.each([['s'], [''], [0], [-1.5], [NaN], [Infinity], [true], [false]])('accepts the primitive %j', (v) => {
    expect(isAttributeValue(v)).toBe(true);
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['an object', { a: 1 }],
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['a bigint', 1n],
    ['a Date', new Date()],
  ])('rejects %s', (_n, v) => {
    expect(isAttributeValue(v)).toBe(false);
  });

  it('accepts homogeneous arrays, with null/undefined members, and the empty array', () => {
    expect(isAttributeValue(['a', 'b'])).toBe(true);
    expect(isAttributeValue([1, 2.5, NaN])).toBe(true);
    expect(isAttributeValue([true, false])).toBe(true);
    expect(isAttributeValue(['a', null, undefined, 'b'])).toBe(true);
    expect(isAttributeValue([null, undefined])).toBe(true);
    expect(isAttributeValue([])).toBe(true);
  });

  it('rejects mixed, nested and non-primitive arrays', () => {
    expect(isAttributeValue(['a', 1])).toBe(false);
    expect(isAttributeValue([1, null, 'a'])).toBe(false);
    expect(isAttributeValue([true, 0])).toBe(false);
    expect(isAttributeValue([[1]])).toBe(false);
    expect(isAttributeValue([{}])).toBe(false);
    expect(isAttributeValue([1n])).toBe(false);
  });
});

describe('cleanAttribute', () => {
  it('returns valid values unchanged', () => {
    expect(cleanAttribute('k', 'v', Infinity)).toBe('v');
    expect(cleanAttribute('k', 3, Infinity)).toBe(3);
    expect(cleanAttribute('k', false, Infinity)).toBe(false);
    expect(cleanAttribute('k', [1, 2], Infinity)).toEqual([1, 2]);
    expect(log.warn).not.toHaveBeenCalled();
  });

  it('drops invalid values with a diagnostic, never throwing', () => {
    for (const v of [{ a: 1 }, () => 1, Symbol('x'), 1n, [1, 'a'], [[1]], new Map()]) {
      expect(() => cleanAttribute('k', v, Infinity)).not.toThrow();
      expect(cleanAttribute('k', v, Infinity)).toBeUndefined();
    }
    expect(log.warn).toHaveBeenCalled();
    expect(log.warn.mock.calls[0][0]).toContain('invalid attribute value for k');
  });

  it('ignores null and undefined silently', () => {
    expect(cleanAttribute('k', null, Infinity)).toBeUndefined();
    expect(cleanAttribute('k', undefined, Infinity)).toBeUndefined();
    expect(log.warn).not.toHaveBeenCalled();
  });

  it('drops empty and non-string keys with a diagnostic', () => {
    expect(cleanAttribute('', 'v', Infinity)).toBeUndefined();
    expect(cleanAttribute(1 as unknown as string, 'v', Infinity)).toBeUndefined();
    expect(cleanAttribute(undefined as unknown as string, 'v', Infinity)).toBeUndefined();
    expect(log.warn).toHaveBeenCalledTimes(3);
    expect(log.warn.mock.calls[0][0]).toContain('invalid attribute key');
  });

  it('truncates strings to the length limit', () => {
    expect(cleanAttribute('k', 'abcdef', 3)).toBe('abc');
    expect(cleanAttribute('k', 'abc', 3)).toBe('abc');
    expect(cleanAttribute('k', 'abc', 0)).toBe('');
    expect(cleanAttribute('k', 'x'.repeat(10_000), Infinity)).toHaveLength(10_000);
  });

  it('truncates each string of an array and leaves other types alone', () => {
    expect(cleanAttribute('k', ['abcdef', 'ab', null], 3)).toEqual(['abc', 'ab', null]);
    expect(cleanAttribute('k', [123456, 7], 3)).toEqual([123456, 7]);
    expect(cleanAttribute('k', 123456, 3)).toBe(123456);
    expect(cleanAttribute('k', true, 0)).toBe(true);
  });

  it('copies arrays: the caller may change its array afterwards', () => {
    const input = ['a', 'b'];
    const out = cleanAttribute('k', input, Infinity) as string[];
    expect(out).not.toBe(input);
    input.push('c');
    input[0] = 'z';
    expect(out).toEqual(['a', 'b']);
  });
});

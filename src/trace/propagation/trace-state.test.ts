import { describe, expect, it } from 'vitest';
import { createTraceState } from './trace-state';

const keys = (raw: string) => createTraceState(raw).serialize();
const members = (n: number, from = 1) =>
  Array.from({ length: n }, (_, i) => `k${i + from}=v${i + from}`).join(',');
// every character the value grammar allows: 0x20-0x7E without "," and "="
const ALL_VALUE_CHARS = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i))
  .filter((c) => c != ',' && c != '=')
  .join('');

describe('createTraceState: parsing', () => {
  it('is empty without input', () => {
    expect(createTraceState().serialize()).toBe('');
    expect(createTraceState('').serialize()).toBe('');
    expect(createTraceState(undefined).get('a')).toBeUndefined();
  });

  it('keeps members in order', () => {
    const ts = createTraceState('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
    expect(ts.get('rojo')).toBe('00f067aa0ba902b7');
    expect(ts.get('congo')).toBe('t61rcWkgMzE');
    expect(ts.serialize()).toBe('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
  });

  it('ignores OWS (spaces and tabs) around members and drops blank members', () => {
    expect(keys('foo=1 \t , \t bar=2, \t baz=3')).toBe('foo=1,bar=2,baz=3');
    expect(keys('foo=1\t \t,\t \tbar=2,\t \tbaz=3')).toBe('foo=1,bar=2,baz=3');
    expect(keys(' foo=1')).toBe('foo=1');
    expect(keys('\tfoo=1')).toBe('foo=1');
    expect(keys('foo=1 ')).toBe('foo=1');
    expect(keys('foo=1\t')).toBe('foo=1');
    expect(keys('\t foo=1 \t')).toBe('foo=1');
    expect(keys(',,foo=1, ,\t,bar=2,')).toBe('foo=1,bar=2');
    expect(keys(' ')).toBe('');
    expect(keys(',')).toBe('');
  });

  it('keeps leading spaces of a value (they are part of it) and drops trailing ones (OWS)', () => {
    const ts = createTraceState('foo=  x y  ,bar=1');
    expect(ts.get('foo')).toBe('  x y');
    expect(ts.serialize()).toBe('foo=  x y,bar=1');
  });

  it('accepts every key and value character the grammar allows', () => {
    const simple = 'abcdefghijklmnopqrstuvwxyz0123456789_-*/';
    const tenant = simple + '@a-z0-9_-*/';
    expect(createTraceState(`${simple}=${ALL_VALUE_CHARS}`).get(simple)).toBe(ALL_VALUE_CHARS);
    expect(createTraceState(`${tenant}=${ALL_VALUE_CHARS}`).get(tenant)).toBe(ALL_VALUE_CHARS);
  });

  it('accepts simple and multi-tenant keys, keys starting with a digit, and @ anywhere after the first character (Level 2 key grammar)', () => {
    for (const k of ['congo', '0vendor', 'fw529a3039@dt', '001@xyz', 'foo@', 'foo@@bar', 'foo@bar@baz', 't@' + 'v'.repeat(15)]) {
      expect(createTraceState(`${k}=1,bar=2`).get(k), k).toBe('1');
    }
  });

  it('accepts keys of 256 characters, not 257', () => {
    const k256 = 'z'.repeat(256);
    expect(createTraceState(`foo=1,${k256}=1`).get(k256)).toBe('1');
    expect(createTraceState('t'.repeat(241) + '@' + 'v'.repeat(14) + '=1').serialize()).not.toBe('');
    expect(createTraceState('t'.repeat(242) + '@v=1').serialize()).not.toBe('');
    expect(keys(`foo=1,${'z'.repeat(257)}=1`)).toBe('');
  });

  it('accepts values of 256 characters, not 257', () => {
    expect(createTraceState('a=' + 'x'.repeat(256)).get('a')).toHaveLength(256);
    expect(keys('a=' + 'x'.repeat(257))).toBe('');
    // trailing OWS does not count
    expect(createTraceState('a=' + 'x'.repeat(256) + '   ').get('a')).toHaveLength(256);
  });

  it('discards the whole header when a member is invalid (W3C conformance suite, strict level 2)', () => {
    for (const raw of [
      'foo =1', // space in key
      'FOO=1', // uppercase key
      'foo.bar=1', // "." not a key character
      '@foo=1,bar=2', // key starts with @
      '_foo=1', // key starts with _
      'foo=bar=baz', // "=" in value
      'foo=,bar=3', // empty value
      'foo', // no "="
      '=1', // no key
      'foo=1\n', // control character
      'foo=a\u00e9', // non-ASCII
      'foo=1,bar=a\tb', // tab inside value
      'foo=1;bar=2',
    ]) {
      expect(keys(raw), JSON.stringify(raw)).toBe('');
    }
  });

  it('accepts 32 members and discards a header with 33', () => {
    const ts = createTraceState(members(32));
    expect(ts.get('k1')).toBe('v1');
    expect(ts.get('k32')).toBe('v32');
    expect(ts.serialize().split(',')).toHaveLength(32);
    expect(keys(members(33))).toBe('');
    // blank members do not count
    expect(keys(members(32) + ',,, ,')).not.toBe('');
  });

  it('keeps the first (left-most, newest) of duplicated keys', () => {
    expect(keys('foo=1,foo=1')).toBe('foo=1');
    expect(keys('foo=1,bar=2,foo=3')).toBe('foo=1,bar=2');
  });
});

describe('TraceState: mutations', () => {
  it('set adds new keys at the front and moves updated keys to the front', () => {
    const ts = createTraceState('a=1,b=2,c=3');
    expect(ts.set('d', '4').serialize()).toBe('d=4,a=1,b=2,c=3');
    expect(ts.set('b', '9').serialize()).toBe('b=9,a=1,c=3');
    expect(ts.set('a', '1').serialize()).toBe('a=1,b=2,c=3');
  });

  it('is immutable', () => {
    const ts = createTraceState('a=1');
    const ts2 = ts.set('b', '2');
    const ts3 = ts2.unset('a');
    expect(ts.serialize()).toBe('a=1');
    expect(ts2.serialize()).toBe('b=2,a=1');
    expect(ts3.serialize()).toBe('b=2');
    expect(ts2.get('a')).toBe('1');
  });

  it('set drops the right-most member beyond 32', () => {
    const ts = createTraceState(members(32)).set('new', 'x');
    const list = ts.serialize().split(',');
    expect(list).toHaveLength(32);
    expect(list[0]).toBe('new=x');
    expect(ts.get('k31')).toBe('v31');
    expect(ts.get('k32')).toBeUndefined();
    // updating an existing key at the limit drops nothing
    expect(createTraceState(members(32)).set('k32', 'y').serialize().split(',')).toHaveLength(32);
  });

  it('set ignores invalid keys and values and returns the state unchanged', () => {
    const ts = createTraceState('a=1');
    for (const [k, v] of [
      ['B', '1'],
      ['', '1'],
      [' a', '1'],
      ['a', ''],
      ['a', 'x,y'],
      ['a', 'x=y'],
      ['a', 'x '],
      ['a', 'é'],
      ['a', 'x'.repeat(257)],
      ['k'.repeat(257), 'x'],
    ]) {
      expect(ts.set(k, v), JSON.stringify([k, v])).toBe(ts);
    }
    expect(ts.set('b', ' x').get('b')).toBe(' x');
  });

  it('unset removes a key; unknown keys change nothing', () => {
    const ts = createTraceState('a=1,b=2');
    expect(ts.unset('a').serialize()).toBe('b=2');
    expect(ts.unset('zz').serialize()).toBe('a=1,b=2');
    expect(ts.unset('a').unset('b').serialize()).toBe('');
  });

  it('round-trips what it parses', () => {
    const raw = 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7,t@s= lead';
    expect(createTraceState(createTraceState(raw).serialize()).serialize()).toBe(raw);
  });
});

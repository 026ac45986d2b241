import { describe, expect, it } from 'vitest';
import { anyValue } from './logs';
import {
  attrValue,
  arr,
  attrFields,
  encodeRequest,
  keyValues,
  listField,
  nanos,
  num,
  obj,
  resourceJson,
  scopeJson,
  str,
} from './encode-common';

const parse = (s: string): unknown => JSON.parse(s);

describe('anyValue', () => {
  it('keeps ints and doubles apart, ints as decimal strings', () => {
    expect(parse(anyValue(42))).toEqual({ intValue: '42' });
    expect(parse(anyValue(-7))).toEqual({ intValue: '-7' });
    expect(parse(anyValue(0))).toEqual({ intValue: '0' });
    expect(parse(anyValue(-0))).toEqual({ intValue: '0' });
    expect(parse(anyValue(2 ** 53))).toEqual({ intValue: '9007199254740992' });
    expect(parse(anyValue(0.5))).toEqual({ doubleValue: 0.5 });
    expect(parse(anyValue(1e-7))).toEqual({ doubleValue: 1e-7 });
  });

  it('writes integers beyond int64 as doubles, never as exponent strings', () => {
    expect(parse(anyValue(1e21))).toEqual({ doubleValue: 1e21 });
    expect(parse(anyValue(-1e19))).toEqual({ doubleValue: -1e19 });
  });

  it('spells NaN and infinities as protobuf JSON does', () => {
    expect(anyValue(NaN)).toBe('{"doubleValue":"NaN"}');
    expect(anyValue(Infinity)).toBe('{"doubleValue":"Infinity"}');
    expect(anyValue(-Infinity)).toBe('{"doubleValue":"-Infinity"}');
    expect(num(1.5)).toBe('1.5');
  });

  it('encodes strings (escaped), bools, arrays, maps, bytes, nothing', () => {
    expect(parse(anyValue('a"b\n\u2028'))).toEqual({ stringValue: 'a"b\n\u2028' });
    expect(anyValue(true)).toBe('{"boolValue":true}');
    expect(parse(anyValue(['a', null, 'b']))).toEqual({
      arrayValue: { values: [{ stringValue: 'a' }, {}, { stringValue: 'b' }] },
    });
    expect(parse(anyValue([1, 2.5]))).toEqual({ arrayValue: { values: [{ intValue: '1' }, { doubleValue: 2.5 }] } });
    expect(parse(anyValue([]))).toEqual({ arrayValue: { values: [] } });
    expect(parse(anyValue({ k: 1, n: { b: false } }))).toEqual({
      kvlistValue: {
        values: [
          { key: 'k', value: { intValue: '1' } },
          { key: 'n', value: { kvlistValue: { values: [{ key: 'b', value: { boolValue: false } }] } } },
        ],
      },
    });
    expect(parse(anyValue(new Uint8Array([0, 255, 16])))).toEqual({ bytesValue: 'AP8Q' });
    expect(anyValue(null)).toBe('{}');
    expect(anyValue(undefined)).toBe('{}');
    expect(anyValue(() => 1)).toBe('{}');
  });
});

describe('attrValue (attributes: no maps, no bytes)', () => {
  it('writes objects through the given writer, or as an empty AnyValue', () => {
    expect(attrValue({ a: 1 })).toBe('{}');
    expect(attrValue(new Uint8Array([1]))).toBe('{}');
    expect(attrValue(['a', {}], () => '{"x":1}')).toBe('{"arrayValue":{"values":[{"stringValue":"a"},{"x":1}]}}');
    expect(attrValue([1, 'b'])).toBe(anyValue([1, 'b']));
  });
});

describe('fields', () => {
  it('writes a lone surrogate as U+FFFD (what a collector keeps: protobuf strings are UTF-8); pairs stay', () => {
    expect(parse(str('cut \ud83d'))).toBe('cut \ufffd');
    expect(parse(str('\ude00 x \ud83d\ude00'))).toBe('\ufffd x \ud83d\ude00');
    expect(parse(keyValues({ ['k\ud800']: 'v\udfff' }))).toEqual([{ key: 'k\ufffd', value: { stringValue: 'v\ufffd' } }]);
  });

  it('keyValues skips undefined and escapes keys', () => {
    expect(parse(keyValues({ 'a"': 'x', u: undefined, n: 1 }))).toEqual([
      { key: 'a"', value: { stringValue: 'x' } },
      { key: 'n', value: { intValue: '1' } },
    ]);
    expect(keyValues({})).toBe('[]');
    expect(keyValues(undefined)).toBe('[]');
  });

  it('attrFields omits empty lists and zero counts', () => {
    expect(attrFields({}, 0)).toBe('');
    expect(attrFields(undefined)).toBe('');
    expect(obj(attrFields({ a: 1 }, 2))).toBe('{"attributes":[{"key":"a","value":{"intValue":"1"}}],"droppedAttributesCount":2}');
    expect(obj(attrFields({}, 3))).toBe('{"droppedAttributesCount":3}');
  });

  it('nanos are exact decimal strings', () => {
    expect(nanos(1700000000123.456)).toBe('"1700000000123456000"');
    expect(nanos(0)).toBe('"0"');
  });

  it('resource and scope', () => {
    expect(resourceJson({ attributes: { 'service.name': 's' } })).toBe(
      '{"attributes":[{"key":"service.name","value":{"stringValue":"s"}}]}',
    );
    expect(resourceJson({ attributes: {} })).toBe('{}');
    expect(scopeJson({ name: 'lib', version: '1.0', attributes: { x: true } })).toBe(
      '{"name":"lib","version":"1.0","attributes":[{"key":"x","value":{"boolValue":true}}]}',
    );
    expect(scopeJson({ name: '' })).toBe('{}');
  });
});

describe('grouping', () => {
  const r1 = { attributes: { r: 1 }, schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' };
  const r2 = { attributes: { r: 2 } };
  const s1 = { name: 'a', schemaUrl: 'https://s' };
  const s2 = { name: 'b' };
  const items = [
    { r: r1, s: s1, v: 1 },
    { r: r2, s: s1, v: 2 },
    { r: r1, s: s2, v: 3 },
    { r: r1, s: s1, v: 4 },
  ];

  it('builds the request with the signal names and schema URLs at the right levels', () => {
    const json = parse(encodeRequest(items, 'Logs', 'logRecords', (i) => '{"v":' + i.v + '}', (i) => i.r, (i) => i.s));
    expect(json).toEqual({
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'r', value: { intValue: '1' } }] },
          scopeLogs: [
            { scope: { name: 'a' }, logRecords: [{ v: 1 }, { v: 4 }], schemaUrl: 'https://s' },
            { scope: { name: 'b' }, logRecords: [{ v: 3 }] },
          ],
          schemaUrl: 'https://opentelemetry.io/schemas/1.30.0',
        },
        {
          resource: { attributes: [{ key: 'r', value: { intValue: '2' } }] },
          scopeLogs: [{ scope: { name: 'a' }, logRecords: [{ v: 2 }], schemaUrl: 'https://s' }],
        },
      ],
    });
    expect(encodeRequest([], 'Spans', 'spans', String, () => r1, () => s1)).toBe('{"resourceSpans":[]}');
  });
});

describe('fast paths', () => {
  it('str quotes plain strings itself and gives the rest to JSON.stringify (lone surrogates as U+FFFD)', () => {
    for (const x of ['', 'GET', 'https://a.example/x?y=1&z=é', 'a"b', 'a\\b', 'tab\there', '\u0000', '\u001f', '😀', '\u2028'])
      expect(str(x)).toBe(JSON.stringify(x));
    expect(str('lone \ud800')).toBe(JSON.stringify('lone \ufffd'));
  });

  it('the per-key value cache never mixes up keys, types or values', () => {
    const a = { n: 1, s: '1', b: true, t: 'true', z: -0, nan: NaN, d: 1.5 };
    const first = keyValues(a);
    expect(keyValues(a)).toBe(first); // from the cache
    expect(parse(first)).toEqual([
      { key: 'n', value: { intValue: '1' } },
      { key: 's', value: { stringValue: '1' } },
      { key: 'b', value: { boolValue: true } },
      { key: 't', value: { stringValue: 'true' } },
      { key: 'z', value: { intValue: '0' } },
      { key: 'nan', value: { doubleValue: 'NaN' } },
      { key: 'd', value: { doubleValue: 1.5 } },
    ]);
    // the same value under another key, and past the bounds (many keys, many values per key)
    expect(parse(keyValues({ s: 1, n: '1' }))).toEqual([
      { key: 's', value: { intValue: '1' } },
      { key: 'n', value: { stringValue: '1' } },
    ]);
    for (let i = 0; i < 600; i++) {
      expect(parse(keyValues({ ['k' + i]: i, n: 'v' + i }))).toEqual([
        { key: 'k' + i, value: { intValue: '' + i } },
        { key: 'n', value: { stringValue: 'v' + i } },
      ]);
    }
    expect(parse(keyValues({ n: ['a', 1] }))).toEqual([{ key: 'n', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '1' }] } } }]);
  });

  it('arr and listField', () => {
    expect(arr([1, 2], String)).toBe('[1,2]');
    expect(arr([], String)).toBe('[]');
    expect(listField('l', [1, 2], (x) => '{"v":' + x + '}')).toBe(',"l":[{"v":1},{"v":2}]');
    expect(listField('l', [], String)).toBe('');
  });

  it('a sparse array encodes its holes as empty AnyValues', () => {
    // eslint-disable-next-line no-sparse-arrays
    expect(parse(anyValue(['a', , 'b']))).toEqual({ arrayValue: { values: [{ stringValue: 'a' }, {}, { stringValue: 'b' }] } });
  });
});

import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT } from '../../context/context';
import type { Context } from '../../context/types';
import { suppressTracing } from '../../lib/suppress';
import {
  baggageEntryMetadataFromString,
  createBaggage,
  deleteBaggage,
  getBaggage,
  percentDecode,
  setBaggage,
  W3CBaggagePropagator,
} from './baggage';
import { defaultTextMapGetter, defaultTextMapSetter, type BaggageEntry } from './types';

const p = new W3CBaggagePropagator();
const extract = (h: string | string[] | undefined, ctx: Context = ROOT_CONTEXT) =>
  getBaggage(p.extract(ctx, { baggage: h }, defaultTextMapGetter));
const values = (h: string | string[]) =>
  Object.fromEntries((extract(h)?.getAllEntries() ?? []).map(([k, e]) => [k, e.value]));
const inject = (entries: Record<string, BaggageEntry>, ctx: Context = ROOT_CONTEXT) => {
  const h: Record<string, string> = {};
  p.inject(setBaggage(ctx, createBaggage(entries)), h, defaultTextMapSetter);
  return h.baggage;
};

describe('Baggage', () => {
  it('gets, sets and removes entries without changing the original', () => {
    const b = createBaggage({ a: { value: '1' } });
    const b2 = b.setEntry('b', { value: '2' });
    expect(b.getAllEntries()).toEqual([['a', { value: '1' }]]);
    expect(b2.getAllEntries()).toEqual([
      ['a', { value: '1' }],
      ['b', { value: '2' }],
    ]);
    expect(b2.removeEntry('a').getAllEntries()).toEqual([['b', { value: '2' }]]);
    expect(b2.removeEntries('a', 'b', 'zz').getAllEntries()).toEqual([]);
    expect(b2.clear().getAllEntries()).toEqual([]);
    expect(b2.getEntry('b')?.value).toBe('2');
    expect(b2.getEntry('zz')).toBeUndefined();
    expect(b2.getAllEntries()).toHaveLength(2);
    expect(createBaggage().getAllEntries()).toEqual([]);
  });

  it('replaces the value of an existing key', () => {
    const b = createBaggage({ a: { value: '1' } }).setEntry('a', { value: '2' });
    expect(b.getAllEntries()).toEqual([['a', { value: '2' }]]);
  });

  it('changing the returned array does not change the baggage', () => {
    const b = createBaggage({ a: { value: '1' } });
    b.getAllEntries().pop();
    expect(b.getEntry('a')).toBeDefined();
  });

  it('lives in the context', () => {
    const b = createBaggage({ a: { value: '1' } });
    const ctx = setBaggage(ROOT_CONTEXT, b);
    expect(getBaggage(ctx)).toBe(b);
    expect(getBaggage(ROOT_CONTEXT)).toBeUndefined();
    expect(getBaggage(deleteBaggage(ctx))).toBeUndefined();
  });

  it('keeps metadata as an opaque string', () => {
    expect(baggageEntryMetadataFromString('p1;p2=v').toString()).toBe('p1;p2=v');
    expect(`${baggageEntryMetadataFromString('x')}`).toBe('x');
  });
});

describe('percentDecode', () => {
  it('decodes UTF-8 sequences', () => {
    expect(percentDecode('Am%C3%A9lie')).toBe('Amélie');
    expect(percentDecode('DF%2028')).toBe('DF 28');
    expect(percentDecode('%e2%82%ac%F0%9F%98%80')).toBe('€😀');
    expect(percentDecode('%25')).toBe('%');
  });
  it('replaces invalid UTF-8 with U+FFFD instead of throwing', () => {
    expect(percentDecode('a%FFb')).toBe('a\ufffdb');
    expect(percentDecode('%C3')).toBe('\ufffd');
    expect(percentDecode('%C3%A9%C3')).toBe('é\ufffd');
    expect(percentDecode('%ED%A0%80')).toBe('\ufffd\ufffd\ufffd');
  });
  it('keeps a stray percent sign and "+" as they are', () => {
    expect(percentDecode('100%')).toBe('100%');
    expect(percentDecode('%zz%4')).toBe('%zz%4');
    expect(percentDecode('a+b')).toBe('a+b');
  });
  it('keeps a leading byte-order mark', () => {
    expect(percentDecode('%EF%BB%BFx')).toBe('\ufeffx');
  });
});

describe('W3CBaggagePropagator.extract', () => {
  it('parses members', () => {
    expect(values('userId=alice,serverNode=DF%2028,isProduction=false')).toEqual({
      userId: 'alice',
      serverNode: 'DF 28',
      isProduction: 'false',
    });
  });

  it('decodes percent-encoded values', () => {
    expect(values('userId=Am%C3%A9lie')).toEqual({ userId: 'Amélie' });
    // the W3C test suite's vector: every delimiter encoded
    expect(values('SomeKey=%09%20%22%27%3B%3Dasdf%21%40%23%24%25%5E%26%2A%28%29')).toEqual({
      SomeKey: '\t "\';=asdf!@#$%^&*()',
    });
    expect(values('k=%FF')).toEqual({ k: '\ufffd' });
  });

  it('decodes percent-encoded keys (as opentelemetry-js encodes them)', () => {
    expect(values('a%20b=1')).toEqual({ 'a b': '1' });
  });

  it('ignores OWS around keys, values, delimiters and properties', () => {
    expect(values('userId =   alice')).toEqual({ userId: 'alice' });
    expect(values(['userId=alice', 'serverNode = DF%2028, isProduction = false'])).toEqual({
      userId: 'alice',
      serverNode: 'DF 28',
      isProduction: 'false',
    });
    const b = extract(
      'SomeKey \t = \t SomeValue \t ; \t SomeProp \t , \t SomeKey2 \t = \t SomeValue2 \t ; \t ValueProp \t = \t PropVal',
    );
    expect(b?.getEntry('SomeKey')?.value).toBe('SomeValue');
    expect(b?.getEntry('SomeKey')?.metadata?.toString()).toBe('SomeProp');
    expect(b?.getEntry('SomeKey2')?.value).toBe('SomeValue2');
    expect(b?.getEntry('SomeKey2')?.metadata?.toString()).toBe('ValueProp \t = \t PropVal');
  });

  it('keeps properties as metadata, as written', () => {
    const b = extract('key1=value1;property1;property2, key2 = value2, key3=value3; propertyKey=propertyValue');
    expect(b?.getEntry('key1')).toEqual({ value: 'value1', metadata: expect.anything() });
    expect(b?.getEntry('key1')?.metadata?.toString()).toBe('property1;property2');
    expect(b?.getEntry('key2')).toEqual({ value: 'value2' });
    expect(b?.getEntry('key3')?.metadata?.toString()).toBe('propertyKey=propertyValue');
    expect(extract('k=v;p=%20x;p;p=y')?.getEntry('k')?.metadata?.toString()).toBe('p=%20x;p;p=y');
  });

  it('allows "=" in values and empty values', () => {
    expect(values('SomeKey=SomeValue=equals,e=')).toEqual({ SomeKey: 'SomeValue=equals', e: '' });
  });

  it('skips malformed members and keeps the others', () => {
    for (const bad of [
      'novalue',
      '=v',
      ' = v',
      'k y=v',
      'k(=v',
      'k"=v',
      'k=v v',
      'k=a"b',
      'k=a\\b',
      'k=é',
      'k=v;',
      'k=v;;p',
      'k=v;p q',
      'k=v;=x',
      'k=v;p=a b',
      'k\t=v\n',
    ]) {
      expect(values(`a=1,${bad},b=2`), JSON.stringify(bad)).toEqual({ a: '1', b: '2' });
    }
  });

  it('tolerates empty members and empty headers', () => {
    expect(values('a=1,,b=2, ,')).toEqual({ a: '1', b: '2' });
    expect(values(['', 'a=1'])).toEqual({ a: '1' });
  });

  it('returns the very same context when there is no valid member', () => {
    for (const h of [undefined, '', 'garbage', ',,', []]) {
      expect(p.extract(ROOT_CONTEXT, h === undefined ? {} : { baggage: h }, defaultTextMapGetter)).toBe(ROOT_CONTEXT);
    }
  });

  it('keeps the last value of a duplicated key', () => {
    expect(values('k=1,k=2')).toEqual({ k: '2' });
  });

  it('replaces the baggage of the context', () => {
    const ctx = setBaggage(ROOT_CONTEXT, createBaggage({ old: { value: 'x' } }));
    expect(extract('k=1', ctx)?.getAllEntries()).toEqual([['k', { value: '1' }]]);
  });
});

describe('W3CBaggagePropagator.inject', () => {
  it('writes members', () => {
    expect(inject({ userId: { value: 'alice' }, isProduction: { value: 'false' } })).toBe(
      'userId=alice,isProduction=false',
    );
  });

  it('percent-encodes values outside baggage-octet, and "%"', () => {
    expect(inject({ serverNode: { value: 'DF 28' } })).toBe('serverNode=DF%2028');
    expect(inject({ userId: { value: 'Amélie' } })).toBe('userId=Am%C3%A9lie');
    expect(inject({ k: { value: '100% "a,b;c\\d"' } })).toBe('k=100%25%20%22a%2Cb%3Bc%5Cd%22');
    expect(inject({ k: { value: '' } })).toBe('k=');
  });

  it('writes metadata after the value', () => {
    expect(inject({ k: { value: 'v', metadata: baggageEntryMetadataFromString('p1;p2=x') } })).toBe('k=v;p1;p2=x');
    expect(inject({ k: { value: 'v', metadata: baggageEntryMetadataFromString('') } })).toBe('k=v');
    expect(inject({ k: { value: 'v', metadata: baggageEntryMetadataFromString(' p1 ; p2 = x ') } })).toBe('k=v; p1 ; p2 = x ');
  });

  it('leaves out metadata that is not valid property syntax, keeping the entry', () => {
    for (const bad of ['a,b=c', 'p=é', 'p=a b', ';', 'p;;q', '=x', 'p="q"']) {
      expect(inject({ k: { value: 'v', metadata: baggageEntryMetadataFromString(bad) }, z: { value: '1' } }), bad).toBe('k=v,z=1');
    }
  });

  it('percent-encodes keys that are not tokens and leaves out those it cannot send', () => {
    expect(inject({ 'a b': { value: '1' } })).toBe('a%20b=1');
    expect(inject({ 'a(b)': { value: '1' }, ok: { value: '2' } })).toBe('ok=2');
    expect(inject({ '': { value: '1' }, ok: { value: '2' } })).toBe('ok=2');
    expect(inject({ bad: { value: 'x\ud800' }, ok: { value: '2' } })).toBe('ok=2');
  });

  it('round-trips keys, values and metadata through extract', () => {
    const entries: Record<string, BaggageEntry> = {
      plain: { value: 'v' },
      'sp ace': { value: ' x , y ; z = % é 😀 ' },
      meta: { value: 'm', metadata: baggageEntryMetadataFromString('p1;p2=v%20') },
    };
    const b = extract(inject(entries));
    expect(b?.getEntry('plain')?.value).toBe('v');
    expect(b?.getEntry('sp ace')?.value).toBe(' x , y ; z = % é 😀 ');
    expect(b?.getEntry('meta')?.metadata?.toString()).toBe('p1;p2=v%20');
  });

  it('writes at most 180 members', () => {
    const entries = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, { value: 'v' }]));
    const h = inject(entries)!;
    expect(h.split(',')).toHaveLength(180);
    expect(h.endsWith('k179=v')).toBe(true);
  });

  it('writes at most 8192 bytes, whole members only, and keeps later members that fit', () => {
    const big = 'x'.repeat(8192 - 'a=,b=1'.length); // a=<big>,b=1 is exactly 8192 bytes
    const h1 = inject({ a: { value: big }, b: { value: '1' } })!;
    expect(h1.length).toBe(8192);
    expect(h1.endsWith(',b=1')).toBe(true);
    // one byte more: b=1 no longer fits and is left out whole, a later smaller member still goes
    const h2 = inject({ a: { value: big + 'x' }, b: { value: '1' }, c: { value: '' } })!;
    expect(h2.length).toBe(8192);
    expect(h2.endsWith('x,c=')).toBe(true);
    expect(h2).not.toContain('b=');
    // a member too big on its own is dropped, the others still go
    expect(inject({ a: { value: 'x'.repeat(9000) }, b: { value: '1' } })).toBe('b=1');
    expect(inject({ a: { value: 'x'.repeat(8190) } })).toHaveLength(8192);
    expect(inject({ a: { value: 'x'.repeat(8191) } })).toBeUndefined();
    // encoding counts: 3 bytes per encoded character
    expect(inject({ a: { value: ' '.repeat(2730) } })).toHaveLength(8192);
    expect(inject({ a: { value: ' '.repeat(2731) } })).toBeUndefined();
  });

  it('writes nothing without baggage, with empty baggage, or when tracing is suppressed', () => {
    expect(inject({})).toBeUndefined();
    const h: Record<string, string> = {};
    p.inject(ROOT_CONTEXT, h, defaultTextMapSetter);
    expect(h).toEqual({});
    expect(inject({ a: { value: '1' } }, suppressTracing(ROOT_CONTEXT))).toBeUndefined();
  });

  it('lists its field', () => {
    expect(p.fields()).toEqual(['baggage']);
  });
});

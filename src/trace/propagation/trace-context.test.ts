import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT } from '../../context/context';
import type { Context } from '../../context/types';
import { suppressTracing } from '../../lib/suppress';
import { getSpanContext, setSpanContext } from '../api';
import type { SpanContext } from '../types';
import { createTraceState } from './trace-state';
import {
  parseTraceParent,
  TRACE_PARENT_HEADER,
  TRACE_STATE_HEADER,
  W3CTraceContextPropagator,
} from './trace-context';
import { defaultTextMapGetter, defaultTextMapSetter, type TextMapGetter } from './types';

const T = '12345678901234567890123456789012';
const S = '1234567890123456';
const VALID = `00-${T}-${S}-01`;
const p = new W3CTraceContextPropagator();

type Headers = Record<string, string | string[]>;
const extract = (h: Headers, ctx: Context = ROOT_CONTEXT) => getSpanContext(p.extract(ctx, h, defaultTextMapGetter));
const extractTp = (tp: string) => extract({ traceparent: tp });
const inject = (ctx: Context) => {
  const h: Record<string, string> = {};
  p.inject(ctx, h, defaultTextMapSetter);
  return h;
};
const withSc = (sc: Partial<SpanContext>) =>
  setSpanContext(ROOT_CONTEXT, { traceId: T, spanId: S, traceFlags: 1, ...sc });

/** A getter over `[name, value]` lines, with case-insensitive names, like a raw HTTP request. */
const lines: TextMapGetter<[string, string][]> = {
  keys: (c) => c.map((l) => l[0]),
  get: (c, k) => {
    const v = c.filter((l) => l[0].toLowerCase() == k).map((l) => l[1]);
    return v.length ? v : undefined;
  },
};

describe('parseTraceParent', () => {
  it('parses a valid version 00 value', () => {
    expect(parseTraceParent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: 1,
      isRemote: true,
    });
    expect(parseTraceParent(`00-${T}-${S}-00`)?.traceFlags).toBe(0);
  });

  it('keeps every flag bit as sent (sampled = bit 0, random trace id = bit 1)', () => {
    expect(parseTraceParent(`00-${T}-${S}-02`)?.traceFlags).toBe(2);
    expect(parseTraceParent(`00-${T}-${S}-03`)?.traceFlags).toBe(3);
    expect(parseTraceParent(`00-${T}-${S}-ff`)?.traceFlags).toBe(255);
    expect(parseTraceParent(`00-${T}-${S}-a4`)?.traceFlags).toBe(0xa4);
  });

  describe('version handling', () => {
    it('rejects version ff', () => {
      expect(parseTraceParent(`ff-${T}-${S}-01`)).toBeUndefined();
    });
    it('rejects version 00 with anything after the flags', () => {
      expect(parseTraceParent(`${VALID}.`)).toBeUndefined();
      expect(parseTraceParent(`${VALID}-what-the-future-will-be-like`)).toBeUndefined();
      expect(parseTraceParent(`${VALID}-`)).toBeUndefined();
      expect(parseTraceParent(`${VALID}0`)).toBeUndefined();
    });
    it('parses future versions by the 00 layout, ignoring extra fields after a dash', () => {
      expect(parseTraceParent(`cc-${T}-${S}-01`)?.traceId).toBe(T);
      expect(parseTraceParent(`cc-${T}-${S}-01-what-the-future-will-be-like`)).toMatchObject({ traceId: T, spanId: S, traceFlags: 1 });
      expect(parseTraceParent(`01-${T}-${S}-00-`)?.traceFlags).toBe(0);
      expect(parseTraceParent(`fe-${T}-${S}-09-x`)?.traceFlags).toBe(9);
    });
    it('rejects future versions whose flags are not followed by a dash or the end', () => {
      expect(parseTraceParent(`cc-${T}-${S}-01.what-the-future-will-be-like`)).toBeUndefined();
      expect(parseTraceParent(`cc-${T}-${S}-012`)).toBeUndefined();
      expect(parseTraceParent(`cc-${T}-${S}-01,x`)).toBeUndefined();
    });
    it('rejects future versions shorter than 55 characters or with ids of the wrong length', () => {
      expect(parseTraceParent(`cc-${T}-${S}-1`)).toBeUndefined();
      expect(parseTraceParent(`cc-${T}-${S}`)).toBeUndefined();
      expect(parseTraceParent(`cc-${T}0-${S}-01`)).toBeUndefined();
      expect(parseTraceParent(`cc-${T}-${S}0-01-0`)).toBeUndefined();
    });
    it('rejects versions that are not two lowercase hex characters', () => {
      for (const v of ['.0', '0.', '0', '000', '0000', 'FF', 'CC', 'A0', 'g0', '']) {
        expect(parseTraceParent(`${v}-${T}-${S}-01`), v).toBeUndefined();
      }
    });
  });

  describe('trace id', () => {
    it('rejects all zeros', () => {
      expect(parseTraceParent(`00-${'0'.repeat(32)}-${S}-01`)).toBeUndefined();
      expect(parseTraceParent(`cc-${'0'.repeat(32)}-${S}-01`)).toBeUndefined();
    });
    it('accepts ids with zeros that are not all zero', () => {
      expect(parseTraceParent(`00-${'0'.repeat(31)}1-${S}-01`)?.traceId).toBe('0'.repeat(31) + '1');
    });
    it('rejects illegal and uppercase characters', () => {
      for (const t of ['.2345678901234567890123456789012', '1234567890123456789012345678901.', T.replace('1', 'A'), 'ABCDEF78901234567890123456789012', 'g'.repeat(32), ' '.repeat(32)]) {
        expect(parseTraceParent(`00-${t}-${S}-01`), t).toBeUndefined();
      }
    });
    it('rejects wrong lengths', () => {
      expect(parseTraceParent(`00-${T}3-${S}-01`)).toBeUndefined();
      expect(parseTraceParent(`00-${T.slice(1)}-${S}-01`)).toBeUndefined();
    });
  });

  describe('parent id', () => {
    it('rejects all zeros', () => {
      expect(parseTraceParent(`00-${T}-${'0'.repeat(16)}-01`)).toBeUndefined();
    });
    it('rejects illegal and uppercase characters and wrong lengths', () => {
      for (const s of ['.234567890123456', '123456789012345.', 'ABCDEF7890123456', `${S}7`, S.slice(1)]) {
        expect(parseTraceParent(`00-${T}-${s}-01`), s).toBeUndefined();
      }
    });
  });

  describe('trace flags', () => {
    it('rejects illegal characters and wrong lengths', () => {
      for (const f of ['.0', '0.', '001', '1', '', 'FF', '0A', 'g1']) {
        expect(parseTraceParent(`00-${T}-${S}-${f}`), f).toBeUndefined();
      }
    });
  });

  describe('delimiters and whitespace', () => {
    it('accepts OWS (spaces, tabs) around the value', () => {
      for (const v of [` ${VALID}`, `\t${VALID}`, `${VALID} `, `${VALID}\t`, `\t ${VALID} \t`, `  ${VALID}  `]) {
        expect(parseTraceParent(v)?.traceId, JSON.stringify(v)).toBe(T);
      }
    });
    it('rejects other whitespace and whitespace inside', () => {
      for (const v of [`\n${VALID}`, `${VALID}\r\n`, `00 -${T}-${S}-01`, `00-${T} -${S}-01`, `00-${T}-${S}- 01`]) {
        expect(parseTraceParent(v), JSON.stringify(v)).toBeUndefined();
      }
    });
    it('rejects other delimiters and missing fields', () => {
      for (const v of [`00_${T}_${S}_01`, `00-${T}${S}-01`, `00-${T}-${S}01`, `${T}-${S}-01`, `00-${T}-${S}`, '', '-', '00---']) {
        expect(parseTraceParent(v), v).toBeUndefined();
      }
    });
  });
});

describe('W3CTraceContextPropagator.extract', () => {
  it('sets a remote span context', () => {
    const sc = extractTp(VALID);
    expect(sc).toMatchObject({ traceId: T, spanId: S, traceFlags: 1, isRemote: true });
  });

  it('returns the very same context when there is nothing valid to extract', () => {
    for (const h of [{}, { traceparent: '' }, { traceparent: 'garbage' }, { traceparent: [] }, { tracestate: 'foo=1' }]) {
      expect(p.extract(ROOT_CONTEXT, h, defaultTextMapGetter)).toBe(ROOT_CONTEXT);
    }
  });

  it('keeps a span already in the context when the header is invalid', () => {
    const ctx = withSc({ spanId: 'aaaaaaaaaaaaaaaa' });
    expect(extract({ traceparent: 'ff-x' }, ctx)?.spanId).toBe('aaaaaaaaaaaaaaaa');
    expect(extract({ traceparent: VALID }, ctx)?.spanId).toBe(S);
  });

  it('accepts a single value given as a one-element array', () => {
    expect(extract({ traceparent: [VALID] })?.traceId).toBe(T);
  });

  it('treats duplicated traceparent headers as invalid, even when equal', () => {
    const other = `00-${T.replace('1', '2')}-${S}-01`;
    expect(extract({ traceparent: [VALID, other] })).toBeUndefined();
    expect(extract({ traceparent: [VALID, VALID] })).toBeUndefined();
    // what a Fetch Headers object returns for two lines: "a, b"
    expect(extract({ traceparent: `${VALID}, ${other}` })).toBeUndefined();
    expect(getSpanContext(p.extract(ROOT_CONTEXT, [['traceparent', VALID], ['TraceParent', other]], lines))).toBeUndefined();
  });

  it('treats duplicated future-version headers as invalid too (their joined value has a comma in the extra fields)', () => {
    const future = (t: string, x: string) => `cc-${t}-${S}-01-${x}`;
    expect(extract({ traceparent: future(T, 'a') })?.traceId).toBe(T);
    expect(extract({ traceparent: [future(T, 'a'), future(T.replace('1', '2'), 'b')] })).toBeUndefined();
    expect(extract({ traceparent: `${future(T, 'a')}, ${future(T, 'a')}` })).toBeUndefined();
  });

  it('finds the headers whatever the case of their names, when the getter is case-insensitive', () => {
    for (const name of ['TraceParent', 'TrAcEpArEnT', 'TRACEPARENT']) {
      const ctx = p.extract(ROOT_CONTEXT, [[name, VALID], ['TraceState', 'foo=1']], lines);
      expect(getSpanContext(ctx)?.traceState?.get('foo'), name).toBe('1');
    }
    for (const name of ['trace-parent', 'trace.parent']) {
      expect(getSpanContext(p.extract(ROOT_CONTEXT, [[name, VALID]], lines)), name).toBeUndefined();
    }
    const wrongState = p.extract(ROOT_CONTEXT, [['traceparent', VALID], ['trace-state', 'foo=1']], lines);
    expect(getSpanContext(wrongState)?.traceState).toBeUndefined();
  });

  it('reads tracestate with a valid traceparent', () => {
    const sc = extract({ traceparent: VALID, tracestate: 'foo=1,bar=2' });
    expect(sc?.traceState?.get('foo')).toBe('1');
    expect(sc?.traceState?.get('bar')).toBe('2');
  });

  it('ignores tracestate when traceparent is invalid', () => {
    expect(extract({ traceparent: `00-${'0'.repeat(32)}-${S}-01`, tracestate: 'foo=1' })).toBeUndefined();
  });

  it('combines repeated tracestate headers in order, ignoring empty ones', () => {
    const sc = extract({ traceparent: VALID, tracestate: ['foo=1,bar=2', 'rojo=1,congo=2', 'baz=3'] });
    expect(sc?.traceState?.serialize()).toBe('foo=1,bar=2,rojo=1,congo=2,baz=3');
    expect(extract({ traceparent: VALID, tracestate: ['foo=1', ''] })?.traceState?.get('foo')).toBe('1');
    expect(extract({ traceparent: VALID, tracestate: ['', 'foo=1'] })?.traceState?.get('foo')).toBe('1');
    const ctx = p.extract(ROOT_CONTEXT, [['traceparent', VALID], ['tracestate', 'a=1'], ['TRACESTATE', 'b=2']], lines);
    expect(getSpanContext(ctx)?.traceState?.serialize()).toBe('a=1,b=2');
  });

  it('applies the 32-member limit across repeated tracestate headers', () => {
    const list = (from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, i) => `bar${from + i}=${from + i}`).join(',');
    const ok = extract({ traceparent: VALID, tracestate: [list(1, 10), list(11, 20), list(21, 30), list(31, 32)] });
    expect(ok?.traceState?.get('bar1')).toBe('1');
    expect(ok?.traceState?.serialize().split(',')).toHaveLength(32);
    const over = extract({ traceparent: VALID, tracestate: [list(1, 10), list(11, 20), list(21, 30), list(31, 33)] });
    expect(over?.traceId).toBe(T);
    expect(over?.traceState?.get('bar1')).toBeUndefined();
  });

  it('keeps traceparent when tracestate is invalid', () => {
    const sc = extract({ traceparent: VALID, tracestate: 'foo=bar=baz' });
    expect(sc?.traceId).toBe(T);
    expect(sc?.traceState?.serialize()).toBe('');
  });

  it('keeps duplicated tracestate keys once', () => {
    expect(extract({ traceparent: VALID, tracestate: ['foo=1', 'foo=2'] })?.traceState?.serialize()).toBe('foo=1');
  });
});

describe('W3CTraceContextPropagator.inject', () => {
  it('writes traceparent, and tracestate when there is one', () => {
    expect(inject(withSc({}))).toEqual({ traceparent: VALID });
    expect(inject(withSc({ traceFlags: 0, traceState: createTraceState('a=1,b=2') }))).toEqual({
      traceparent: `00-${T}-${S}-00`,
      tracestate: 'a=1,b=2',
    });
  });

  it('does not write an empty tracestate', () => {
    expect(inject(withSc({ traceState: createTraceState('') }))).toEqual({ traceparent: VALID });
  });

  it('keeps the random-trace-id flag and zeroes undefined flags (Level 2 "Other Flags")', () => {
    expect(inject(withSc({ traceFlags: 2 })).traceparent).toBe(`00-${T}-${S}-02`);
    expect(inject(withSc({ traceFlags: 3 })).traceparent).toBe(`00-${T}-${S}-03`);
    expect(inject(withSc({ traceFlags: 0xff })).traceparent).toBe(`00-${T}-${S}-03`);
    expect(inject(withSc({ traceFlags: 0x10 })).traceparent).toBe(`00-${T}-${S}-00`);
  });

  it('downgrades a future version to 00', () => {
    const sc = parseTraceParent(`cc-${T}-${S}-01-future`)!;
    expect(inject(setSpanContext(ROOT_CONTEXT, sc)).traceparent).toBe(VALID);
  });

  it('writes nothing without a valid span context or when tracing is suppressed', () => {
    expect(inject(ROOT_CONTEXT)).toEqual({});
    expect(inject(withSc({ traceId: '0'.repeat(32) }))).toEqual({});
    expect(inject(withSc({ spanId: 'xyz' }))).toEqual({});
    expect(inject(suppressTracing(withSc({})))).toEqual({});
  });

  it('round-trips through extract', () => {
    const ctx = withSc({ traceFlags: 1, traceState: createTraceState('congo=t61rcWkgMzE') });
    const sc = extract(inject(ctx));
    expect(sc).toMatchObject({ traceId: T, spanId: S, traceFlags: 1, isRemote: true });
    expect(sc?.traceState?.serialize()).toBe('congo=t61rcWkgMzE');
  });

  it('lists its fields', () => {
    expect(p.fields()).toEqual([TRACE_PARENT_HEADER, TRACE_STATE_HEADER]);
    expect(p.fields()).toEqual(['traceparent', 'tracestate']);
  });
});

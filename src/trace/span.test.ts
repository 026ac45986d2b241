import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from 'vitest';
import type { Context } from '../context/types';
import { diag, DiagLogLevel } from '../lib/diag';
import { now } from '../lib/time';
import type { AttributeValue, Attributes } from '../lib/types';
import { resourceFromAttributes } from './resource';
import { AlwaysOnSampler } from './sampler';
import type { SpanProcessor } from './sdk-types';
import { ROOT_CONTEXT as ROOT } from '../context/context';
import { setSpan } from './api';
import { RecordingSpan, type ResolvedLimits, type TracerState } from './span';
import { SdkTracer } from './tracer';
import type { Link, SpanContext, SpanOptions } from './types';

const KEY = Symbol.for('otelite');
const LINKED: SpanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 };

type LogFn = (message: string, ...args: unknown[]) => void;
let log: { error: Mock<LogFn>; warn: Mock<LogFn> };

beforeEach(() => {
  delete (globalThis as { [KEY]?: unknown })[KEY];
  log = { error: vi.fn<LogFn>(), warn: vi.fn<LogFn>() };
  diag.setLogger(log, DiagLogLevel.ALL);
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

/** A tracer with hand-resolved limits (the provider's mapping of `spanLimits` is tested in provider.test.ts). */
function setup(limits: Partial<ResolvedLimits> = {}) {
  const proc = {
    onStart: vi.fn(),
    onEnd: vi.fn(),
    forceFlush: vi.fn(async () => {}),
    shutdown: vi.fn(async () => {}),
  } satisfies SpanProcessor;
  const state: TracerState = {
    r: resourceFromAttributes({ 'service.name': 'svc' }),
    s: { name: 'scope', version: '1.2.3' },
    x: { a: 128, l: Infinity, e: 128, k: 128, ea: 128, la: 128, ...limits },
    p: [proc],
  };
  const tracer = new SdkTracer(state, new AlwaysOnSampler());
  const start = (name = 'op', opts?: SpanOptions, ctx?: Context): RecordingSpan =>
    tracer.startSpan(name, opts, ctx) as RecordingSpan;
  return { start, proc, state };
}

const many = (n: number, prefix = 'k'): Attributes => Object.fromEntries(Array.from({ length: n }, (_, i) => [prefix + i, i]));

describe('RecordingSpan basics', () => {
  it('is what the tracer returns for a sampled span, and exposes what exporters read', () => {
    const { start, state } = setup();
    const s = start('GET', { kind: 2 });
    expect(s).toBeInstanceOf(RecordingSpan);
    expect(s.name).toBe('GET');
    expect(s.kind).toBe(2);
    expect(s.resource).toBe(state.r);
    expect(s.instrumentationScope).toEqual({ name: 'scope', version: '1.2.3' });
    expect(s.parentSpanContext).toBeUndefined();
    expect(s.status).toEqual({ code: 0 });
    expect(s.attributes).toEqual({});
    expect(s.events).toEqual([]);
    expect(s.links).toEqual([]);
    expect(s.ended).toBe(false);
    expect(s.endTime).toBe(0);
    expect(s.droppedAttributesCount + s.droppedEventsCount + s.droppedLinksCount).toBe(0);
    expect(s.isRecording()).toBe(true);
  });
});

describe('times from untyped code', () => {
  it('takes a null time as now, and never throws for one', () => {
    const { start } = setup();
    const s = start('op');
    const n = null as unknown as number;
    expect(() => {
      s.addEvent('e', {}, n);
      s.recordException(new Error('x'), n);
      s.end(n);
      s.addEvent('late', {}, n);
    }).not.toThrow();
    expect(s.events.map((e) => e.time > 0)).toEqual([true, true]);
    expect(s.endTime).toBeGreaterThanOrEqual(s.startTime);
  });
});

describe('attributes', () => {
  it('stores primitives and homogeneous arrays; setters chain', () => {
    const s = start();
    expect(s.setAttribute('s', 'v')).toBe(s);
    s.setAttribute('n', 1.5).setAttribute('b', false).setAttribute('zero', 0).setAttribute('empty', '');
    s.setAttribute('as', ['a', 'b']).setAttribute('an', [1, 2]).setAttribute('ab', [true]).setAttribute('anull', ['a', null]);
    expect(s.attributes).toEqual({
      s: 'v',
      n: 1.5,
      b: false,
      zero: 0,
      empty: '',
      as: ['a', 'b'],
      an: [1, 2],
      ab: [true],
      anull: ['a', null],
    });
  });

  it('drops invalid values with a diagnostic and never throws', () => {
    const s = start();
    const bad: unknown[] = [{ a: 1 }, () => 1, Symbol('x'), 10n, ['a', 1], [[1]], [{}], new Date()];
    for (const v of bad) expect(() => s.setAttribute('k', v as AttributeValue)).not.toThrow();
    expect(() => s.setAttributes({ x: { nested: true } as unknown as AttributeValue, ok: 1 })).not.toThrow();
    expect(s.attributes).toEqual({ ok: 1 });
    expect(log.warn).toHaveBeenCalledTimes(bad.length + 1);
    expect(s.droppedAttributesCount).toBe(0); // not a limit drop
  });

  it('an invalid value leaves the previous value of the key alone', () => {
    const s = start();
    s.setAttribute('k', 1);
    s.setAttribute('k', { no: 1 } as unknown as AttributeValue);
    expect(s.attributes.k).toBe(1);
  });

  it('ignores null and undefined silently (they neither set nor delete)', () => {
    const s = start();
    s.setAttribute('k', 'keep');
    s.setAttribute('k', null as unknown as AttributeValue);
    s.setAttribute('k', undefined as unknown as AttributeValue);
    s.setAttribute('u', undefined as unknown as AttributeValue);
    s.setAttributes({ u2: undefined });
    expect(s.attributes).toEqual({ k: 'keep' });
    expect(log.warn).not.toHaveBeenCalled();
  });

  it('drops an empty key with a diagnostic', () => {
    const s = start();
    s.setAttribute('', 1);
    expect(s.attributes).toEqual({});
    expect(log.warn).toHaveBeenCalledTimes(1);
  });

  it('copies arrays', () => {
    const s = start();
    const arr = ['a'];
    s.setAttribute('k', arr);
    arr.push('b');
    expect(s.attributes.k).toEqual(['a']);
  });

  it('overwrites a key with the new value', () => {
    const s = start();
    s.setAttribute('k', 1).setAttribute('k', 'two');
    expect(s.attributes).toEqual({ k: 'two' });
  });

  it('setAttributes sets each pair and tolerates nothing', () => {
    const s = start();
    s.setAttributes({ a: 1, b: 'x' });
    expect(() => s.setAttributes(undefined as unknown as Attributes)).not.toThrow();
    expect(() => s.setAttributes(null as unknown as Attributes)).not.toThrow();
    expect(s.attributes).toEqual({ a: 1, b: 'x' });
  });

  it('keeps the first 128 attributes by default and counts the rest as dropped', () => {
    const s = start();
    s.setAttributes(many(130));
    expect(Object.keys(s.attributes)).toHaveLength(128);
    expect(s.attributes.k127).toBe(127);
    expect(s.attributes.k128).toBeUndefined();
    expect(s.droppedAttributesCount).toBe(2);
    s.setAttribute('another', 1);
    expect(s.droppedAttributesCount).toBe(3);
  });

  it('a full span still updates keys it has', () => {
    const { start: st } = setup({ a: 2 });
    const t = st();
    t.setAttribute('a', 1).setAttribute('b', 2).setAttribute('c', 3);
    expect(t.droppedAttributesCount).toBe(1);
    t.setAttribute('a', 'updated');
    expect(t.attributes).toEqual({ a: 'updated', b: 2 });
    expect(t.droppedAttributesCount).toBe(1);
  });

  it('null, undefined and invalid values do not use up the limit', () => {
    const { start: st } = setup({ a: 1 });
    const t = st();
    t.setAttribute('n', null as unknown as AttributeValue);
    t.setAttribute('o', {} as unknown as AttributeValue);
    t.setAttribute('ok', 1);
    expect(t.attributes).toEqual({ ok: 1 });
    expect(t.droppedAttributesCount).toBe(0);
  });

  it('a limit of 0 drops every attribute', () => {
    const { start: st } = setup({ a: 0 });
    const t = st('op', { attributes: { a: 1, b: 2 } });
    t.setAttribute('c', 3);
    expect(t.attributes).toEqual({});
    expect(t.droppedAttributesCount).toBe(3);
  });

  it('attributes given at start count against the limit too', () => {
    const { start: st } = setup({ a: 2 });
    const t = st('op', { attributes: { a: 1, b: 2, c: 3 } });
    expect(t.attributes).toEqual({ a: 1, b: 2 });
    expect(t.droppedAttributesCount).toBe(1);
  });

  it('truncates string values to the length limit, each string of an array too', () => {
    const { start: st } = setup({ l: 4 });
    const t = st('op', { attributes: { start: 'abcdefgh' } });
    t.setAttribute('s', 'abcdefgh').setAttribute('short', 'ab').setAttribute('arr', ['abcdefgh', 'xy', null]);
    t.setAttribute('n', 123456789).setAttribute('b', true).setAttribute('na', [123456789]);
    expect(t.attributes).toEqual({
      start: 'abcd',
      s: 'abcd',
      short: 'ab',
      arr: ['abcd', 'xy', null],
      n: 123456789,
      b: true,
      na: [123456789],
    });
  });

  it('takes keys that Object.prototype has (__proto__, constructor) as plain keys, counted like others', () => {
    const { start: st } = setup({ a: 3 });
    const t = st();
    t.setAttribute('__proto__', ['not', 'a', 'prototype']).setAttribute('constructor', 'c').setAttribute('toString', 1);
    t.setAttribute('one-too-many', 1);
    expect(Object.keys(t.attributes)).toEqual(['__proto__', 'constructor', 'toString']);
    expect(JSON.parse(JSON.stringify(t.attributes))).toEqual({ ['__proto__']: ['not', 'a', 'prototype'], constructor: 'c', toString: 1 });
    expect(t.droppedAttributesCount).toBe(1);
    // an update of such a key is an update, not a new key
    t.setAttribute('constructor', 'd');
    expect(t.attributes.constructor).toBe('d');
    expect(t.droppedAttributesCount).toBe(1);
    t.addEvent('e', { ['__proto__']: 'x', constructor: 'y' });
    expect(Object.keys(t.events[0].attributes)).toEqual(['__proto__', 'constructor']);
    expect(t.events[0].droppedAttributesCount).toBe(0);
  });

  it('counts keys exactly past the limit, when most calls were updates', () => {
    const { start: st } = setup({ a: 2 });
    const t = st();
    for (let i = 0; i < 5; i++) t.setAttribute('a', i);
    t.setAttribute('b', 1).setAttribute('c', 1).setAttribute('a', 'last');
    expect(t.attributes).toEqual({ a: 'last', b: 1 });
    expect(t.droppedAttributesCount).toBe(1);
  });

  it('has no length limit by default', () => {
    const s = start();
    s.setAttribute('long', 'x'.repeat(100_000));
    expect((s.attributes.long as string).length).toBe(100_000);
  });
});

describe('events', () => {
  const ORIGIN = 1_700_000_000_000.5;

  it('records name, attributes and the current time, with sub-millisecond precision', () => {
    vi.stubGlobal('performance', { timeOrigin: ORIGIN, now: () => 10.25 });
    const s = start();
    expect(s.addEvent('cache.miss', { key: 'k' })).toBe(s);
    expect(s.events).toEqual([{ name: 'cache.miss', time: ORIGIN + 10.25, attributes: { key: 'k' }, droppedAttributesCount: 0 }]);
  });

  it('addEvent(name) has empty attributes', () => {
    const s = start();
    s.addEvent('e');
    expect(s.events[0].attributes).toEqual({});
    expect(s.events[0].droppedAttributesCount).toBe(0);
    expect(typeof s.events[0].time).toBe('number');
  });

  it.each([
    ['epoch milliseconds', () => performance.timeOrigin + 5000.5, (t: number) => t],
    ['a Date', () => new Date(1_800_000_000_000), () => 1_800_000_000_000],
    ['an HrTime', () => [1_800_000_000, 500_000] as [number, number], () => 1_800_000_000_000.5],
    ['a performance.now() reading', () => 1234.5, () => performance.timeOrigin + 1234.5],
  ])('takes the time as the second argument: %s', (_n, make, expected) => {
    const s = start();
    const input = make();
    s.addEvent('e', input as never);
    expect(s.events[0].time).toBeCloseTo((expected as (t: unknown) => number)(input), 3);
    expect(s.events[0].attributes).toEqual({});
  });

  it('takes attributes and a time', () => {
    const s = start();
    s.addEvent('e', { a: 1 }, new Date(1_800_000_000_000));
    expect(s.events[0]).toEqual({ name: 'e', time: 1_800_000_000_000, attributes: { a: 1 }, droppedAttributesCount: 0 });
    s.addEvent('f', undefined, [1_800_000_001, 0]);
    expect(s.events[1].time).toBe(1_800_000_001_000);
  });

  it('checks event attributes like span attributes: invalid dropped, null ignored, copied, truncated', () => {
    const { start: st } = setup({ l: 3 });
    const t = st();
    const attrs: Attributes = { ok: 'abcdef', arr: ['abcdef'], bad: { x: 1 } as unknown as AttributeValue, nil: undefined };
    expect(() => t.addEvent('e', attrs)).not.toThrow();
    (attrs.arr as string[]).push('later');
    attrs.ok = 'changed';
    expect(t.events[0].attributes).toEqual({ ok: 'abc', arr: ['abc'] });
    expect(log.warn).toHaveBeenCalledTimes(1);
  });

  it('keeps 128 attributes per event by default, counting the rest', () => {
    const s = start();
    s.addEvent('e', many(131));
    expect(Object.keys(s.events[0].attributes)).toHaveLength(128);
    expect(s.events[0].droppedAttributesCount).toBe(3);
    expect(s.droppedAttributesCount).toBe(0);
  });

  it('applies a custom per-event attribute limit', () => {
    const { start: st } = setup({ ea: 1 });
    const t = st();
    t.addEvent('e', { a: 1, b: 2, c: 3 });
    expect(t.events[0].attributes).toEqual({ a: 1 });
    expect(t.events[0].droppedAttributesCount).toBe(2);
  });

  it('keeps 128 events by default, counting the rest', () => {
    const s = start();
    for (let i = 0; i < 130; i++) s.addEvent('e' + i);
    expect(s.events).toHaveLength(128);
    expect(s.events[127].name).toBe('e127');
    expect(s.droppedEventsCount).toBe(2);
  });

  it('applies a custom event limit, 0 included', () => {
    const { start: st } = setup({ e: 0 });
    const t = st();
    t.addEvent('a').addEvent('b');
    expect(t.events).toEqual([]);
    expect(t.droppedEventsCount).toBe(2);
  });

  it('makes the name a string', () => {
    const s = start();
    s.addEvent(42 as unknown as string);
    expect(s.events[0].name).toBe('42');
  });
});

describe('links', () => {
  it('takes links at start and later, with attributes copied', () => {
    const attrs: Attributes = { a: 1 };
    const s = start('op', { links: [{ context: LINKED, attributes: attrs }] });
    attrs.b = 2;
    expect(s.addLink({ context: { ...LINKED, spanId: '1'.repeat(16) } })).toBe(s);
    expect(s.addLinks([{ context: LINKED }, { context: LINKED, attributes: { c: 'x' } }])).toBe(s);
    expect(s.links).toEqual([
      { context: LINKED, attributes: { a: 1 }, droppedAttributesCount: 0 },
      { context: { ...LINKED, spanId: '1'.repeat(16) }, attributes: {}, droppedAttributesCount: 0 },
      { context: LINKED, attributes: {}, droppedAttributesCount: 0 },
      { context: LINKED, attributes: { c: 'x' }, droppedAttributesCount: 0 },
    ]);
  });

  it('keeps 128 links by default, counting the rest', () => {
    const links: Link[] = Array.from({ length: 130 }, () => ({ context: LINKED }));
    const s = start('op', { links });
    expect(s.links).toHaveLength(128);
    expect(s.droppedLinksCount).toBe(2);
    s.addLink({ context: LINKED });
    expect(s.droppedLinksCount).toBe(3);
  });

  it('applies a custom link limit', () => {
    const { start: st } = setup({ k: 1 });
    const t = st('op', { links: [{ context: LINKED }] });
    t.addLinks([{ context: LINKED }, { context: LINKED }]);
    expect(t.links).toHaveLength(1);
    expect(t.droppedLinksCount).toBe(2);
  });

  it('keeps 128 attributes per link by default; a custom limit; adds the link\'s own dropped count', () => {
    const s = start();
    s.addLink({ context: LINKED, attributes: many(129) });
    expect(Object.keys(s.links[0].attributes!)).toHaveLength(128);
    expect(s.links[0].droppedAttributesCount).toBe(1);
    const { start: st } = setup({ la: 1 });
    const t = st();
    t.addLink({ context: LINKED, attributes: { a: 1, b: 2 }, droppedAttributesCount: 5 });
    expect(t.links[0]).toEqual({ context: LINKED, attributes: { a: 1 }, droppedAttributesCount: 6 });
  });

  it('ignores a missing or malformed link with a diagnostic, never throwing', () => {
    const s = start();
    expect(() => s.addLink(undefined as unknown as Link)).not.toThrow();
    expect(() => s.addLink({} as Link)).not.toThrow();
    expect(() => s.addLinks(undefined as unknown as Link[])).not.toThrow();
    expect(() => s.addLinks([undefined as unknown as Link, { context: LINKED }])).not.toThrow();
    expect(() => start('op', { links: null as unknown as Link[] })).not.toThrow();
    expect(s.links).toEqual([{ context: LINKED, attributes: {}, droppedAttributesCount: 0 }]);
    expect(log.warn).toHaveBeenCalledTimes(4);
  });

  it('spans without events or links do not share what another span adds', () => {
    const a = start();
    const b = start();
    a.addEvent('e').addLink({ context: LINKED });
    expect(a.events).toHaveLength(1);
    expect(a.links).toHaveLength(1);
    expect(b.events).toEqual([]);
    expect(b.links).toEqual([]);
  });

  it('checks link attributes: invalid dropped, truncated', () => {
    const { start: st } = setup({ l: 2 });
    const t = st();
    t.addLink({ context: LINKED, attributes: { s: 'abc', bad: [1, 'x'] as unknown as AttributeValue } });
    expect(t.links[0].attributes).toEqual({ s: 'ab' });
    expect(log.warn).toHaveBeenCalledTimes(1);
  });
});

describe('setStatus', () => {
  it('ERROR keeps its description', () => {
    const s = start();
    expect(s.setStatus({ code: 2, message: 'boom' })).toBe(s);
    expect(s.status).toEqual({ code: 2, message: 'boom' });
  });

  it('OK drops a description', () => {
    const s = start();
    s.setStatus({ code: 1, message: 'ignored' });
    expect(s.status).toEqual({ code: 1 });
  });

  it('UNSET is ignored', () => {
    const s = start();
    s.setStatus({ code: 2, message: 'x' });
    s.setStatus({ code: 0, message: 'y' });
    expect(s.status).toEqual({ code: 2, message: 'x' });
  });

  it('OK is final', () => {
    const s = start();
    s.setStatus({ code: 1 });
    s.setStatus({ code: 2, message: 'later' });
    s.setStatus({ code: 0 });
    expect(s.status).toEqual({ code: 1 });
  });

  it('OK overrides ERROR; a later ERROR replaces an earlier one', () => {
    const s = start();
    s.setStatus({ code: 2, message: 'a' });
    s.setStatus({ code: 2, message: 'b' });
    expect(s.status).toEqual({ code: 2, message: 'b' });
    s.setStatus({ code: 2 });
    expect(s.status).toEqual({ code: 2 });
    s.setStatus({ code: 1 });
    expect(s.status).toEqual({ code: 1 });
  });

  it('ignores a description that is not a string, and a missing status', () => {
    const s = start();
    s.setStatus({ code: 2, message: 42 as unknown as string });
    expect(s.status).toEqual({ code: 2 });
    expect(() => s.setStatus(undefined as never)).not.toThrow();
    expect(s.status).toEqual({ code: 2 });
  });

  it('does not keep a reference to the caller\'s object', () => {
    const s = start();
    const st = { code: 2 as const, message: 'a' };
    s.setStatus(st);
    st.message = 'changed';
    expect(s.status.message).toBe('a');
  });
});

describe('updateName', () => {
  it('renames', () => {
    const s = start('old');
    expect(s.updateName('new')).toBe(s);
    expect(s.name).toBe('new');
  });
});

describe('recordException', () => {
  it('records an Error as an exception event with type, message and stack', () => {
    const s = start();
    const err = new TypeError('bad input');
    s.recordException(err);
    expect(s.events).toHaveLength(1);
    expect(s.events[0].name).toBe('exception');
    expect(s.events[0].attributes).toEqual({
      'exception.type': 'TypeError',
      'exception.message': 'bad input',
      'exception.stacktrace': err.stack,
    });
  });

  it('takes the type from the name before the code (a DOMException is AbortError, not 20)', () => {
    const s = start();
    s.recordException({ name: 'AbortError', code: 20, message: 'aborted' });
    expect(s.events[0].attributes['exception.type']).toBe('AbortError');
  });

  it('records a string as the message', () => {
    const s = start();
    s.recordException('went wrong');
    expect(s.events[0].attributes).toEqual({ 'exception.message': 'went wrong' });
  });

  it('uses code as the type of an object without a name', () => {
    const s = start();
    s.recordException({ code: 'ECONNRESET', message: 'socket hang up' });
    s.recordException({ code: 404 });
    expect(s.events[0].attributes).toEqual({ 'exception.type': 'ECONNRESET', 'exception.message': 'socket hang up' });
    expect(s.events[1].attributes).toEqual({ 'exception.type': '404' });
  });

  it('takes a time', () => {
    const s = start();
    s.recordException(new Error('x'), new Date(1_800_000_000_000));
    expect(s.events[0].time).toBe(1_800_000_000_000);
  });

  it('never throws, whatever it is given', () => {
    const s = start();
    for (const e of [undefined, null, 42, {}, Object.create(null), { message: { toString: () => 'm' } }]) {
      expect(() => s.recordException(e as never)).not.toThrow();
    }
  });

  it('obeys the event limit', () => {
    const { start: st } = setup({ e: 1 });
    const t = st();
    t.recordException('a');
    t.recordException('b');
    expect(t.events).toHaveLength(1);
    expect(t.droppedEventsCount).toBe(1);
  });
});

describe('end', () => {
  it('sets the end time, stops recording and hands the span to the processors once', () => {
    const { start: st, proc } = setup();
    const s = st();
    s.end();
    expect(s.ended).toBe(true);
    expect(s.isRecording()).toBe(false);
    expect(s.endTime).toBeGreaterThanOrEqual(s.startTime);
    expect(proc.onEnd).toHaveBeenCalledTimes(1);
    expect(proc.onEnd).toHaveBeenCalledWith(s);
  });

  it('is idempotent: a second end is ignored with a diagnostic', () => {
    const { start: st, proc } = setup();
    const s = st();
    s.end(s.startTime + 5);
    expect(log.warn).not.toHaveBeenCalled();
    s.end(s.startTime + 50);
    expect(s.endTime).toBe(s.startTime + 5);
    expect(proc.onEnd).toHaveBeenCalledTimes(1);
    expect(log.warn).toHaveBeenCalledTimes(1);
    expect(log.warn.mock.calls[0][0]).toMatch(/twice/);
  });

  it.each([
    ['epoch milliseconds', (st: number) => st + 10, (st: number) => st + 10],
    ['a Date', (st: number) => new Date(Math.ceil(st) + 10), (st: number) => Math.ceil(st) + 10],
    ['an HrTime', (st: number) => [Math.ceil(st / 1000) + 1, 0], (st: number) => (Math.ceil(st / 1000) + 1) * 1000],
  ])('takes an end time as %s', (_n, make, expected) => {
    const s = start();
    s.end(make(s.startTime) as never);
    expect(s.endTime).toBe(expected(s.startTime));
  });

  it('takes a performance.now() reading as the end time', () => {
    const s = start();
    const p = performance.now() + 1;
    s.end(p);
    expect(s.endTime).toBeCloseTo(performance.timeOrigin + p, 6);
  });

  it('an end before the start is clamped to the start, with a diagnostic', () => {
    const s = start();
    s.end(new Date(s.startTime - 1000));
    expect(s.endTime).toBe(s.startTime);
    expect(s.ended).toBe(true);
    expect(log.warn).toHaveBeenCalledTimes(1);
    expect(log.warn.mock.calls[0][0]).toContain('ends before it starts');
  });

  it('an end time that is not a time (NaN, an invalid Date, a string, a revoked proxy) counts as now', () => {
    for (const t of [NaN, new Date(NaN), 'soon', Proxy.revocable({}, {})]) {
      const s = start();
      const before = now();
      if (t instanceof Object && 'revoke' in t) {
        t.revoke();
        s.end(t.proxy as never);
      } else s.end(t as never);
      expect(s.endTime).toBeGreaterThanOrEqual(before);
      expect(s.endTime).toBeLessThanOrEqual(now());
    }
  });

  it('everything after end is ignored, and never throws', () => {
    const s = start('name', { attributes: { a: 1 } });
    s.end();
    const before = JSON.stringify({ ...s, name: s.name });
    expect(s.setAttribute('b', 2)).toBe(s);
    expect(s.setAttributes({ c: 3 })).toBe(s);
    expect(s.addEvent('e')).toBe(s);
    expect(s.addLink({ context: LINKED })).toBe(s);
    expect(s.addLinks([{ context: LINKED }])).toBe(s);
    expect(s.setStatus({ code: 2, message: 'late' })).toBe(s);
    expect(s.updateName('late')).toBe(s);
    s.recordException(new Error('late'));
    expect(JSON.stringify({ ...s, name: s.name })).toBe(before);
    expect(s.name).toBe('name');
    expect(s.attributes).toEqual({ a: 1 });
    expect(s.status).toEqual({ code: 0 });
    expect(s.droppedAttributesCount + s.droppedEventsCount + s.droppedLinksCount).toBe(0);
    expect(s.events).toEqual([]);
    expect(s.links).toEqual([]);
  });

  it('a processor that throws in onEnd does not reach the caller nor stop the other processors', () => {
    const { start: st, state, proc } = setup();
    const second = { ...proc, onEnd: vi.fn() };
    state.p.unshift({
      ...proc,
      onEnd: () => {
        throw new Error('bad processor');
      },
    });
    state.p.push(second);
    const s = st();
    expect(() => s.end()).not.toThrow();
    expect(proc.onEnd).toHaveBeenCalledTimes(1);
    expect(second.onEnd).toHaveBeenCalledTimes(1);
    expect(log.error).toHaveBeenCalledWith(expect.any(String), expect.any(Error));
  });
});

describe('timestamps', () => {
  it('start at performance.timeOrigin + performance.now(), sub-millisecond', () => {
    vi.stubGlobal('performance', { timeOrigin: 1_700_000_000_000.25, now: () => 1.125 });
    const s = start();
    expect(s.startTime).toBe(1_700_000_000_001.375);
    expect(s.startTime % 1).not.toBe(0);
  });

  it('fall back to Date.now() when timeOrigin is 0 (workerd)', () => {
    vi.stubGlobal('performance', { timeOrigin: 0, now: () => 3 });
    const date = vi.spyOn(Date, 'now').mockReturnValue(1_700_000_000_000);
    const s = start();
    date.mockReturnValue(1_700_000_000_007);
    s.addEvent('e');
    s.end();
    expect(s.startTime).toBe(1_700_000_000_000);
    expect(s.events[0].time).toBe(1_700_000_000_007);
    expect(s.endTime).toBe(1_700_000_000_007);
  });

  it('in the real runtime: close to the wall clock and ordered', () => {
    const before = Date.now();
    const s = start();
    s.addEvent('e');
    s.end();
    expect(s.startTime).toBeGreaterThanOrEqual(before - 50);
    expect(s.events[0].time).toBeGreaterThanOrEqual(s.startTime);
    expect(s.endTime).toBeGreaterThanOrEqual(s.events[0].time);
  });

  it.each([
    ['epoch milliseconds', () => 1_800_000_000_000.5, 1_800_000_000_000.5],
    ['a Date', () => new Date(1_800_000_000_000), 1_800_000_000_000],
    ['an HrTime', () => [1_800_000_000, 250_000], 1_800_000_000_000.25],
  ])('take a start time as %s', (_n, make, expected) => {
    const s = start('op', { startTime: make() as never });
    expect(s.startTime).toBe(expected);
  });

  it('take a performance.now() reading as the start time', () => {
    const p = performance.now();
    const s = start('op', { startTime: p });
    expect(s.startTime).toBeCloseTo(performance.timeOrigin + p, 6);
  });
});

function start(name?: string, opts?: SpanOptions): RecordingSpan {
  return setup().start(name, opts);
}

describe('ids written out on first read', () => {
  it('spanContext() returns one object, with valid ids from the first read on', () => {
    const s = start();
    const sc = s.spanContext();
    expect(s.spanContext()).toBe(sc);
    expect(sc.traceId).toMatch(/^(?!0+$)[0-9a-f]{32}$/);
    expect(sc.spanId).toMatch(/^(?!0+$)[0-9a-f]{16}$/);
    expect(s.spanContext()).toEqual({ ...sc });
  });

  it('a child of a parent not read yet gets the trace id and parent context when read', () => {
    const { start: st } = setup();
    const parent = st('parent');
    const child = st('child', undefined, setSpan(ROOT, parent));
    const grandchild = st('grandchild', undefined, setSpan(ROOT, child));
    // read from the bottom up: each reads its parent
    expect(grandchild.spanContext().traceId).toBe(parent.spanContext().traceId);
    expect(grandchild.parentSpanContext).toBe(child.spanContext());
    expect(child.parentSpanContext).toBe(parent.spanContext());
    expect(child.spanContext().traceId).toBe(parent.spanContext().traceId);
    expect(new Set([parent, child, grandchild].map((x) => x.spanContext().spanId)).size).toBe(3);
  });

  it('the processors see the flags without the ids being written out', () => {
    const { start: st, proc } = setup();
    const s = st();
    s.end();
    expect(proc.onEnd).toHaveBeenCalledWith(s);
    expect(s.spanContext().traceFlags & 1).toBe(1);
  });
});

import type * as apiLogs from '@opentelemetry/api-logs';
import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from 'vitest';
import { context } from '../context/api';
import { ROOT_CONTEXT } from '../context/context';
import { StackContextManager } from '../context/stack';
import { diag, DiagLogLevel } from '../lib/diag';
import { now } from '../lib/time';
import { setSpanContext } from '../trace/api';
import { resourceFromAttributes } from '../trace/resource';
import { logs } from './api';
import { LoggerProvider } from './provider';
import type { LogRecordProcessor, ReadableLogRecord } from './sdk-types';
import { SeverityNumber, type AnyValue, type LogAttributes } from './types';

const KEY = Symbol.for('otelite');
const SC = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 };

function capture(): LogRecordProcessor & { recs: ReadableLogRecord[]; ctxs: unknown[] } {
  const recs: ReadableLogRecord[] = [];
  const ctxs: unknown[] = [];
  return {
    recs,
    ctxs,
    onEmit: (r, c) => {
      recs.push(r);
      ctxs.push(c);
    },
    forceFlush: vi.fn(async () => {}),
    shutdown: vi.fn(async () => {}),
  };
}

function setup(opts: ConstructorParameters<typeof LoggerProvider>[0] = {}) {
  const p = capture();
  const provider = new LoggerProvider({ processors: [p], ...opts });
  return { p, provider, logger: provider.getLogger('test', '1.2.3') };
}

type Fn = (m: string, ...a: unknown[]) => void;
let log: { error: Mock<Fn>; warn: Mock<Fn> };
beforeEach(() => {
  delete (globalThis as { [KEY]?: unknown })[KEY];
  log = { error: vi.fn<Fn>(), warn: vi.fn<Fn>() };
  diag.setLogger(log, DiagLogLevel.ALL);
});
afterEach(() => {
  context.disable();
});

describe('LoggerProvider and SdkLogger', () => {
  it('turns an emitted record into a readable record with every field', () => {
    const { p, logger } = setup();
    logger.emit({
      timestamp: new Date(1700000000123),
      observedTimestamp: 1900000000456.5,
      severityNumber: SeverityNumber.WARN,
      severityText: 'WARN',
      body: 'hello',
      attributes: { a: 1, b: 'x' },
      eventName: 'my.event',
    });
    const r = p.recs[0];
    expect(r.time).toBe(1700000000123);
    expect(r.observedTime).toBe(1900000000456.5);
    expect(r.severityNumber).toBe(13);
    expect(r.severityText).toBe('WARN');
    expect(r.body).toBe('hello');
    expect({ ...r.attributes }).toEqual({ a: 1, b: 'x' });
    expect(r.eventName).toBe('my.event');
    expect(r.droppedAttributesCount).toBe(0);
    expect(r.spanContext).toBeUndefined();
    expect(r.instrumentationScope).toEqual({ name: 'test', version: '1.2.3', schemaUrl: undefined, attributes: undefined });
  });

  it('stamps time and observed time with now when not given (one clock reading)', () => {
    const { p, logger } = setup();
    const t0 = now();
    logger.emit({});
    const r = p.recs[0];
    expect(r.time).toBeGreaterThanOrEqual(t0);
    expect(r.time).toBeLessThanOrEqual(now());
    expect(r.observedTime).toBe(r.time);
  });

  it('accepts HrTime and performance.now()-style timestamps', () => {
    const { p, logger } = setup();
    logger.emit({ timestamp: [1700000000, 5e5] });
    expect(p.recs[0].time).toBe(1700000000000.5);
    logger.emit({ timestamp: 10 });
    expect(p.recs[1].time).toBeCloseTo(performance.timeOrigin + 10, 3);
  });

  it('SeverityNumber has the data model values', () => {
    expect(SeverityNumber.UNSPECIFIED).toBe(0);
    expect(SeverityNumber.TRACE).toBe(1);
    expect(SeverityNumber.DEBUG).toBe(5);
    expect(SeverityNumber.INFO).toBe(9);
    expect(SeverityNumber.WARN).toBe(13);
    expect(SeverityNumber.ERROR).toBe(17);
    expect(SeverityNumber.ERROR4).toBe(20);
    expect(SeverityNumber.FATAL).toBe(21);
    expect(SeverityNumber.FATAL4).toBe(24);
    expect(Object.keys(SeverityNumber)).toHaveLength(25);
  });

  describe('trace correlation', () => {
    it('takes the span context of the active context', () => {
      context.setGlobalContextManager(new StackContextManager());
      const { p, logger } = setup();
      context.with(setSpanContext(ROOT_CONTEXT, SC), () => logger.emit({ body: 'in span' }));
      expect(p.recs[0].spanContext).toEqual(SC);
      logger.emit({ body: 'outside' });
      expect(p.recs[1].spanContext).toBeUndefined();
    });

    it('a given context wins over the active one, and reaches the processors', () => {
      context.setGlobalContextManager(new StackContextManager());
      const { p, logger } = setup();
      const other = { ...SC, spanId: '00f067aa0ba902b7' };
      const ctx = setSpanContext(ROOT_CONTEXT, other);
      context.with(setSpanContext(ROOT_CONTEXT, SC), () => logger.emit({ context: ctx }));
      expect(p.recs[0].spanContext).toEqual(other);
      expect(p.ctxs[0]).toBe(ctx);
    });

    it('ignores an invalid span context', () => {
      const { p, logger } = setup();
      logger.emit({ context: setSpanContext(ROOT_CONTEXT, { ...SC, traceId: '0'.repeat(32) }) });
      expect(p.recs[0].spanContext).toBeUndefined();
    });
  });

  describe('bodies and attributes are AnyValues', () => {
    it('keeps maps, mixed arrays, bytes, null members, and copies them', () => {
      const { p, logger } = setup();
      const body = { msg: 'm', n: 1.5, nested: { list: [1, 'two', true, null, { deep: 'x' }] }, bytes: new Uint8Array([1, 2]) };
      logger.emit({ body, attributes: { map: { k: 'v' }, mixed: [1, 'a'] } });
      body.msg = 'changed later';
      const r = p.recs[0];
      expect(r.body).toEqual({ msg: 'm', n: 1.5, nested: { list: [1, 'two', true, null, { deep: 'x' }] }, bytes: new Uint8Array([1, 2]) });
      expect({ ...r.attributes }).toEqual({ map: { k: 'v' }, mixed: [1, 'a'] });
    });

    it('drops what is not an AnyValue: functions, symbols, class instances, cycles, too deep', () => {
      const { p, logger } = setup();
      const cyc: Record<string, unknown> = { a: 1 };
      cyc.self = cyc;
      let deep: Record<string, unknown> = { leaf: 1 };
      for (let i = 0; i < 12; i++) deep = { d: deep };
      logger.emit({
        body: cyc as AnyValue,
        attributes: {
          f: (() => 1) as unknown as AnyValue,
          s: Symbol('x') as unknown as AnyValue,
          date: new Date() as unknown as AnyValue,
          err: new Error('e') as unknown as AnyValue,
          big: 1n as unknown as AnyValue,
          arr: [1, (() => 2) as unknown as AnyValue, 3],
          deep: deep as AnyValue,
          ok: 'yes',
          nothing: undefined,
          nul: null,
        },
      });
      const r = p.recs[0];
      expect(r.body).toEqual({ a: 1 });
      const keys = Object.keys(r.attributes);
      expect(keys).toEqual(['arr', 'deep', 'ok']);
      expect(r.attributes.arr).toEqual([1, null, 3]);
      // nesting is cut at 8 levels: the deepest maps lose their contents
      expect(JSON.stringify(r.attributes.deep)).not.toContain('leaf');
      expect(log.warn).toHaveBeenCalled();
      expect(r.droppedAttributesCount).toBe(0);
    });

    it('treats keys like __proto__ and toString as ordinary keys', () => {
      const { p, logger } = setup({ logRecordLimits: { attributeCountLimit: 2 } });
      const attrs = JSON.parse('{"__proto__":"p","toString":"t","x":1}') as LogAttributes;
      logger.emit({ attributes: attrs });
      const r = p.recs[0];
      expect(Object.keys(r.attributes)).toEqual(['__proto__', 'toString']);
      expect(r.attributes['__proto__']).toBe('p');
      expect(r.droppedAttributesCount).toBe(1);
    });

    it('applies the count limit (new keys dropped and counted, existing keys still updated)', () => {
      const { p, provider } = setup({ logRecordLimits: { attributeCountLimit: 2 } });
      provider.getLogger('x').emit({ attributes: { a: 1, b: 2, c: 3, d: 4 } });
      const r = p.recs[0] as ReadableLogRecord & { setAttribute(k: string, v: AnyValue): unknown };
      expect({ ...r.attributes }).toEqual({ a: 1, b: 2 });
      expect(r.droppedAttributesCount).toBe(2);
      r.setAttribute('a', 10);
      r.setAttribute('e', 5);
      expect({ ...r.attributes }).toEqual({ a: 10, b: 2 });
      expect(r.droppedAttributesCount).toBe(3);
    });

    it('applies the length limit to strings, also inside maps and arrays, not to the body', () => {
      const { p, logger } = setup({ logRecordLimits: { attributeValueLengthLimit: 3 } });
      logger.emit({ body: 'long body', attributes: { s: 'abcdef', m: { k: 'abcdef', l: ['abcdef', 1] } } });
      const r = p.recs[0];
      expect(r.body).toBe('long body');
      expect({ ...r.attributes }).toEqual({ s: 'abc', m: { k: 'abc', l: ['abc', 1] } });
    });

    it('uses the spec defaults (128 attributes, no length limit)', () => {
      const { p, logger } = setup();
      const attributes: LogAttributes = {};
      for (let i = 0; i < 130; i++) attributes['k' + i] = 'v'.repeat(1000);
      logger.emit({ attributes });
      expect(Object.keys(p.recs[0].attributes)).toHaveLength(128);
      expect(p.recs[0].droppedAttributesCount).toBe(2);
      expect(p.recs[0].attributes.k0).toHaveLength(1000);
    });
  });

  describe('exception', () => {
    it('sets exception.type, message and stacktrace from an Error', () => {
      const { p, logger } = setup();
      const e = new TypeError('bad thing');
      logger.emit({ exception: e });
      expect({ ...p.recs[0].attributes }).toEqual({
        'exception.type': 'TypeError',
        'exception.message': 'bad thing',
        'exception.stacktrace': e.stack,
      });
    });

    it('a string or number becomes the message; attributes given explicitly win', () => {
      const { p, logger } = setup();
      logger.emit({ exception: 'oops' });
      logger.emit({ exception: new Error('m'), attributes: { 'exception.type': 'Mine' } });
      expect({ ...p.recs[0].attributes }).toEqual({ 'exception.message': 'oops' });
      expect(p.recs[1].attributes['exception.type']).toBe('Mine');
      expect(p.recs[1].attributes['exception.message']).toBe('m');
    });
  });

  describe('scope and resource', () => {
    it('returns the same logger for the same name, version and schema URL', () => {
      const provider = new LoggerProvider();
      expect(provider.getLogger('a', '1')).toBe(provider.getLogger('a', '1'));
      expect(provider.getLogger('a', '1')).not.toBe(provider.getLogger('a', '2'));
      expect(provider.getLogger('a', '1', { schemaUrl: 's' })).not.toBe(provider.getLogger('a', '1'));
    });

    it('carries scope attributes and schema URL, and one scope object per logger', () => {
      const { p, provider } = setup();
      const l = provider.getLogger('lib', undefined, { schemaUrl: 'https://s', attributes: { 'scope.attr': 'v' } });
      l.emit({});
      l.emit({});
      expect(p.recs[0].instrumentationScope).toEqual({ name: 'lib', version: undefined, schemaUrl: 'https://s', attributes: { 'scope.attr': 'v' } });
      expect(p.recs[1].instrumentationScope).toBe(p.recs[0].instrumentationScope);
    });

    it('merges the resource over the default one, and every record shares it', () => {
      const { p, provider, logger } = setup({ resource: resourceFromAttributes({ 'service.name': 'shop' }) });
      logger.emit({});
      logger.emit({});
      expect(p.recs[0].resource).toBe(provider.resource);
      expect(p.recs[1].resource).toBe(p.recs[0].resource);
      expect(provider.resource.attributes).toMatchObject({ 'service.name': 'shop', 'telemetry.sdk.name': 'otelite', 'telemetry.sdk.language': 'webjs' });
    });
  });

  describe('never throws into the caller', () => {
    it('a throwing processor does not stop the others', () => {
      const good = capture();
      const bad: LogRecordProcessor = {
        onEmit: () => {
          throw new Error('bad');
        },
        forceFlush: async () => {},
        shutdown: async () => {},
      };
      const logger = new LoggerProvider({ processors: [bad, good] }).getLogger('x');
      expect(() => logger.emit({ body: 1 })).not.toThrow();
      expect(good.recs).toHaveLength(1);
      expect(log.error).toHaveBeenCalled();
    });

    it('hostile input (throwing getters, wrong types) is dropped, not thrown', () => {
      const { p, logger } = setup();
      const hostile = {
        get attributes(): LogAttributes {
          throw new Error('getter');
        },
      };
      expect(() => logger.emit(hostile)).not.toThrow();
      expect(() => logger.emit(null as never)).not.toThrow();
      expect(() => logger.emit({ attributes: 'nope' as never, timestamp: 'soon' as never })).not.toThrow();
      expect(p.recs.length).toBeLessThanOrEqual(1);
    });

    it('fields of the wrong type or range are left out (reported), the record kept: the encoder would write what no collector parses', () => {
      const { p, logger } = setup();
      const t0 = now();
      for (const severityNumber of [0, 25, 1.5, NaN, -3, '9', {}] as never[]) logger.emit({ body: 'b', severityNumber });
      logger.emit({ body: 'b', severityText: Symbol('s') as never, eventName: 42 as never });
      logger.emit({ body: 'b', timestamp: new Date(NaN), observedTimestamp: 'soon' as never });
      expect(p.recs).toHaveLength(9);
      for (const r of p.recs) {
        expect(r.severityNumber).toBeUndefined();
        expect(r.severityText).toBeUndefined();
        expect(r.eventName).toBeUndefined();
        expect(r.time).toBeGreaterThanOrEqual(t0);
        expect(r.observedTime).toBeGreaterThanOrEqual(t0);
      }
      // 6 severities (0 is "unspecified": not reported), 2 text fields; bad times are now, as for spans
      expect(log.warn).toHaveBeenCalledTimes(8);
      logger.emit({ body: 'b', severityNumber: 24, severityText: 'FATAL4', eventName: 'e' });
      expect(p.recs[9]).toMatchObject({ severityNumber: 24, severityText: 'FATAL4', eventName: 'e' });
    });
  });

  describe('lifecycle', () => {
    it('is disabled without processors and after shutdown', async () => {
      expect(new LoggerProvider().getLogger('x').enabled()).toBe(false);
      const { p, provider, logger } = setup();
      expect(logger.enabled()).toBe(true);
      await provider.shutdown();
      expect(logger.enabled()).toBe(false);
      logger.emit({ body: 'late' });
      provider.getLogger('new').emit({ body: 'late' });
      expect(p.recs).toHaveLength(0);
      expect(p.shutdown).toHaveBeenCalledTimes(1);
    });

    it('forceFlush and shutdown reach every processor; failures are reported, not thrown', async () => {
      const a = capture();
      const b = capture();
      (b.forceFlush as ReturnType<typeof vi.fn>).mockRejectedValue(new Error('flush failed'));
      const provider = new LoggerProvider({ processors: [a, b] });
      await expect(provider.forceFlush()).resolves.toBeUndefined();
      expect(a.forceFlush).toHaveBeenCalled();
      expect(log.error).toHaveBeenCalledWith('otelite: processor failed', expect.any(Error));
      await expect(provider.shutdown()).resolves.toBeUndefined();
      expect(a.shutdown).toHaveBeenCalled();
      expect(b.shutdown).toHaveBeenCalled();
    });

    it('register makes it the global provider, once', () => {
      const { p, provider } = setup();
      const early = logs.getLogger('early');
      provider.register();
      early.emit({ body: 'via proxy' });
      expect(p.recs.map((r) => r.body)).toEqual(['via proxy']);
      expect(logs.getLoggerProvider()).toBe(provider);
      new LoggerProvider().register();
      expect(logs.getLoggerProvider()).toBe(provider);
      expect(log.warn).toHaveBeenCalledWith('otelite: a logger provider is registered already');
      logs.disable();
    });
  });

  it('is assignable to the @opentelemetry/api-logs interfaces', () => {
    const provider: apiLogs.LoggerProvider = new LoggerProvider();
    const logger: apiLogs.Logger = provider.getLogger('x');
    const record: apiLogs.LogRecord = { severityNumber: 17 as apiLogs.SeverityNumber, body: { a: [1, 'b'] } };
    expect(() => logger.emit(record)).not.toThrow();
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { validateOtlp } from '../../../test/e2e/harness/otlp-schema';
import { ROOT_CONTEXT } from '../../context/context';
import { LoggerProvider } from '../../logs/provider';
import type { LogRecordProcessor, ReadableLogRecord } from '../../logs/sdk-types';
import { setSpanContext } from '../../trace/api';
import { resourceFromAttributes } from '../../trace/resource';
import { encodeLogRecord, encodeLogs, OTLPLogExporter } from './logs';

const KEY = Symbol.for('otelite');
// epoch ms with a fraction; past any clock's time origin, so toMillis takes it as epoch time
const T0 = 4102444800000.5;
const SC = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 };

/** Records emitted through the real SDK, captured as exporters see them. */
function emitAll(emit: (p: LoggerProvider) => void, opts: ConstructorParameters<typeof LoggerProvider>[0] = {}): ReadableLogRecord[] {
  const recs: ReadableLogRecord[] = [];
  const cap: LogRecordProcessor = { onEmit: (r) => void recs.push(r), forceFlush: async () => {}, shutdown: async () => {} };
  emit(new LoggerProvider({ processors: [cap], ...opts }));
  return recs;
}

function fullRecord(): ReadableLogRecord {
  return emitAll(
    (p) =>
      p.getLogger('errors', '0.1.0').emit({
        timestamp: T0,
        observedTimestamp: T0 + 1.25,
        severityNumber: 17,
        severityText: 'ERROR',
        body: { message: 'boom', list: [1, 'a', true, null, 0.5], nested: { k: 'v' }, bytes: new Uint8Array([1, 2, 3]) },
        attributes: { 'exception.type': 'TypeError', big: 2 ** 40, ratio: 0.25, tags: ['a', 'b'], map: { inner: 1 }, extra: 'dropped' },
        eventName: 'exception',
        context: setSpanContext(ROOT_CONTEXT, SC),
      }),
    { logRecordLimits: { attributeCountLimit: 5 } },
  )[0];
}

beforeEach(() => {
  delete (globalThis as { [KEY]?: unknown })[KEY];
});

describe('encodeLogRecord', () => {
  it('writes every field exactly as the OTLP JSON mapping says', () => {
    expect(JSON.parse(encodeLogRecord(fullRecord()))).toEqual({
      timeUnixNano: '4102444800000500000',
      observedTimeUnixNano: '4102444800001750000',
      severityNumber: 17,
      severityText: 'ERROR',
      body: {
        kvlistValue: {
          values: [
            { key: 'message', value: { stringValue: 'boom' } },
            {
              key: 'list',
              value: {
                arrayValue: {
                  values: [{ intValue: '1' }, { stringValue: 'a' }, { boolValue: true }, {}, { doubleValue: 0.5 }],
                },
              },
            },
            { key: 'nested', value: { kvlistValue: { values: [{ key: 'k', value: { stringValue: 'v' } }] } } },
            { key: 'bytes', value: { bytesValue: 'AQID' } },
          ],
        },
      },
      attributes: [
        { key: 'exception.type', value: { stringValue: 'TypeError' } },
        { key: 'big', value: { intValue: '1099511627776' } },
        { key: 'ratio', value: { doubleValue: 0.25 } },
        { key: 'tags', value: { arrayValue: { values: [{ stringValue: 'a' }, { stringValue: 'b' }] } } },
        { key: 'map', value: { kvlistValue: { values: [{ key: 'inner', value: { intValue: '1' } }] } } },
      ],
      droppedAttributesCount: 1,
      flags: 1,
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      eventName: 'exception',
    });
  });

  it('leaves out what is empty: no body, attributes, severity, ids, flags or event name', () => {
    const [r] = emitAll((p) => p.getLogger('x').emit({ timestamp: T0, observedTimestamp: T0 }));
    expect(encodeLogRecord(r)).toBe('{"timeUnixNano":"4102444800000500000","observedTimeUnixNano":"4102444800000500000"}');
  });

  it('writes an unsampled span context with flags 0 left out, ids kept', () => {
    const [r] = emitAll((p) =>
      p.getLogger('x').emit({ timestamp: T0, context: setSpanContext(ROOT_CONTEXT, { ...SC, traceFlags: 0 }) }),
    );
    const j = JSON.parse(encodeLogRecord(r));
    expect(j.flags).toBeUndefined();
    expect(j.traceId).toBe(SC.traceId);
    expect(j.spanId).toBe(SC.spanId);
  });

  it('writes scalar bodies as their AnyValue', () => {
    const recs = emitAll((p) => {
      const l = p.getLogger('x');
      for (const body of ['text', 42, 1.5, false, [1, 2]]) l.emit({ body });
    });
    expect(recs.map((r) => JSON.parse(encodeLogRecord(r)).body)).toEqual([
      { stringValue: 'text' },
      { intValue: '42' },
      { doubleValue: 1.5 },
      { boolValue: false },
      { arrayValue: { values: [{ intValue: '1' }, { intValue: '2' }] } },
    ]);
  });
});

describe('encodeLogs', () => {
  it('groups by resource and scope, with schema URLs and scope attributes', () => {
    const recs = emitAll(
      (p) => {
        const a = p.getLogger('a', '1', { schemaUrl: 'https://s/a', attributes: { 'scope.k': 'v' } });
        const b = p.getLogger('b');
        a.emit({ timestamp: T0, body: 1 });
        b.emit({ timestamp: T0, body: 2 });
        a.emit({ timestamp: T0, body: 3 });
      },
      { resource: resourceFromAttributes({ 'service.name': 'shop' }, 'https://opentelemetry.io/schemas/1.30.0') },
    );
    const j = JSON.parse(encodeLogs(recs));
    expect(j.resourceLogs).toHaveLength(1);
    const rl = j.resourceLogs[0];
    expect(rl.schemaUrl).toBe('https://opentelemetry.io/schemas/1.30.0');
    expect(rl.resource.attributes).toContainEqual({ key: 'service.name', value: { stringValue: 'shop' } });
    expect(rl.scopeLogs.map((s: { scope: unknown }) => s.scope)).toEqual([
      { name: 'a', version: '1', attributes: [{ key: 'scope.k', value: { stringValue: 'v' } }] },
      { name: 'b' },
    ]);
    expect(rl.scopeLogs[0].schemaUrl).toBe('https://s/a');
    expect(rl.scopeLogs[0].logRecords.map((r: { body: unknown }) => r.body)).toEqual([{ intValue: '1' }, { intValue: '3' }]);
    expect(rl.scopeLogs[1].logRecords).toHaveLength(1);
  });

  it('is valid against the official OTLP schema (every field set)', () => {
    const body = JSON.parse(encodeLogs([fullRecord(), ...emitAll((p) => p.getLogger('min').emit({}))]));
    expect(validateOtlp('logs', body)).toEqual([]);
  });

  it('escapes strings and stays valid JSON with hostile text', () => {
    const [r] = emitAll((p) =>
      p.getLogger('x"\n').emit({ body: 'quote " backslash \\ newline \n nul \u0000 emoji 😀', attributes: { 'k"\\': 'v\u2028' } }),
    );
    const text = encodeLogs([r]);
    const j = JSON.parse(text);
    expect(j.resourceLogs[0].scopeLogs[0].logRecords[0].body.stringValue).toBe('quote " backslash \\ newline \n nul \u0000 emoji 😀');
    expect(validateOtlp('logs', j)).toEqual([]);
  });
});

describe('OTLPLogExporter', () => {
  let calls: Array<{ url: string; init: RequestInit }>;
  beforeEach(() => {
    calls = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init: RequestInit) => {
        calls.push({ url, init });
        return new Response('{}', { status: 200 });
      }),
    );
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('POSTs schema-valid JSON to {endpoint}/v1/logs and reports success', async () => {
    const e = new OTLPLogExporter({ endpoint: 'http://127.0.0.1:4318/', compression: 'none' });
    const done = vi.fn();
    e.export([fullRecord()], done);
    await e.forceFlush();
    expect(done).toHaveBeenCalledWith({ code: 0 });
    expect(calls).toHaveLength(1);
    expect(calls[0].url).toBe('http://127.0.0.1:4318/v1/logs');
    expect(new Headers(calls[0].init.headers).get('content-type')).toBe('application/json');
    const body = JSON.parse(new TextDecoder().decode(calls[0].init.body as Uint8Array));
    expect(validateOtlp('logs', body)).toEqual([]);
    expect(body.resourceLogs[0].scopeLogs[0].logRecords[0].eventName).toBe('exception');
    await e.shutdown();
  });

  it('counts what it could not send', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response('', { status: 400 })));
    const e = new OTLPLogExporter({ url: 'http://127.0.0.1:1/logs', compression: 'none' });
    const done = vi.fn();
    e.export([fullRecord(), fullRecord()], done);
    await e.forceFlush();
    expect(done.mock.calls[0][0].code).toBe(1);
    expect(e.dropped).toBe(2);
  });
});

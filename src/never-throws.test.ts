/**
 * DESIGN.md's first rule, "never throw into the host", swept across the public surface: the
 * methods of the API and of the SDK objects an application touches are called with hostile
 * values (wrong types, symbols, values whose every read throws, cycles, huge strings) in each
 * value position, and must neither throw nor leave an unhandled rejection. The per-module tests
 * check what each call *does* with bad input; this one checks that nothing escapes.
 *
 * Where the line is (as in `@opentelemetry/api`, and as JavaScript itself does):
 * - the data an app records (span and event names, attributes, times, statuses, links,
 *   exceptions, log records, metric values and attributes) and the carriers it propagates
 *   through never make a call throw, not even values whose reading throws (a getter, a revoked
 *   proxy): they are reported through diagnostics and ignored;
 * - option and config objects (and span contexts, baggage entries) may be null or of the wrong
 *   type (the defaults), but are read as given: one whose reading throws is not absorbed (a
 *   constructor has nothing safe to fall back to for the fields it read);
 * - tracer, meter, logger and instrument names must convert to strings (`String(x)` does not
 *   throw): a symbol or an object whose `toString` throws there is a TypeError, as in JS;
 * - the shape of a call is the caller's: a callback that is not a function, or a `Context`
 *   argument that is not one, throws the TypeError that calling or reading it throws, and a
 *   callback's own exception reaches its caller unchanged.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { context, diag, DiagLogLevel, propagation, trace } from './index';
import { metrics } from './metrics/api';
import { logs } from './logs/api';
import { BatchSpanProcessor, CompositePropagator, SimpleSpanProcessor, TracerProvider, W3CBaggagePropagator, W3CTraceContextPropagator } from './trace/index';
import type { SpanExporter } from './trace/sdk-types';
import { MeterProvider, ManualMetricReader } from './metrics/index';
import { LoggerProvider, SimpleLogRecordProcessor } from './logs/index';
import type { LogRecordExporter } from './logs/sdk-types';
import { OTLPMetricExporter, OTLPTraceExporter } from './exporters/otlp-http-json/index';
import { encodeTraces } from './exporters/otlp-http-json/traces';
import { encodeLogs } from './exporters/otlp-http-json/logs';
import { encodeMetrics } from './exporters/otlp-http-json/metrics';
import { globals } from './lib/global';
import { validateOtlp, type Signal } from '../test/e2e/harness/otlp-schema';
import { fetchInstrumentation } from './instrumentations/fetch/fetch';
import { xhrInstrumentation } from './instrumentations/xhr/xhr';
import { errorsInstrumentation, recordError } from './instrumentations/errors/errors';
import { documentLoadInstrumentation } from './instrumentations/document-load/document-load';
import { initWith } from './web/setup';

/** Throws on every operation: property reads, `in`, enumeration, conversion, calls. */
const trap = (): never => {
  throw new Error('hostile');
};
const throwing = new Proxy({}, {
  get: trap,
  has: trap,
  ownKeys: trap,
  getOwnPropertyDescriptor: trap,
  getPrototypeOf: trap,
  set: trap,
  defineProperty: trap,
  deleteProperty: trap,
});
const cyclic: Record<string, unknown> = { a: 1 };
cyclic.self = cyclic;
const badToString = { toString: trap, valueOf: trap };
const badGetter = Object.defineProperty({}, 'code', { get: trap, enumerable: true });

/** The values every argument position gets. */
const HOSTILE: [string, unknown][] = [
  ['undefined', undefined],
  ['null', null],
  ['NaN', NaN],
  ['-Infinity', -Infinity],
  ['1e21', 1e21],
  ['-1', -1],
  ['empty string', ''],
  ['huge string', 'x'.repeat(20_000)],
  ['lone surrogate', '\ud800'],
  ['symbol', Symbol('s')],
  ['bigint', 10n],
  ['object', {}],
  ['null-prototype object', Object.create(null)],
  ['array', [1, 'a', null, {}]],
  ['function', () => 1],
  ['invalid Date', new Date(NaN)],
  ['throwing proxy', throwing],
  ['cyclic object', cyclic],
  ['throwing toString', badToString],
  ['throwing getter', badGetter],
];

/** Names: any value `String()` converts (see the header). */
const NAMES = HOSTILE.filter(([l]) => !/symbol|null-prototype|throwing (toString|proxy)/.test(l));
/** Config objects: any value but those whose reading throws (see the header). */
const CONFIGS = HOSTILE.filter(([l]) => !/throwing (proxy|getter)/.test(l));

/** What the exporters below encoded, and what failed to encode (must stay empty). */
let encoded = 0;
const failed: string[] = [];
/**
 * Encodes as the OTLP exporter would and checks the payload against the OTLP schema (as the
 * e2e receiver does): no hostile value may make a batch that a collector rejects.
 */
const wire = (signal: Signal, encode: () => string): void => {
  try {
    // (an empty span or event name the app gave goes as given, as in otel-js: the proto reads an
    // empty span name as "unknown"; the receiver's stricter check is for what the SDK names)
    const errors = validateOtlp(signal, JSON.parse(encode())).filter((m) => !/(Span|Event)\.name is missing/.test(m));
    failed.push(...errors.map((m) => m.slice(0, 200)));
    encoded++;
  } catch (e) {
    failed.push(String(e).slice(0, 200));
  }
};
const exporter: SpanExporter = {
  export: (spans, done) => (wire('traces', () => encodeTraces(spans)), done({ code: 0 })),
  shutdown: async () => {},
};
const logExporter: LogRecordExporter = {
  export: (records, done) => (wire('logs', () => encodeLogs(records)), done({ code: 0 })),
  shutdown: async () => {},
};
const reader = new ManualMetricReader();
let tp: TracerProvider;
let mp: MeterProvider;
let lp: LoggerProvider;
const rejections: unknown[] = [];
const onRejection = (e: unknown): number => rejections.push(e);

beforeAll(() => {
  process.on('unhandledRejection', onRejection);
  // nothing leaves the process: the OTLP exporters' requests fail here
  vi.stubGlobal('fetch', () => Promise.reject(new TypeError('offline')));
  tp = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  tp.register({ propagator: undefined });
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  mp = new MeterProvider({ readers: [reader] });
  metrics.setGlobalMeterProvider(mp);
  lp = new LoggerProvider({ processors: [new SimpleLogRecordProcessor(logExporter)] });
  lp.register();
  // diagnostics on, at the most verbose level: the diagnostics themselves must cope with the values
  diag.setLogger({ error() {}, warn() {}, info() {}, debug() {}, verbose() {} }, DiagLogLevel.ALL);
});
afterEach(() => {
  vi.restoreAllMocks();
});
afterAll(async () => {
  await Promise.all([tp.shutdown(), mp.shutdown(), lp.shutdown()]);
  await new Promise((r) => setTimeout(r, 20));
  process.off('unhandledRejection', onRejection);
  vi.unstubAllGlobals();
  diag.disable();
  globals().t = globals().m = globals().l = globals().p = globals().c = undefined;
  expect(rejections).toEqual([]);
  expect(failed).toEqual([]);
});

/** Calls' promises: a test awaits them all before it looks at what its sweeps returned. */
const pending: Promise<unknown>[] = [];

/**
 * Calls `f` with each hostile value at each of `arity` positions (the others `fill`), and
 * collects what threw (a console.warn for bad config is fine: silenced here).
 */
function sweep(name: string, arity: number, f: (...a: unknown[]) => unknown, fill: unknown[] = [], values = HOSTILE): string[] {
  const threw: string[] = [];
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  for (let pos = 0; pos < arity; pos++) {
    for (const [label, v] of values) {
      const args = Array.from({ length: arity }, (_, i) => (i == pos ? v : fill[i]));
      try {
        const r = f(...args) as { then?: unknown; catch?: (h: (e: unknown) => unknown) => Promise<unknown> } | undefined;
        if (r && typeof r == 'object' && typeof r.then == 'function' && r.catch)
          pending.push(r.catch((e) => threw.push(`${name} arg ${pos} = ${label}: rejected ${String(e).slice(0, 80)}`)));
      } catch (e) {
        threw.push(`${name} arg ${pos} = ${label}: ${String((e as Error)?.message ?? e).slice(0, 80)}`);
      }
    }
  }
  return threw;
}

describe('never throws into the host', () => {
  it('tracer and span', { timeout: 60_000 }, async () => {
    const tracer = trace.getTracer('hostile');
    const out = [
      sweep('getTracer', 2, (a, b) => trace.getTracer(a as string, b as string), [], NAMES),
      sweep('getTracer options', 1, (a) => trace.getTracer('t', '1', a as never), [], CONFIGS),
      sweep('startSpan', 3, (a, b, c) => tracer.startSpan(a as string, b as never, c as never).end(), ['n']),
      sweep('startActiveSpan', 2, (a, b) => tracer.startActiveSpan(a as string, b as never, (s) => s.end()), ['n']),
    ];
    const span = tracer.startSpan('s');
    out.push(
      sweep('setAttribute', 2, (k, v) => span.setAttribute(k as string, v as never), ['k', 1]),
      sweep('setAttributes', 1, (a) => span.setAttributes(a as never)),
      sweep('addEvent', 3, (a, b, c) => span.addEvent(a as string, b as never, c as never), ['e']),
      sweep('addLink', 1, (a) => span.addLink(a as never)),
      sweep('addLinks', 1, (a) => span.addLinks(a as never)),
      sweep('setStatus', 1, (a) => span.setStatus(a as never)),
      sweep('updateName', 1, (a) => span.updateName(a as string)),
      sweep('recordException', 2, (a, b) => span.recordException(a as never, b as never), [new Error('x')]),
    );
    for (const [label, v] of HOSTILE) {
      try {
        tracer.startSpan('e').end(v as never);
      } catch (e) {
        out.push([`end(${label}): ${e}`]);
      }
    }
    span.end();
    await tp.forceFlush();
    await Promise.all(pending);
    expect(out.flat()).toEqual([]);
    // every span was encoded (one by one, by the simple processor), none failed
    expect(encoded).toBeGreaterThan(50);
    expect(failed).toEqual([]);
  });

  it('trace, context and propagation APIs', async () => {
    const span = trace.getTracer('hostile').startSpan('s');
    const full = propagation.setBaggage(trace.setSpan(context.active(), span), propagation.createBaggage({ k: { value: 'v' } }));
    const out = [
      sweep('trace.setSpan', 1, (a) => trace.setSpan(context.active(), a as never)),
      sweep('trace.wrapSpanContext', 1, (a) => trace.wrapSpanContext(a as never).spanContext(), [], CONFIGS),
      sweep('context.with', 3, (a, b, c) => context.with(a as never, () => 1, b, c), [context.active()]),
      sweep('context.bind', 1, (a) => context.bind(a as never, () => 1)),
      sweep('propagation.inject', 3, (a, b, c) => propagation.inject(a as never, b, c as never), [context.active(), {}]),
      sweep('propagation.extract', 1, (a) => propagation.extract(context.active(), a)),
      sweep('propagation.createBaggage', 1, (a) => propagation.createBaggage(a as never), [], CONFIGS),
      sweep('baggage.setEntry', 2, (a, b) => propagation.createBaggage().setEntry(a as string, b as never), ['k', { value: 'v' }], CONFIGS),
      sweep('propagation.inject (span and baggage)', 1, (a) => propagation.inject(full, a)),
    ];
    await Promise.all(pending);
    expect(out.flat()).toEqual([]);
  });

  it('metrics', async () => {
    const meter = metrics.getMeter('hostile');
    const out = [
      sweep('getMeter', 2, (a, b) => metrics.getMeter(a as string, b as string), [], NAMES),
      sweep('getMeter options', 1, (a) => metrics.getMeter('m', '1', a as never), [], CONFIGS),
      sweep('createCounter', 1, (a) => meter.createCounter(a as string).add(1), [], NAMES),
      sweep('createCounter options', 1, (a) => meter.createCounter('c', a as never).add(1), [], CONFIGS),
      sweep('counter.add', 3, (a, b, c) => meter.createCounter('c1').add(a as number, b as never, c as never), [1]),
      sweep('histogram.record', 3, (a, b, c) => meter.createHistogram('h1').record(a as number, b as never, c as never), [1]),
      sweep('createHistogram options', 1, (a) => meter.createHistogram('h', a as never).record(1), [], CONFIGS),
      sweep('gauge.record', 2, (a, b) => meter.createGauge('g1').record(a as number, b as never), [1]),
      sweep('upDown.add', 2, (a, b) => meter.createUpDownCounter('u1').add(a as number, b as never), [1]),
      sweep('observable', 1, (a) => meter.createObservableGauge('o1').addCallback(a as never)),
      sweep('observe', 2, (a, b) => meter.createObservableCounter('o2').addCallback((r) => r.observe(a as number, b as never)), [1]),
    ];
    meter.createObservableGauge('o3').addCallback(() => {
      throw new Error('callback throws');
    });
    const rm = await reader.collect();
    wire('metrics', () => encodeMetrics(rm));
    await Promise.all(pending);
    expect(out.flat()).toEqual([]);
    expect(failed).toEqual([]);
  });

  it('logs', async () => {
    const logger = logs.getLogger('hostile');
    const out = [
      sweep('getLogger', 2, (a, b) => logs.getLogger(a as string, b as string), [], NAMES),
      sweep('getLogger options', 1, (a) => logs.getLogger('l', '1', a as never), [], CONFIGS),
      sweep('emit', 1, (a) => logger.emit(a as never)),
      sweep('emit body', 1, (a) => logger.emit({ body: a as never })),
      sweep('emit attributes', 1, (a) => logger.emit({ attributes: a as never })),
      sweep('recordError', 2, (a, b) => recordError(a, b as never)),
      sweep('emit fields', 4, (a, b, c, d) => logger.emit({ severityNumber: a as never, severityText: b as never, timestamp: c as never, eventName: d as never })),
    ];
    await lp.forceFlush();
    await Promise.all(pending);
    expect(out.flat()).toEqual([]);
    expect(failed).toEqual([]);
  });

  it('the web distro: every config key', async () => {
    const keys = 'serviceName resourceAttributes endpoint headers compression transport sampler samplerArg propagators propagateTo ignoreUrls instrumentations disabledInstrumentations temporalityPreference disabled session redactQueryParams redactUrl contextManager debug';
    vi.spyOn(console, 'error').mockImplementation(() => {});
    // a collector that answers (the offline one would have forceFlush wait out the retries)
    vi.stubGlobal('fetch', async () => new Response('{}'));
    const out: string[][] = [];
    for (const k of keys.split(' '))
      out.push(
        sweep(
          k,
          1,
          async (v) => {
            delete (globalThis as Record<symbol, unknown>)[Symbol.for('otelite')];
            const o = initWith({ [k]: v }, { instrumentations: { fetch: fetchInstrumentation, errors: errorsInstrumentation } });
            o.getTracer('t').startSpan('s').end();
            await o.forceFlush();
            await o.shutdown();
          },
          [],
          CONFIGS,
        ),
      );
    await Promise.all(pending);
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('offline')));
    expect(out.flat()).toEqual([]);
  });

  it('SDK constructors and exporters', async () => {
    const out = [
      sweep('new TracerProvider', 1, (a) => new TracerProvider(a as never).getTracer('t').startSpan('s').end(), [], CONFIGS),
      sweep('new BatchSpanProcessor', 1, (a) => new BatchSpanProcessor(exporter, a as never).shutdown(), [], CONFIGS),
      sweep('new OTLPTraceExporter', 1, (a) => new OTLPTraceExporter(a as never).shutdown(), [], CONFIGS),
      sweep('new OTLPMetricExporter', 1, (a) => new OTLPMetricExporter(a as never).shutdown(), [], CONFIGS),
      sweep('new MeterProvider', 1, (a) => new MeterProvider(a as never).getMeter('m').createCounter('c').add(1), [], CONFIGS),
      sweep('new LoggerProvider', 1, (a) => new LoggerProvider(a as never).getLogger('l').emit({ body: 'b' }), [], CONFIGS),
      sweep('fetchInstrumentation', 1, (a) => fetchInstrumentation(a as never).disable(), [], CONFIGS),
      sweep('xhrInstrumentation', 1, (a) => xhrInstrumentation(a as never).disable(), [], CONFIGS),
      sweep('errorsInstrumentation', 1, (a) => errorsInstrumentation(a as never).disable(), [], CONFIGS),
      sweep('documentLoadInstrumentation', 1, (a) => documentLoadInstrumentation(a as never).disable(), [], CONFIGS),
    ];
    await new Promise((r) => setTimeout(r, 20));
    await Promise.all(pending);
    expect(out.flat()).toEqual([]);
  });
});

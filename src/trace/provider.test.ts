import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it, vi, type Mock } from 'vitest';
import { context } from '../context/api';
import { ROOT_CONTEXT } from '../context/context';
import { StackContextManager } from '../context/stack';
import type { ContextManager } from '../context/types';
import { diag, DiagLogLevel } from '../lib/diag';
import { setSpan, setSpanContext, trace } from './api';
import { propagation } from './propagation/api';
import { createBaggage, setBaggage } from './propagation/baggage';
import type { TextMapPropagator } from './propagation/types';
import { TracerProvider } from './provider';
import { resourceFromAttributes } from './resource';
import { AlwaysOffSampler, type Sampler } from './sampler';
import type { SpanLimits, SpanProcessor } from './sdk-types';
import type { RecordingSpan } from './span';

const KEY = Symbol.for('otelite');
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

type LogFn = (message: string, ...args: unknown[]) => void;
let log: { error: Mock<LogFn>; warn: Mock<LogFn> };

beforeEach(() => {
  delete (globalThis as { [KEY]?: unknown })[KEY];
  log = { error: vi.fn<LogFn>(), warn: vi.fn<LogFn>() };
  diag.setLogger(log, DiagLogLevel.ALL);
});

function processor() {
  return {
    onStart: vi.fn<SpanProcessor['onStart']>(),
    onEnd: vi.fn<SpanProcessor['onEnd']>(),
    forceFlush: vi.fn<SpanProcessor['forceFlush']>(async () => {}),
    shutdown: vi.fn<SpanProcessor['shutdown']>(async () => {}),
  } satisfies SpanProcessor;
}

describe('getTracer', () => {
  it('caches tracers by name, version and schema URL', () => {
    const p = new TracerProvider();
    const a = p.getTracer('lib', '1.0.0', { schemaUrl: 'https://s/1' });
    expect(p.getTracer('lib', '1.0.0', { schemaUrl: 'https://s/1' })).toBe(a);
    expect(p.getTracer('lib', '1.0.1', { schemaUrl: 'https://s/1' })).not.toBe(a);
    expect(p.getTracer('lib', '1.0.0', { schemaUrl: 'https://s/2' })).not.toBe(a);
    expect(p.getTracer('lib', '1.0.0')).not.toBe(a);
    expect(p.getTracer('other', '1.0.0', { schemaUrl: 'https://s/1' })).not.toBe(a);
    expect(p.getTracer('lib')).toBe(p.getTracer('lib'));
  });

  it("gives spans the tracer's instrumentation scope", () => {
    const p = new TracerProvider();
    const s = p.getTracer('my-lib', '2.1.0', { schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' }).startSpan('x') as RecordingSpan;
    expect(s.instrumentationScope).toEqual({ name: 'my-lib', version: '2.1.0', schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' });
  });

  it('tolerates a missing name (the spec: a working tracer, empty name)', () => {
    const p = new TracerProvider();
    const s = p.getTracer(undefined as unknown as string).startSpan('x') as RecordingSpan;
    expect(s.isRecording()).toBe(true);
    expect(s.instrumentationScope.name).toBe('');
  });
});

describe('resource', () => {
  it('defaults to unknown_service and the otelite SDK attributes', () => {
    const p = new TracerProvider();
    expect(p.resource.attributes).toEqual({
      'service.name': 'unknown_service',
      'telemetry.sdk.name': 'otelite',
      'telemetry.sdk.language': 'webjs',
      'telemetry.sdk.version': pkg.version,
    });
  });

  it('merges the configured resource over the default one', () => {
    const p = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': 'shop', 'service.version': '3' }) });
    expect(p.resource.attributes).toMatchObject({
      'service.name': 'shop',
      'service.version': '3',
      'telemetry.sdk.name': 'otelite',
    });
    expect((p.getTracer('t').startSpan('x') as RecordingSpan).resource).toBe(p.resource);
  });
});

describe('spanLimits', () => {
  function fill(limits?: SpanLimits): RecordingSpan {
    const s = new TracerProvider({ spanLimits: limits }).getTracer('t').startSpan('x') as RecordingSpan;
    for (let i = 0; i < 200; i++) {
      s.setAttribute('a' + i, 'v'.repeat(50));
      s.addEvent('e' + i, Object.fromEntries(Array.from({ length: 200 }, (_, j) => ['k' + j, j])));
      s.addLink({
        context: { traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 1 },
        attributes: Object.fromEntries(Array.from({ length: 200 }, (_, j) => ['k' + j, j])),
      });
    }
    return s;
  }

  it('uses the specification defaults: 128 each, no length limit', () => {
    const s = fill();
    expect(Object.keys(s.attributes)).toHaveLength(128);
    expect(s.droppedAttributesCount).toBe(72);
    expect(s.attributes.a0).toHaveLength(50);
    expect(s.events).toHaveLength(128);
    expect(s.droppedEventsCount).toBe(72);
    expect(Object.keys(s.events[0].attributes)).toHaveLength(128);
    expect(s.events[0].droppedAttributesCount).toBe(72);
    expect(s.links).toHaveLength(128);
    expect(s.droppedLinksCount).toBe(72);
    expect(Object.keys(s.links[0].attributes!)).toHaveLength(128);
    expect(s.links[0].droppedAttributesCount).toBe(72);
  });

  it('applies custom limits, 0 included', () => {
    const s = fill({
      attributeCountLimit: 3,
      attributeValueLengthLimit: 5,
      eventCountLimit: 2,
      linkCountLimit: 0,
      attributePerEventCountLimit: 1,
      attributePerLinkCountLimit: 4,
    });
    expect(Object.keys(s.attributes)).toHaveLength(3);
    expect(s.droppedAttributesCount).toBe(197);
    expect(s.attributes.a0).toBe('vvvvv');
    expect(s.events).toHaveLength(2);
    expect(s.droppedEventsCount).toBe(198);
    expect(Object.keys(s.events[0].attributes)).toHaveLength(1);
    expect(s.links).toHaveLength(0);
    expect(s.droppedLinksCount).toBe(200);
  });

  it('falls back to the defaults for invalid limits', () => {
    const s = fill({
      attributeCountLimit: -1,
      attributeValueLengthLimit: NaN,
      eventCountLimit: 'ten' as unknown as number,
      linkCountLimit: undefined,
    });
    expect(Object.keys(s.attributes)).toHaveLength(128);
    expect(s.attributes.a0).toHaveLength(50);
    expect(s.events).toHaveLength(128);
    expect(s.links).toHaveLength(128);
  });
});

describe('sampler and id generator', () => {
  it('defaults to parent-based always-on', () => {
    const t = new TracerProvider().getTracer('t');
    expect(t.startSpan('root').spanContext().traceFlags & 1).toBe(1);
    const unsampledParent = setSpanContext(ROOT_CONTEXT, {
      traceId: '1'.repeat(32),
      spanId: '2'.repeat(16),
      traceFlags: 0,
      isRemote: true,
    });
    expect(t.startSpan('child', {}, unsampledParent).isRecording()).toBe(false);
  });

  it('uses the configured sampler and id generator', () => {
    const sampler: Sampler = new AlwaysOffSampler();
    expect(new TracerProvider({ sampler }).getTracer('t').startSpan('x').isRecording()).toBe(false);
    const idGenerator = { generateTraceId: () => 'c'.repeat(32), generateSpanId: () => 'd'.repeat(16) };
    const sc = new TracerProvider({ idGenerator }).getTracer('t').startSpan('x').spanContext();
    expect(sc.traceId).toBe('c'.repeat(32));
    expect(sc.spanId).toBe('d'.repeat(16));
  });
});

describe('spanProcessors', () => {
  it('every processor sees every span start and end', () => {
    const a = processor();
    const b = processor();
    const s = new TracerProvider({ spanProcessors: [a, b] }).getTracer('t').startSpan('x');
    s.end();
    for (const p of [a, b]) {
      expect(p.onStart).toHaveBeenCalledWith(s, ROOT_CONTEXT);
      expect(p.onEnd).toHaveBeenCalledWith(s);
    }
  });

  it('keeps its own copy of the processor list', () => {
    const list = [processor()];
    const p = new TracerProvider({ spanProcessors: list });
    const late = processor();
    list.push(late);
    p.getTracer('t').startSpan('x').end();
    expect(late.onEnd).not.toHaveBeenCalled();
  });
});

describe('register', () => {
  it('installs the global tracer provider: the API then records through it', () => {
    const early = trace.getTracer('lib'); // a library took its tracer at import time
    const p = new TracerProvider();
    p.register();
    expect(trace.getTracerProvider()).toBe(p);
    expect(trace.getTracer('lib').startSpan('x').isRecording()).toBe(true);
    expect(early.startSpan('y').isRecording()).toBe(true);
  });

  it('installs the stack context manager by default', () => {
    new TracerProvider().register();
    const tracer = trace.getTracer('t');
    tracer.startActiveSpan('outer', (outer) => {
      expect(trace.getActiveSpan()).toBe(outer);
      const inner = tracer.startSpan('inner') as RecordingSpan;
      expect(inner.parentSpanContext).toBe(outer.spanContext());
    });
    expect(context.setGlobalContextManager(new StackContextManager())).toBe(false);
  });

  it('installs W3C trace context and baggage by default', () => {
    new TracerProvider().register();
    expect(propagation.fields().sort()).toEqual(['baggage', 'traceparent', 'tracestate']);
    const span = trace.getTracer('t').startSpan('x');
    const ctx = setBaggage(setSpan(ROOT_CONTEXT, span), createBaggage({ user: { value: 'alice' } }));
    const headers: Record<string, string> = {};
    propagation.inject(ctx, headers);
    const sc = span.spanContext();
    expect(headers.traceparent).toBe(`00-${sc.traceId}-${sc.spanId}-0${sc.traceFlags & 3}`);
    expect(headers.traceparent).toMatch(/-0[13]$/); // sampled
    expect(headers.baggage).toBe('user=alice');
    const back = propagation.extract(ROOT_CONTEXT, headers);
    expect(trace.getSpanContext(back)).toMatchObject({ traceId: sc.traceId, spanId: sc.spanId, isRemote: true });
  });

  it('installs the given context manager (enabled) and propagator', () => {
    const manager = new StackContextManager();
    const enable = vi.spyOn(manager, 'enable');
    const propagator: TextMapPropagator = { inject: vi.fn(), extract: (c) => c, fields: () => ['x-mine'] };
    new TracerProvider().register({ contextManager: manager, propagator });
    expect(enable).toHaveBeenCalledTimes(1);
    expect(context.setGlobalContextManager(new StackContextManager())).toBe(false);
    expect(propagation.fields()).toEqual(['x-mine']);
  });

  it('null keeps what is installed, and installs nothing when nothing is', () => {
    const manager: ContextManager = new StackContextManager();
    const active = vi.spyOn(manager, 'active');
    context.setGlobalContextManager(manager);
    const mine: TextMapPropagator = { inject: vi.fn(), extract: (c) => c, fields: () => ['x-existing'] };
    propagation.setGlobalPropagator(mine);
    new TracerProvider().register({ contextManager: null, propagator: null });
    context.active();
    expect(active).toHaveBeenCalled();
    expect(propagation.fields()).toEqual(['x-existing']);

    delete (globalThis as { [KEY]?: unknown })[KEY];
    new TracerProvider().register({ contextManager: null, propagator: null });
    expect(propagation.fields()).toEqual([]);
    expect(context.setGlobalContextManager(new StackContextManager())).toBe(true);
  });

  it('keeps a context manager and a propagator installed before, and says so', () => {
    const mine = new StackContextManager();
    context.setGlobalContextManager(mine);
    const prop: TextMapPropagator = { inject: vi.fn(), extract: (c) => c, fields: () => ['x-mine'] };
    propagation.setGlobalPropagator(prop);
    new TracerProvider().register();
    expect(propagation.fields()).toEqual(['x-mine']);
    expect(context.setGlobalContextManager(new StackContextManager())).toBe(false);
    expect(log.warn).toHaveBeenCalledTimes(2);
    expect(log.warn.mock.calls.map((c) => c[0]).join()).toMatch(/context manager.*propagator/);
  });

  it('a second provider does not replace the first; it says so', () => {
    const first = new TracerProvider();
    first.register();
    diag.setLogger(log, DiagLogLevel.ALL);
    new TracerProvider().register();
    expect(trace.getTracerProvider()).toBe(first);
    expect(log.warn).toHaveBeenCalled();
  });
});

describe('forceFlush and shutdown', () => {
  it('forceFlush calls every processor', async () => {
    const ps = [processor(), processor(), processor()];
    await new TracerProvider({ spanProcessors: ps }).forceFlush();
    for (const p of ps) expect(p.forceFlush).toHaveBeenCalledTimes(1);
  });

  it('shutdown calls every processor', async () => {
    const ps = [processor(), processor()];
    await new TracerProvider({ spanProcessors: ps }).shutdown();
    for (const p of ps) expect(p.shutdown).toHaveBeenCalledTimes(1);
  });

  it('a failing processor does not stop the others; failures are reported, not thrown', async () => {
    const rejecting = processor();
    rejecting.forceFlush.mockRejectedValue(new Error('flush failed'));
    rejecting.shutdown.mockRejectedValue(new Error('shutdown failed'));
    const throwing = processor();
    throwing.forceFlush.mockImplementation(() => {
      throw new Error('sync throw');
    });
    throwing.shutdown.mockImplementation(() => {
      throw new Error('sync throw');
    });
    const fine = processor();
    const p = new TracerProvider({ spanProcessors: [rejecting, throwing, fine] });
    await expect(p.forceFlush()).resolves.toBeUndefined();
    expect(fine.forceFlush).toHaveBeenCalledTimes(1);
    expect(log.error).toHaveBeenCalledTimes(2);
    await expect(p.shutdown()).resolves.toBeUndefined();
    expect(fine.shutdown).toHaveBeenCalledTimes(1);
    expect(log.error).toHaveBeenCalledTimes(4);
  });

  it('waits for slow processors', async () => {
    let release!: () => void;
    const slow = processor();
    slow.forceFlush.mockReturnValue(new Promise<void>((r) => (release = r)));
    let done = false;
    const f = new TracerProvider({ spanProcessors: [slow] }).forceFlush().then(() => (done = true));
    await Promise.resolve();
    await Promise.resolve();
    expect(done).toBe(false);
    release();
    await f;
    expect(done).toBe(true);
  });

  it('with no processors, resolves', async () => {
    const p = new TracerProvider();
    await expect(p.forceFlush()).resolves.toBeUndefined();
    await expect(p.shutdown()).resolves.toBeUndefined();
  });
});

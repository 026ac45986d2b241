import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from 'vitest';
import { context } from '../context/api';
import { ROOT_CONTEXT } from '../context/context';
import { StackContextManager } from '../context/stack';
import { diag, DiagLogLevel } from '../lib/diag';
import { suppressTracing } from '../lib/suppress';
import { getSpan, getSpanContext, setSpan, setSpanContext, trace } from './api';
import { BatchSpanProcessor } from './batch-processor';
import type { IdGenerator } from './id-generator';
import { NonRecordingSpan } from './non-recording-span';
import { createTraceState } from './propagation/trace-state';
import { resourceFromAttributes } from './resource';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  type Sampler,
  type SamplingResult,
} from './sampler';
import type { ReadableSpan, SpanExporter, SpanProcessor } from './sdk-types';
import { RecordingSpan, type TracerState } from './span';
import { isSpanContextValid } from './span-context';
import { SdkTracer } from './tracer';
import type { Link, Span, SpanContext } from './types';

const KEY = Symbol.for('otelite');
const REMOTE: SpanContext = {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: 1,
  isRemote: true,
};

type LogFn = (message: string, ...args: unknown[]) => void;
let log: { error: Mock<LogFn>; warn: Mock<LogFn> };

beforeEach(() => {
  delete (globalThis as { [KEY]?: unknown })[KEY];
  log = { error: vi.fn<LogFn>(), warn: vi.fn<LogFn>() };
  diag.setLogger(log, DiagLogLevel.ALL);
});
afterEach(() => {
  vi.useRealTimers();
});

function setup(opts: { sampler?: Sampler; ids?: IdGenerator; processors?: SpanProcessor[] } = {}) {
  const proc = {
    onStart: vi.fn(),
    onEnd: vi.fn(),
    forceFlush: vi.fn(async () => {}),
    shutdown: vi.fn(async () => {}),
  } satisfies SpanProcessor;
  const state: TracerState = {
    r: resourceFromAttributes({}),
    s: { name: 'scope' },
    x: { a: 128, l: Infinity, e: 128, k: 128, ea: 128, la: 128 },
    p: opts.processors ?? [proc],
  };
  const tracer = new SdkTracer(state, opts.sampler ?? new AlwaysOnSampler(), opts.ids);
  return { tracer, proc };
}

function fixedSampler(result: SamplingResult): Sampler & { shouldSample: ReturnType<typeof vi.fn> } {
  return { shouldSample: vi.fn(() => result), toString: () => 'fixed' };
}

describe('startSpan: identity and parent', () => {
  it('a root span gets new valid ids and the sampled flag', () => {
    const { tracer } = setup();
    const s = tracer.startSpan('root') as RecordingSpan;
    const sc = s.spanContext();
    expect(isSpanContextValid(sc)).toBe(true);
    expect(sc.traceFlags & 1).toBe(1);
    expect(sc.isRemote).toBeFalsy();
    expect(s.parentSpanContext).toBeUndefined();
    expect(s.isRecording()).toBe(true);
  });

  it('two roots are two traces', () => {
    const { tracer } = setup();
    expect(tracer.startSpan('a').spanContext().traceId).not.toBe(tracer.startSpan('b').spanContext().traceId);
  });

  it('a child inherits the trace id and records its parent (explicit context)', () => {
    const { tracer } = setup();
    const parent = tracer.startSpan('parent');
    const child = tracer.startSpan('child', {}, setSpan(ROOT_CONTEXT, parent)) as RecordingSpan;
    expect(child.spanContext().traceId).toBe(parent.spanContext().traceId);
    expect(child.spanContext().spanId).not.toBe(parent.spanContext().spanId);
    expect(child.parentSpanContext).toBe(parent.spanContext());
  });

  it('uses the active context when none is given', () => {
    context.setGlobalContextManager(new StackContextManager());
    const { tracer } = setup();
    const parent = tracer.startSpan('parent');
    const child = context.with(setSpan(ROOT_CONTEXT, parent), () => tracer.startSpan('child')) as RecordingSpan;
    expect(child.parentSpanContext).toBe(parent.spanContext());
  });

  it('continues a remote parent', () => {
    const { tracer } = setup();
    const child = tracer.startSpan('server', { kind: 1 }, setSpanContext(ROOT_CONTEXT, REMOTE)) as RecordingSpan;
    expect(child.spanContext().traceId).toBe(REMOTE.traceId);
    expect(child.parentSpanContext).toBe(REMOTE);
    expect(child.spanContext().isRemote).toBeFalsy();
  });

  it('root: true ignores the parent in the context', () => {
    const { tracer } = setup();
    const child = tracer.startSpan('r', { root: true }, setSpanContext(ROOT_CONTEXT, REMOTE)) as RecordingSpan;
    expect(child.spanContext().traceId).not.toBe(REMOTE.traceId);
    expect(child.parentSpanContext).toBeUndefined();
  });

  it('root: true is a root for the sampler too (an unsampled parent does not decide)', () => {
    const { tracer } = setup({ sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }) });
    const ctx = setSpanContext(ROOT_CONTEXT, { ...REMOTE, traceFlags: 0 });
    expect(tracer.startSpan('child', {}, ctx).isRecording()).toBe(false);
    const root = tracer.startSpan('root', { root: true }, ctx);
    expect(root.isRecording()).toBe(true);
    expect(root.spanContext().traceFlags & 1).toBe(1);
  });

  it('root: true: the sampler and onStart see a context without the parent span', () => {
    const sampler = fixedSampler({ decision: 2 });
    const { tracer, proc } = setup({ sampler });
    const ctx = setSpanContext(ROOT_CONTEXT, REMOTE);
    tracer.startSpan('root', { root: true }, ctx);
    expect(getSpan(sampler.shouldSample.mock.calls[0][0])).toBeUndefined();
    expect(getSpan(proc.onStart.mock.calls[0][1])).toBeUndefined();
  });

  it('an invalid parent is ignored: a new trace starts', () => {
    const { tracer } = setup();
    const bad = setSpanContext(ROOT_CONTEXT, { ...REMOTE, spanId: '0'.repeat(16) });
    const s = tracer.startSpan('x', {}, bad) as RecordingSpan;
    expect(s.spanContext().traceId).not.toBe(REMOTE.traceId);
    expect(s.parentSpanContext).toBeUndefined();
    const alsoBad = setSpanContext(ROOT_CONTEXT, { ...REMOTE, traceId: 'XYZ' });
    expect((tracer.startSpan('y', {}, alsoBad) as RecordingSpan).parentSpanContext).toBeUndefined();
  });

  it("inherits the parent's trace state", () => {
    const { tracer } = setup();
    const ts = createTraceState('vendor=value');
    const s = tracer.startSpan('x', {}, setSpanContext(ROOT_CONTEXT, { ...REMOTE, traceState: ts }));
    expect(s.spanContext().traceState).toBe(ts);
  });

  it("takes the sampler's trace state over the parent's", () => {
    const mine = createTraceState('mine=1');
    const { tracer } = setup({ sampler: fixedSampler({ decision: 2, traceState: mine }) });
    const s = tracer.startSpan('x', {}, setSpanContext(ROOT_CONTEXT, { ...REMOTE, traceState: createTraceState('a=b') }));
    expect(s.spanContext().traceState).toBe(mine);
  });

  it('uses the id generator', () => {
    const ids = { generateTraceId: vi.fn(() => 'a'.repeat(32)), generateSpanId: vi.fn(() => 'b'.repeat(16)) };
    const { tracer } = setup({ ids });
    expect(tracer.startSpan('x').spanContext()).toMatchObject({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) });
    // a child only needs a span id
    tracer.startSpan('y', {}, setSpanContext(ROOT_CONTEXT, REMOTE));
    expect(ids.generateTraceId).toHaveBeenCalledTimes(1);
    expect(ids.generateSpanId).toHaveBeenCalledTimes(2);
  });

  it('sets the W3C Level 2 random-trace-id flag on new traces; children inherit it from the parent', () => {
    const { tracer } = setup();
    const root = tracer.startSpan('root');
    expect(root.spanContext().traceFlags & 2).toBe(2);
    const child = tracer.startSpan('child', {}, setSpan(ROOT_CONTEXT, root));
    expect(child.spanContext().traceFlags & 2).toBe(2);
    const remoteWithout = tracer.startSpan('c', {}, setSpanContext(ROOT_CONTEXT, { ...REMOTE, traceFlags: 1 }));
    expect(remoteWithout.spanContext().traceFlags).toBe(1);
    const remoteWith = tracer.startSpan('c', {}, setSpanContext(ROOT_CONTEXT, { ...REMOTE, traceFlags: 3 }));
    expect(remoteWith.spanContext().traceFlags).toBe(3);
    // other flag bits of the parent are not carried over (W3C: unknown flags are not propagated)
    const odd = tracer.startSpan('c', {}, setSpanContext(ROOT_CONTEXT, { ...REMOTE, traceFlags: 0xf1 }));
    expect(odd.spanContext().traceFlags).toBe(1);
  });

  it('kind defaults to INTERNAL; name is made a string', () => {
    const { tracer } = setup();
    const s = tracer.startSpan(7 as unknown as string) as RecordingSpan;
    expect(s.kind).toBe(0);
    expect(s.name).toBe('7');
    expect((tracer.startSpan('c', { kind: 3 }) as RecordingSpan).kind).toBe(3);
  });
});

describe('startSpan: sampling', () => {
  it('gives the sampler the context, trace id, name, kind, attributes and links', () => {
    const sampler = fixedSampler({ decision: 2 });
    const { tracer } = setup({ sampler });
    const ctx = setSpanContext(ROOT_CONTEXT, REMOTE);
    const links: Link[] = [{ context: REMOTE }];
    tracer.startSpan('op', { kind: 2, attributes: { a: 1 }, links }, ctx);
    expect(sampler.shouldSample).toHaveBeenCalledWith(ctx, REMOTE.traceId, 'op', 2, { a: 1 }, links);
  });

  it('gives the sampler empty attributes and links when there are none', () => {
    const sampler = fixedSampler({ decision: 2 });
    setup({ sampler }).tracer.startSpan('op');
    const [, traceId, , kind, attrs, links] = sampler.shouldSample.mock.calls[0];
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(kind).toBe(0);
    expect(attrs).toEqual({});
    expect(links).toEqual([]);
  });

  it('NOT_RECORD: a non-recording span with a valid new context, not sampled, no processor calls', () => {
    const { tracer, proc } = setup({ sampler: new AlwaysOffSampler() });
    const s = tracer.startSpan('dropped', {}, setSpanContext(ROOT_CONTEXT, REMOTE));
    expect(s).toBeInstanceOf(NonRecordingSpan);
    expect(s.isRecording()).toBe(false);
    const sc = s.spanContext();
    expect(isSpanContextValid(sc)).toBe(true);
    expect(sc.traceId).toBe(REMOTE.traceId); // still propagates the trace
    expect(sc.spanId).not.toBe(REMOTE.spanId);
    expect(sc.traceFlags & 1).toBe(0);
    s.end();
    expect(proc.onStart).not.toHaveBeenCalled();
    expect(proc.onEnd).not.toHaveBeenCalled();
  });

  it('RECORD: a recording span, not sampled, seen by processors', () => {
    const { tracer, proc } = setup({ sampler: fixedSampler({ decision: 1 }) });
    const s = tracer.startSpan('recorded');
    expect(s).toBeInstanceOf(RecordingSpan);
    expect(s.isRecording()).toBe(true);
    expect(s.spanContext().traceFlags & 1).toBe(0);
    s.end();
    expect(proc.onStart).toHaveBeenCalledTimes(1);
    expect(proc.onEnd).toHaveBeenCalledTimes(1);
  });

  it('RECORD: the batch processor does not export it', async () => {
    const exporter: SpanExporter = { export: vi.fn((_s, done) => done({ code: 0 })), shutdown: vi.fn(async () => {}) };
    const bsp = new BatchSpanProcessor(exporter);
    const { tracer } = setup({ sampler: fixedSampler({ decision: 1 }), processors: [bsp] });
    tracer.startSpan('recorded').end();
    await bsp.forceFlush();
    expect(exporter.export).not.toHaveBeenCalled();
    // a sampled one goes through
    const { tracer: t2 } = setup({ processors: [bsp] });
    t2.startSpan('sampled').end();
    await bsp.forceFlush();
    expect(exporter.export).toHaveBeenCalledTimes(1);
    await bsp.shutdown();
  });

  it('gives a sampler that reads trace ids a real one, for roots and for children of unread parents', () => {
    const ratio = fixedSampler({ decision: 2 });
    const { tracer } = setup({ sampler: new ParentBasedSampler({ root: ratio, localParentSampled: ratio }) });
    const root = tracer.startSpan('root');
    tracer.startSpan('child', {}, setSpan(ROOT_CONTEXT, root));
    const [first, second] = ratio.shouldSample.mock.calls.map((c) => c[1]);
    expect(first).toMatch(/^(?!0+$)[0-9a-f]{32}$/);
    expect(second).toBe(first);
    expect(root.spanContext().traceId).toBe(first);
  });

  it('an unsampled child of a parent not read yet still carries valid ids', () => {
    const { tracer } = setup({ sampler: new ParentBasedSampler({ root: new AlwaysOnSampler(), localParentSampled: new AlwaysOffSampler() }) });
    const parent = tracer.startSpan('parent');
    const child = tracer.startSpan('child', {}, setSpan(ROOT_CONTEXT, parent));
    expect(child).toBeInstanceOf(NonRecordingSpan);
    expect(isSpanContextValid(child.spanContext())).toBe(true);
    expect(child.spanContext().traceId).toBe(parent.spanContext().traceId);
  });

  it("adds the sampler's attributes to the span", () => {
    const { tracer } = setup({ sampler: fixedSampler({ decision: 2, attributes: { 'sampler.rule': 'r1' } }) });
    const s = tracer.startSpan('x', { attributes: { a: 1 } }) as RecordingSpan;
    expect(s.attributes).toMatchObject({ 'sampler.rule': 'r1', a: 1 });
  });
});

describe('startSpan: processors', () => {
  it('calls onStart with the span and the parent context', () => {
    const { tracer, proc } = setup();
    const ctx = setSpanContext(ROOT_CONTEXT, REMOTE);
    const s = tracer.startSpan('x', {}, ctx);
    expect(proc.onStart).toHaveBeenCalledWith(s, ctx);
  });

  it('sets start attributes before onStart sees the span', () => {
    let seen: unknown;
    const { tracer } = setup({
      processors: [
        {
          onStart: (s) => (seen = { ...s.attributes }),
          onEnd: () => {},
          forceFlush: async () => {},
          shutdown: async () => {},
        },
      ],
    });
    tracer.startSpan('x', { attributes: { a: 1 } });
    expect(seen).toEqual({ a: 1 });
  });

  it('a processor that throws in onStart does not reach the caller nor stop the others', () => {
    const second = { onStart: vi.fn(), onEnd: vi.fn(), forceFlush: async () => {}, shutdown: async () => {} };
    const { tracer } = setup({
      processors: [
        {
          onStart: () => {
            throw new Error('bad');
          },
          onEnd: () => {},
          forceFlush: async () => {},
          shutdown: async () => {},
        },
        second,
      ],
    });
    let s: Span | undefined;
    expect(() => (s = tracer.startSpan('x'))).not.toThrow();
    expect(s!.isRecording()).toBe(true);
    expect(second.onStart).toHaveBeenCalledTimes(1);
    expect(log.error).toHaveBeenCalled();
  });
});

describe('startSpan: never throws', () => {
  it('a throwing sampler gives a non-recording span and a diagnostic', () => {
    const sampler: Sampler = {
      shouldSample: () => {
        throw new Error('sampler bug');
      },
    };
    const { tracer, proc } = setup({ sampler });
    let s: Span | undefined;
    expect(() => (s = tracer.startSpan('x'))).not.toThrow();
    expect(s!.isRecording()).toBe(false);
    expect(proc.onStart).not.toHaveBeenCalled();
    expect(log.error).toHaveBeenCalled();
  });

  it('a throwing id generator gives a non-recording span and a diagnostic', () => {
    const ids: IdGenerator = {
      generateTraceId: () => {
        throw new Error('no crypto here');
      },
      generateSpanId: () => 'b'.repeat(16),
    };
    const { tracer } = setup({ ids });
    let s: Span | undefined;
    expect(() => (s = tracer.startSpan('x'))).not.toThrow();
    expect(s!.isRecording()).toBe(false);
    expect(log.error).toHaveBeenCalled();
  });

  it('startActiveSpan still runs fn when the span cannot start', () => {
    const sampler: Sampler = {
      shouldSample: () => {
        throw new Error('sampler bug');
      },
    };
    const { tracer } = setup({ sampler });
    expect(tracer.startActiveSpan('x', (s) => s.isRecording())).toBe(false);
  });
});

describe('startSpan: suppressed tracing', () => {
  it('gives a non-recording span without asking the sampler or the processors', () => {
    const sampler = fixedSampler({ decision: 2 });
    const { tracer, proc } = setup({ sampler });
    const s = tracer.startSpan('exporter request', {}, suppressTracing(ROOT_CONTEXT));
    expect(s.isRecording()).toBe(false);
    expect(sampler.shouldSample).not.toHaveBeenCalled();
    expect(proc.onStart).not.toHaveBeenCalled();
    s.end();
    expect(proc.onEnd).not.toHaveBeenCalled();
  });

  it('applies to the active context and to children of a recording parent', () => {
    context.setGlobalContextManager(new StackContextManager());
    const { tracer } = setup();
    const parent = tracer.startSpan('parent');
    const ctx = suppressTracing(setSpan(ROOT_CONTEXT, parent));
    expect(context.with(ctx, () => tracer.startSpan('child')).isRecording()).toBe(false);
    expect(tracer.startActiveSpan('child', {}, ctx, (s) => s.isRecording())).toBe(false);
  });

  it('is honoured when set by @opentelemetry/core (same key)', async () => {
    const core = await import('@opentelemetry/core');
    const { tracer } = setup();
    expect(tracer.startSpan('x', {}, core.suppressTracing(ROOT_CONTEXT)).isRecording()).toBe(false);
  });
});

describe('startActiveSpan on the SDK tracer', () => {
  beforeEach(() => {
    context.setGlobalContextManager(new StackContextManager());
  });

  it('makes the span active in fn, returns fn\'s value, restores the context after', () => {
    const { tracer } = setup();
    const r = tracer.startActiveSpan('outer', (span) => {
      expect(trace.getActiveSpan()).toBe(span);
      return 'value';
    });
    expect(r).toBe('value');
    expect(trace.getActiveSpan()).toBeUndefined();
  });

  it('nests: inner spans are children of outer ones', () => {
    const { tracer } = setup();
    tracer.startActiveSpan('a', (a) => {
      tracer.startActiveSpan('b', { kind: 2 }, (b) => {
        const c = tracer.startSpan('c') as RecordingSpan;
        expect((b as RecordingSpan).parentSpanContext).toBe(a.spanContext());
        expect(c.parentSpanContext).toBe(b.spanContext());
        expect((b as RecordingSpan).kind).toBe(2);
      });
    });
  });

  it('(name, options, context, fn) parents to the given context', () => {
    const { tracer } = setup();
    const ctx = setSpanContext(ROOT_CONTEXT, REMOTE);
    const span = tracer.startActiveSpan('x', {}, ctx, (s) => {
      expect(getSpanContext(context.active())).toBe(s.spanContext());
      return s;
    }) as RecordingSpan;
    expect(span.parentSpanContext).toBe(REMOTE);
  });

  it('without a function: starts nothing, returns undefined, reports, never throws', () => {
    const { tracer, proc } = setup();
    const t = tracer as unknown as { startActiveSpan(...a: unknown[]): unknown };
    expect(() => t.startActiveSpan('x')).not.toThrow();
    expect(t.startActiveSpan('x', {})).toBeUndefined();
    expect(t.startActiveSpan('x', {}, ROOT_CONTEXT, 'not a function')).toBeUndefined();
    expect(proc.onStart).not.toHaveBeenCalled();
    expect(log.warn).toHaveBeenCalledTimes(3);
  });

  it('does not end the span (the caller does)', () => {
    const { tracer, proc } = setup();
    const s = tracer.startActiveSpan('x', (span) => span);
    expect(s.isRecording()).toBe(true);
    expect(proc.onEnd).not.toHaveBeenCalled();
  });
});

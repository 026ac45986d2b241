import { describe, expect, it, vi } from 'vitest';
import { ROOT_CONTEXT } from '../context/context';
import { setSpanContext } from './api';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  parentBasedAlwaysOn,
  SamplingDecision,
  TraceIdRatioBasedSampler,
  type Sampler,
} from './sampler';
import type { Link, SpanContext } from './types';

const T = '0af7651916cd43dd8448eb211c80319c';

/** A trace id whose low 52 bits (the last 13 hex characters) are `low`. */
const withLow = (low: string, high = '0af7651916cd43dd8448e'): string => (high + low).slice(-32).padStart(32, '0');

describe('AlwaysOnSampler / AlwaysOffSampler', () => {
  it('always on records and samples', () => {
    const s = new AlwaysOnSampler();
    expect(s.shouldSample().decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(s.toString()).toBe('AlwaysOnSampler');
  });
  it('always off drops', () => {
    const s = new AlwaysOffSampler();
    expect(s.shouldSample().decision).toBe(SamplingDecision.NOT_RECORD);
    expect(s.toString()).toBe('AlwaysOffSampler');
  });
  it('decision numbers match otel-js', () => {
    expect(SamplingDecision).toEqual({ NOT_RECORD: 0, RECORD: 1, RECORD_AND_SAMPLED: 2 });
  });
  it('results are shared (no allocation per decision)', () => {
    const s = new AlwaysOnSampler();
    expect(s.shouldSample()).toBe(s.shouldSample());
    expect(new AlwaysOffSampler().shouldSample()).toBe(new AlwaysOffSampler().shouldSample());
  });
});

describe('TraceIdRatioBasedSampler', () => {
  const ids = ['0'.repeat(31) + '1', 'f'.repeat(32), T, withLow('7ffffffffffff'), withLow('8000000000000')];
  const decide = (s: Sampler, id: string): number => s.shouldSample(ROOT_CONTEXT, id, 'op', 0, {}, []).decision;

  it('ratio 0 samples nothing', () => {
    const s = new TraceIdRatioBasedSampler(0);
    for (const id of ids) expect(decide(s, id)).toBe(0);
  });

  it('ratio 1 samples everything, including the largest id', () => {
    const s = new TraceIdRatioBasedSampler(1);
    for (const id of ids) expect(decide(s, id)).toBe(2);
  });

  it('ratio 0.5 splits the id space at the middle of the low 52 bits', () => {
    const s = new TraceIdRatioBasedSampler(0.5);
    expect(decide(s, withLow('0000000000000'))).toBe(2);
    expect(decide(s, withLow('7ffffffffffff'))).toBe(2);
    expect(decide(s, withLow('8000000000000'))).toBe(0);
    expect(decide(s, withLow('fffffffffffff'))).toBe(0);
  });

  it('decides by the trace id alone: same id, same decision; the high bits do not matter', () => {
    const s = new TraceIdRatioBasedSampler(0.5);
    const a = withLow('1234567890abc', 'ffffffffffffffffffff');
    const b = withLow('1234567890abc', '0000000000000000000a');
    expect(decide(s, a)).toBe(decide(s, b));
    for (let i = 0; i < 5; i++) expect(decide(s, T)).toBe(decide(s, T));
    // another instance with the same ratio agrees (consistent across services)
    expect(decide(new TraceIdRatioBasedSampler(0.5), T)).toBe(decide(s, T));
  });

  it('a trace kept at a lower ratio is kept at every higher ratio', () => {
    const ratios = [0.01, 0.1, 0.25, 0.5, 0.9];
    for (let i = 0; i < 200; i++) {
      const id = randomTraceId();
      let kept = false;
      for (const r of ratios) {
        const d = decide(new TraceIdRatioBasedSampler(r), id);
        if (kept) expect(d).toBe(2);
        kept = d == 2;
      }
    }
  });

  it('samples about the ratio of random ids', () => {
    const s = new TraceIdRatioBasedSampler(0.25);
    let n = 0;
    for (let i = 0; i < 20_000; i++) n += decide(s, randomTraceId()) == 2 ? 1 : 0;
    expect(n / 20_000).toBeGreaterThan(0.23);
    expect(n / 20_000).toBeLessThan(0.27);
  });

  it.each([
    [NaN, 0, '0'],
    [-0.5, 0, '0'],
    [-Infinity, 0, '0'],
    [1.5, 1, '1'],
    [Infinity, 1, '1'],
  ])('clamps the ratio %s to %s', (ratio, eff, shown) => {
    const s = new TraceIdRatioBasedSampler(ratio);
    for (const id of ids) expect(decide(s, id)).toBe(eff ? 2 : 0);
    expect(s.toString()).toBe(`TraceIdRatioBased{${shown}}`);
  });

  it('defaults to 0 and describes itself', () => {
    expect(decide(new TraceIdRatioBasedSampler(), 'f'.repeat(32))).toBe(0);
    expect(new TraceIdRatioBasedSampler(0.5).toString()).toBe('TraceIdRatioBased{0.5}');
  });

  it('drops (does not throw on) a malformed trace id', () => {
    const s = new TraceIdRatioBasedSampler(1);
    expect(() => decide(s, 'zzzz')).not.toThrow();
    expect(decide(s, 'zzzz')).toBe(0);
  });
});

function randomTraceId(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

describe('ParentBasedSampler', () => {
  const sc = (isRemote: boolean, sampled: boolean): SpanContext => ({
    traceId: T,
    spanId: 'b7ad6b7169203331',
    traceFlags: sampled ? 1 : 0,
    isRemote,
  });

  function delegates() {
    const mk = (name: string, decision: 0 | 1 | 2): Sampler & { shouldSample: ReturnType<typeof vi.fn> } => ({
      shouldSample: vi.fn(() => ({ decision, attributes: { by: name } })),
      toString: () => name,
    });
    return {
      root: mk('root', 2),
      remoteParentSampled: mk('rps', 1),
      remoteParentNotSampled: mk('rpn', 2),
      localParentSampled: mk('lps', 0),
      localParentNotSampled: mk('lpn', 1),
    };
  }

  it.each([
    ['no parent', undefined, 'root'],
    ['remote sampled', sc(true, true), 'rps'],
    ['remote not sampled', sc(true, false), 'rpn'],
    ['local sampled', sc(false, true), 'lps'],
    ['local not sampled', sc(false, false), 'lpn'],
  ])('%s goes to its delegate', (_n, parent, who) => {
    const d = delegates();
    const s = new ParentBasedSampler(d);
    const ctx = parent ? setSpanContext(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
    const links: Link[] = [{ context: sc(true, true) }];
    const r = s.shouldSample(ctx, T, 'op', 2, { a: 1 }, links);
    expect(r.attributes).toEqual({ by: who });
    const called = Object.values(d).filter((x) => x.shouldSample.mock.calls.length);
    expect(called.map(String)).toEqual([who]);
    // the delegate sees everything the parent-based sampler was given
    expect(called[0].shouldSample).toHaveBeenCalledWith(ctx, T, 'op', 2, { a: 1 }, links);
  });

  it('an invalid parent counts as no parent', () => {
    const d = delegates();
    const ctx = setSpanContext(ROOT_CONTEXT, { ...sc(false, true), spanId: '0'.repeat(16) });
    new ParentBasedSampler(d).shouldSample(ctx, T, 'op', 0, {}, []);
    expect(d.root.shouldSample).toHaveBeenCalledTimes(1);
  });

  it('defaults: follow the parent\'s sampled flag, ask root for roots', () => {
    const s = new ParentBasedSampler({ root: new AlwaysOffSampler() });
    const decide = (parent?: SpanContext): number =>
      s.shouldSample(parent ? setSpanContext(ROOT_CONTEXT, parent) : ROOT_CONTEXT, T, 'op', 0, {}, []).decision;
    expect(decide()).toBe(0);
    expect(decide(sc(true, true))).toBe(2);
    expect(decide(sc(true, false))).toBe(0);
    expect(decide(sc(false, true))).toBe(2);
    expect(decide(sc(false, false))).toBe(0);
  });

  it('reads only the sampled bit of the trace flags', () => {
    const s = new ParentBasedSampler({ root: new AlwaysOffSampler() });
    const ctx = setSpanContext(ROOT_CONTEXT, { ...sc(true, true), traceFlags: 0x03 });
    expect(s.shouldSample(ctx, T, 'op', 0, {}, []).decision).toBe(2);
    const ctx2 = setSpanContext(ROOT_CONTEXT, { ...sc(true, false), traceFlags: 0x02 });
    expect(s.shouldSample(ctx2, T, 'op', 0, {}, []).decision).toBe(0);
  });

  it('with a ratio root, keeps the ratio for roots and follows parents', () => {
    const s = new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0) });
    expect(s.shouldSample(ROOT_CONTEXT, 'f'.repeat(32), 'op', 0, {}, []).decision).toBe(0);
    expect(s.shouldSample(setSpanContext(ROOT_CONTEXT, sc(true, true)), 'f'.repeat(32), 'op', 0, {}, []).decision).toBe(2);
  });

  it('describes itself with all five delegates', () => {
    expect(new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.1) }).toString()).toBe(
      'ParentBased{root=TraceIdRatioBased{0.1}, remoteParentSampled=AlwaysOnSampler, remoteParentNotSampled=AlwaysOffSampler, localParentSampled=AlwaysOnSampler, localParentNotSampled=AlwaysOffSampler}',
    );
  });
});

describe('parentBasedAlwaysOn (the provider default)', () => {
  const sc = (isRemote: boolean, traceFlags: number): SpanContext => ({ traceId: T, spanId: 'b7ad6b7169203331', traceFlags, isRemote });
  it('decides as ParentBasedSampler with an always-on root', () => {
    const reference = new ParentBasedSampler({ root: new AlwaysOnSampler() });
    const parents = [undefined, sc(true, 1), sc(true, 0), sc(false, 1), sc(false, 0), sc(true, 3), sc(false, 2), { ...sc(false, 1), spanId: '0'.repeat(16) }];
    for (const p of parents) {
      const ctx = p ? setSpanContext(ROOT_CONTEXT, p) : ROOT_CONTEXT;
      expect(parentBasedAlwaysOn.shouldSample(ctx, T, 'op', 0, {}, []).decision, JSON.stringify(p)).toBe(
        reference.shouldSample(ctx, T, 'op', 0, {}, []).decision,
      );
    }
    expect(String(parentBasedAlwaysOn)).toBe('ParentBased{root=AlwaysOnSampler}');
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { ROOT_CONTEXT } from '../context/context';
import { setSpanContext } from './api';
import { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler, type Sampler } from './sampler';
import { samplerFromName } from './sampler-name';

describe('samplerFromName', () => {
  afterEach(() => vi.restoreAllMocks());

  it('makes the OTEL_TRACES_SAMPLER samplers, parent-based by default', () => {
    expect(String(samplerFromName())).toMatch(/^ParentBased\{root=AlwaysOnSampler/);
    expect(String(samplerFromName('always_off'))).toBe('AlwaysOffSampler');
    expect(String(samplerFromName('traceidratio', '0.25'))).toBe('TraceIdRatioBased{0.25}');
    expect(String(samplerFromName(' ParentBased_TraceIdRatio ', 0.5))).toMatch(/^ParentBased\{root=TraceIdRatioBased\{0.5\}/);
  });

  it("describes itself as the root's class does, wrapped as ParentBased{root=…}", () => {
    expect(String(samplerFromName())).toBe('ParentBased{root=AlwaysOnSampler}');
    expect(String(samplerFromName('parentbased_always_off'))).toBe('ParentBased{root=AlwaysOffSampler}');
    expect(String(samplerFromName('parentbased_traceidratio', '0.25'))).toBe('ParentBased{root=TraceIdRatioBased{0.25}}');
    expect(String(samplerFromName('always_on'))).toBe(String(new AlwaysOnSampler()));
    expect(String(samplerFromName('always_off'))).toBe(String(new AlwaysOffSampler()));
    expect(String(samplerFromName('traceidratio', 0.5))).toBe(String(new TraceIdRatioBasedSampler(0.5)));
  });

  it('takes a blank or missing ratio as unset: 1, without a warning', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    for (const arg of [undefined, '', ' ', ' \t\n']) {
      const s = samplerFromName('traceidratio', arg);
      expect([arg, String(s)]).toEqual([arg, 'TraceIdRatioBased{1}']);
      expect(s.shouldSample(ROOT_CONTEXT, '0af7651916cd43dd8448eb211c80319c', 'x', 0, {}, []).decision).toBe(2);
    }
    expect(String(samplerFromName('parentbased_traceidratio', ' '))).toBe('ParentBased{root=TraceIdRatioBased{1}}');
    expect(warn).not.toHaveBeenCalled();
    // padded numbers are numbers; a zero is zero
    expect(String(samplerFromName('traceidratio', ' 0.5 '))).toBe('TraceIdRatioBased{0.5}');
    expect(String(samplerFromName('traceidratio', 0))).toBe('TraceIdRatioBased{0}');
    expect(String(samplerFromName('traceidratio', '0'))).toBe('TraceIdRatioBased{0}');
    expect(warn).not.toHaveBeenCalled();
    // invalid: 1, with a warning (the spec)
    expect(String(samplerFromName('traceidratio', 'x'))).toBe('TraceIdRatioBased{1}');
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('returns a sampler object as it is', () => {
    const s = new AlwaysOnSampler();
    expect(samplerFromName(s)).toBe(s);
  });

  it('warns and falls back on an unknown name or a bad ratio', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(String(samplerFromName('jaeger_remote'))).toMatch(/^ParentBased\{root=AlwaysOnSampler/);
    expect(String(samplerFromName('traceidratio', '2'))).toBe('TraceIdRatioBased{1}');
    expect(warn).toHaveBeenCalledTimes(2);
  });

  it('decides as the sampler classes it stands for', () => {
    const hex = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');
    const parent = (flags: number, isRemote: boolean) =>
      setSpanContext(ROOT_CONTEXT, { traceId: hex(32), spanId: hex(16), traceFlags: flags, isRemote });
    const ctxs = [ROOT_CONTEXT, parent(1, true), parent(0, true), parent(1, false), parent(0, false)];
    const pairs: [string, number | undefined, Sampler][] = [
      ['always_on', undefined, new AlwaysOnSampler()],
      ['always_off', undefined, new AlwaysOffSampler()],
      ['traceidratio', 0.3, new TraceIdRatioBasedSampler(0.3)],
      ['parentbased_always_on', undefined, new ParentBasedSampler({ root: new AlwaysOnSampler() })],
      ['parentbased_always_off', undefined, new ParentBasedSampler({ root: new AlwaysOffSampler() })],
      ['parentbased_traceidratio', 0.3, new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.3) })],
    ];
    for (const [name, arg, ref] of pairs) {
      const s = samplerFromName(name, arg);
      for (let i = 0; i < 200; i++) {
        const ctx = ctxs[i % ctxs.length]!;
        const id = hex(32);
        expect([name, i, s.shouldSample(ctx, id, 'x', 0, {}, []).decision]).toEqual([name, i, ref.shouldSample(ctx, id, 'x', 0, {}, []).decision]);
      }
    }
    // only a ratio strictly between 0 and 1 reads the trace id (the tracer may skip making it)
    expect([0, 0.5, 1].map((r) => (samplerFromName('traceidratio', r) as { r?: boolean }).r)).toEqual([true, false, true]);
    expect(samplerFromName('traceidratio', 0).shouldSample(ROOT_CONTEXT, '', 'x', 0, {}, []).decision).toBe(0);
    expect(samplerFromName('always_on').shouldSample(ROOT_CONTEXT, '', 'x', 0, {}, []).decision).toBe(2);
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { AlwaysOnSampler } from './sampler';
import { samplerFromName } from './sampler-name';

describe('samplerFromName', () => {
  afterEach(() => vi.restoreAllMocks());

  it('makes the OTEL_TRACES_SAMPLER samplers, parent-based by default', () => {
    expect(String(samplerFromName())).toMatch(/^ParentBased\{root=AlwaysOnSampler/);
    expect(String(samplerFromName('always_off'))).toBe('AlwaysOffSampler');
    expect(String(samplerFromName('traceidratio', '0.25'))).toBe('TraceIdRatioBased{0.25}');
    expect(String(samplerFromName(' ParentBased_TraceIdRatio ', 0.5))).toMatch(/^ParentBased\{root=TraceIdRatioBased\{0.5\}/);
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
});

import { warnConfig } from '../lib/diag';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
} from './sampler';

/**
 * The sampler that `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG` (or the `sampler` /
 * `samplerArg` config keys) name, as the OpenTelemetry SDK configuration spec defines them.
 * An unknown name or a bad ratio warns once and falls back to the default,
 * `parentbased_always_on`, or a ratio of 1. A sampler object (the config's other form) is
 * returned as it is, so every config reader resolves the key with this one call.
 */
export function samplerFromName(name?: string | Sampler, arg?: number | string): Sampler {
  if (name && typeof name == 'object') return name;
  const ratio = (): Sampler => {
    const r = arg === undefined || arg === '' ? 1 : Number(arg);
    if (r >= 0 && r <= 1) return new TraceIdRatioBasedSampler(r);
    warnConfig('samplerArg', arg, 1);
    return new TraceIdRatioBasedSampler(1);
  };
  const roots: Record<string, () => Sampler> = {
    always_on: () => new AlwaysOnSampler(),
    always_off: () => new AlwaysOffSampler(),
    traceidratio: ratio,
  };
  const n = (name || 'parentbased_always_on').trim().toLowerCase();
  const root = roots[n.replace(/^parentbased_/, '')];
  if (!root) {
    warnConfig('sampler', name, 'parentbased_always_on');
    return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
  return n.startsWith('parentbased_') ? new ParentBasedSampler({ root: root() }) : root();
}

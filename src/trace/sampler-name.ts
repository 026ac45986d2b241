import { warnConfig } from '../lib/diag';
import type { Context } from '../context/types';
import { OFF, ON, type Sampler, type SamplingResult } from './sampler';
import { contextOf, parentOf } from './span';

/**
 * The sampler that `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG` (or the `sampler` /
 * `samplerArg` config keys) name, as the OpenTelemetry SDK configuration spec defines them.
 * An unknown name or a bad ratio warns once and falls back to the default,
 * `parentbased_always_on`, or a ratio of 1; a blank or missing ratio is unset, so 1 without a
 * warning. A sampler object (the config's other form) is returned as it is, so every config
 * reader resolves the key with this one call.
 *
 * The named samplers decide as `AlwaysOnSampler`, `AlwaysOffSampler`,
 * `TraceIdRatioBasedSampler` and `ParentBasedSampler` with its default delegates do (a child
 * follows its parent's sampled flag, remote or local); they are one small object rather than
 * those classes, so that a bundle that only names its sampler (a Worker, the snippet) does not
 * carry the five of them. Their `toString()` is the root's description as its class gives it
 * (`AlwaysOnSampler`, `AlwaysOffSampler`, `TraceIdRatioBased{0.25}`), wrapped as
 * `ParentBased{root=…}` for the `parentbased_` names: shorter than `ParentBasedSampler`'s,
 * which lists all five delegates, and the same as the provider's default sampler gives.
 */
export function samplerFromName(name?: string | Sampler, arg?: number | string): Sampler {
  if (name && typeof name == 'object') return name;
  let n = (name || 'parentbased_always_on').trim().toLowerCase();
  let pb = n.startsWith('parentbased_');
  if (pb) n = n.slice(12);
  // a blank argument is unset, as an empty variable is (Number(' ') is 0: nothing sampled)
  let r = n == 'always_on' ? 1 : n == 'always_off' ? 0 : n == 'traceidratio' ? (/\S/.test((arg ?? '') as string) ? +arg! : 1) : NaN;
  if (!(r >= 0 && r <= 1)) {
    if (n == 'traceidratio') warnConfig('samplerArg', arg, 1);
    else (warnConfig('sampler', name, 'parentbased_always_on'), (pb = true), (n = 'always_on'));
    r = 1;
  }
  // a ratio strictly between 0 and 1 is the only case that reads the trace id
  const x = r > 0 && r < 1;
  const b = r * 2 ** 52;
  const root = n == 'traceidratio' ? `TraceIdRatioBased{${r}}` : r ? 'AlwaysOnSampler' : 'AlwaysOffSampler';
  return {
    // does not read the trace id (the tracer may then make it later)
    r: !x,
    shouldSample(ctx: Context, traceId: string): SamplingResult {
      const ps = pb && parentOf(ctx);
      // the last 13 hex digits (52 random bits, as TraceIdRatioBasedSampler reads them)
      return (ps ? contextOf(ps).traceFlags & 1 : x ? parseInt(traceId.slice(-13), 16) < b : r) ? ON : OFF;
    },
    toString: () => (pb ? `ParentBased{root=${root}}` : root),
  } as Sampler;
}

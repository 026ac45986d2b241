import type { Context } from '../context/types';
import type { Attributes } from '../lib/types';
import { contextOf, parentOf } from './span';
import type { Link, SpanKind, TraceState } from './types';

/** A sampler's decision; the numbers match otel-js's `SamplingDecision`. */
export const SamplingDecision = {
  NOT_RECORD: 0,
  RECORD: 1,
  RECORD_AND_SAMPLED: 2,
} as const;
/** One of the {@link SamplingDecision} values. */
export type SamplingDecision = (typeof SamplingDecision)[keyof typeof SamplingDecision];

/** What a sampler returns. */
export interface SamplingResult {
  /** Drop, record only, or record and export. */
  decision: SamplingDecision;
  /** Attributes to add to the span. */
  attributes?: Readonly<Attributes>;
  /** The trace state the span gets (the parent's when absent). */
  traceState?: TraceState;
}

/** Decides which spans are recorded and exported. Same shape as otel-js's `Sampler`. */
export interface Sampler {
  /** Decides for a span about to start. */
  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult;
  /** A description, such as `AlwaysOnSampler`. */
  toString(): string;
}

/** @internal Shared results: deciding must not allocate on the hot path. Only the tracer reads them. */
export const ON: SamplingResult = { decision: 2 };
/** @internal See {@link ON}. */
export const OFF: SamplingResult = { decision: 0 };

/** Samples every span. */
export class AlwaysOnSampler implements Sampler {
  /** @internal does not read the trace id (the tracer may then make it later) */
  readonly r = true;
  /** {@inheritDoc Sampler.shouldSample} */
  shouldSample(): SamplingResult {
    return ON;
  }
  /** {@inheritDoc Sampler.toString} */
  toString(): string {
    return 'AlwaysOnSampler';
  }
}

/** Samples no span. */
export class AlwaysOffSampler implements Sampler {
  /** @internal does not read the trace id */
  readonly r = true;
  /** {@inheritDoc Sampler.shouldSample} */
  shouldSample(): SamplingResult {
    return OFF;
  }
  /** {@inheritDoc Sampler.toString} */
  toString(): string {
    return 'AlwaysOffSampler';
  }
}

/**
 * Samples a fixed ratio of traces, decided by the trace id alone so every service that uses
 * the same ratio keeps or drops the same traces. It reads the last 13 hex characters (52
 * bits, exact in a double): W3C Trace Context Level 2 makes the right-most 7 bytes of a trace
 * id random, which is what the spec's consistent-probability sampling relies on too.
 */
export class TraceIdRatioBasedSampler implements Sampler {
  private readonly b: number;
  /** @param ratio - between 0 and 1; anything else is clamped (NaN counts as 0) */
  constructor(private readonly ratio = 0) {
    this.ratio = ratio >= 0 ? Math.min(ratio, 1) : 0;
    this.b = this.ratio * 2 ** 52;
  }
  /** {@inheritDoc Sampler.shouldSample} */
  shouldSample(_c: Context, traceId: string): SamplingResult {
    return parseInt(traceId.slice(-13), 16) < this.b ? ON : OFF;
  }
  /** {@inheritDoc Sampler.toString} */
  toString(): string {
    return `TraceIdRatioBased{${this.ratio}}`;
  }
}

/**
 * The default sampler of `TracerProvider`: what `new ParentBasedSampler({ root: new
 * AlwaysOnSampler() })` decides (a root is sampled, a child follows its parent's sampled flag),
 * in the few bytes that takes, so that the sampler classes stay out of bundles that do not use
 * them. It does not read the trace id (`r`).
 */
export const parentBasedAlwaysOn = {
  r: true,
  shouldSample(ctx: Context): SamplingResult {
    const ps = parentOf(ctx);
    return !ps || contextOf(ps).traceFlags & 1 ? ON : OFF;
  },
  toString: (): string => 'ParentBased{root=AlwaysOnSampler}',
} as Sampler;

/** The delegates of a {@link ParentBasedSampler}. */
export interface ParentBasedSamplerConfig {
  /** For spans with no parent. */
  root: Sampler;
  /** Remote parent, sampled (default always on). */
  remoteParentSampled?: Sampler;
  /** Remote parent, not sampled (default always off). */
  remoteParentNotSampled?: Sampler;
  /** Local parent, sampled (default always on). */
  localParentSampled?: Sampler;
  /** Local parent, not sampled (default always off). */
  localParentNotSampled?: Sampler;
}

/** The delegates' keys, in the order of their index in `ParentBasedSampler`. */
const KEYS = ['root', 'remoteParentSampled', 'remoteParentNotSampled', 'localParentSampled', 'localParentNotSampled'] as const;

/** Follows the parent's decision; asks `root` for spans without a parent. */
export class ParentBasedSampler implements Sampler {
  private readonly s: Sampler[];
  /** @internal does not read the trace id: none of its delegates does */
  readonly r: boolean;
  /** @param config - the five delegates; only `root` is required */
  constructor(config: ParentBasedSamplerConfig) {
    // odd indexes are the "sampled" cases (always on by default), even ones "not sampled"
    this.s = KEYS.map((k, i) => config[k] || (i & 1 ? new AlwaysOnSampler() : new AlwaysOffSampler()));
    this.r = this.s.every((d) => (d as { r?: boolean }).r);
  }
  /** {@inheritDoc Sampler.shouldSample} */
  shouldSample(
    ctx: Context,
    traceId: string,
    name: string,
    kind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult {
    const ps = parentOf(ctx);
    const p = ps && contextOf(ps);
    const i = p ? (p.isRemote ? 1 : 3) + (p.traceFlags & 1 ? 0 : 1) : 0;
    return this.s[i].shouldSample(ctx, traceId, name, kind, attributes, links);
  }
  /** {@inheritDoc Sampler.toString} */
  toString(): string {
    return `ParentBased{${KEYS.map((k, i) => k + '=' + this.s[i]).join(', ')}}`;
  }
}

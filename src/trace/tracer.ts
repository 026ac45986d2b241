import { context } from '../context/api';
import type { Context } from '../context/types';
import { report } from '../lib/diag';
import { isTracingSuppressed } from '../lib/suppress';
import type { Attributes } from '../lib/types';
import { deleteSpan, startActiveSpan } from './api';
import { hexId, pool, RandomIdGenerator, reserve, type IdGenerator } from './id-generator';
import { NonRecordingSpan } from './non-recording-span';
import type { Sampler } from './sampler';
import { parentOf, RecordingSpan, writeIds, type TracerState } from './span';
import type { Link, Span, SpanContext, SpanOptions, Tracer } from './types';

// Shared empty inputs for spans started without options: the sampler reads them, nothing writes.
const NO_OPTIONS: SpanOptions = {};
const NO_ATTRIBUTES: Attributes = {};
const NO_LINKS: Link[] = [];

/** The SDK's tracer. Get one from `TracerProvider.getTracer`. */
export class SdkTracer implements Tracer {
  /**
   * @param t - what this tracer's spans share
   * @param sampler - decides which spans record
   * @param ids - makes ids
   */
  constructor(
    private readonly t: TracerState,
    private readonly sampler: Sampler,
    private readonly ids: IdGenerator,
  ) {}

  /**
   * The built-in id generator is used: ids are made from random bytes when first read (see
   * `RecordingSpan.spanContext`), not at start.
   */
  private readonly l = this.ids.constructor == RandomIdGenerator;

  /** {@inheritDoc Tracer.startSpan} */
  startSpan(name: string, options?: SpanOptions, ctx?: Context): Span {
    try {
      const o = options || NO_OPTIONS;
      ctx ||= context.active();
      if (isTracingSuppressed(ctx)) return new NonRecordingSpan();
      // root: a new trace for the sampler and the processors too (both read the parent from ctx)
      if (o.root) ctx = deleteSpan(ctx);
      const parent = parentOf(ctx);
      const s = this.sampler;
      const lazy = this.l;
      // 8 bytes for the span id, 16 for the trace id of a root
      const z = lazy ? reserve(24) : 0;
      const y = lazy ? pool : undefined;
      let traceId = parent ? parent.traceId : '';
      // a sampler that does not read the trace id of roots (`r`: always on, always off, parent
      // based with either as root) lets a root's trace id wait too
      if (!traceId && !(y && (s as { r?: boolean }).r)) traceId = y ? hexId(y, z + 8, 16) : this.ids.generateTraceId();
      const kind = o.kind || 0;
      const res = s.shouldSample(ctx, traceId, name, kind, o.attributes || NO_ATTRIBUTES, o.links || NO_LINKS);
      const sc: SpanContext = {
        traceId,
        spanId: y ? '' : this.ids.generateSpanId(),
        // bit 1 is W3C Level 2's "random trace id": true of ids we make, inherited otherwise
        traceFlags: (res.decision == 2 ? 1 : 0) | (parent ? parent.traceFlags & 2 : 2),
        traceState: res.traceState || parent?.traceState,
      };
      if (!res.decision) return new NonRecordingSpan(y ? writeIds(sc, y, z) : sc);
      const span = new RecordingSpan(this.t, sc, String(name), kind, parent, o.startTime, o.links, y, z);
      if (res.attributes) span.setAttributes(res.attributes);
      if (o.attributes) span.setAttributes(o.attributes);
      for (const p of this.t.p) {
        try {
          p.onStart(span, ctx);
        } catch (e) {
          report(0, 'onStart', e);
        }
      }
      return span;
    } catch (e) {
      // A broken sampler or id generator must not take the host down with it.
      report(0, 'startSpan', e);
      return new NonRecordingSpan();
    }
  }

  /** {@inheritDoc Tracer.startActiveSpan} */
  startActiveSpan = startActiveSpan as Tracer['startActiveSpan'];
}

import { context } from '../context/api';
import type { Context } from '../context/types';
import { report } from '../lib/diag';
import { isTracingSuppressed } from '../lib/suppress';
import type { Attributes } from '../lib/types';
import { deleteSpan, startActiveSpan } from './api';
import { at, hexId, reserve, type IdGenerator } from './id-generator';
import { NonRecordingSpan } from './non-recording-span';
import type { Sampler } from './sampler';
import { contextOf, NONE, parentOf, RecordingSpan, writeIds, type TracerState } from './span';
import type { Link, Span, SpanContext, SpanOptions, Tracer } from './types';

// Shared empty input for spans started without options (as options and as attributes): the
// sampler reads it, nothing writes.
const EMPTY: SpanOptions & Attributes = {};

/** The SDK's tracer. Get one from `TracerProvider.getTracer`. */
export class SdkTracer implements Tracer {
  /**
   * @param t - what this tracer's spans share
   * @param s - decides which spans record
   * @param i - makes ids; none: the built-in random ids, made from random bytes when first read
   *   (see `RecordingSpan.spanContext`), not at start
   */
  constructor(
    private readonly t: TracerState,
    private readonly s: Sampler,
    private readonly i?: IdGenerator,
  ) {}

  /** {@inheritDoc Tracer.startSpan} */
  startSpan(name: string, options?: SpanOptions, ctx?: Context): Span {
    try {
      const o = options || EMPTY;
      const s = this.s;
      ctx ||= context.active();
      if (isTracingSuppressed(ctx)) return new NonRecordingSpan();
      // root: a new trace for the sampler and the processors too (both read the parent from ctx)
      if (o.root) ctx = deleteSpan(ctx);
      // the parent's context as it is (an SDK parent's ids may not be written out yet)
      const ps = parentOf(ctx);
      const parent = ps && contextOf(ps);
      // built-in ids: 8 random bytes for the span id, 16 more for the trace id of a root, at `at` in `y`
      const i = this.i;
      const y = i ? undefined : reserve(ps ? 8 : 24);
      const z = at;
      let traceId = parent ? parent.traceId : '';
      // A trace id not written out yet (a root's, or a parent's) stays so when the sampler does
      // not read it (`r`: always on, always off, parent based with only those as delegates).
      if (!traceId && !(y && (s as { r?: boolean }).r)) {
        traceId = ps ? ps.spanContext().traceId : y ? hexId(y, z + 8, 16) : i!.generateTraceId();
      }
      const kind = o.kind || 0;
      const res = s.shouldSample(ctx, traceId, name, kind, o.attributes || EMPTY, o.links || (NONE as Link[]));
      const sc: SpanContext = {
        traceId,
        spanId: i ? i.generateSpanId() : '',
        // bit 0 "sampled" (RECORD_AND_SAMPLED is 2, the only decision with bit 1 set); bit 1 is W3C
        // Level 2's "random trace id": true of ids we make, inherited otherwise
        traceFlags: (res.decision >> 1) | (parent ? parent.traceFlags & 2 : 2),
        traceState: res.traceState || parent?.traceState,
      };
      if (!res.decision) return new NonRecordingSpan(y ? writeIds(sc, y, z, ps?.spanContext()) : sc);
      const pp = ps instanceof RecordingSpan ? ps : parent;
      // (String() is a builtin call, even on a string)
      const nm = typeof name == 'string' ? name : String(name);
      const span = new RecordingSpan(this.t, sc, nm, kind, pp, o.startTime, o.links, y, z);
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

  /** @internal `startActiveSpan` was called without a function */
  w(): void {
    report(1, 'startActiveSpan without a function');
  }
}

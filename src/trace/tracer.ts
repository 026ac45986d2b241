import { context } from '../context/api';
import type { Context } from '../context/types';
import { report } from '../lib/diag';
import { isTracingSuppressed } from '../lib/suppress';
import { deleteSpan, getSpanContext, startActiveSpan } from './api';
import type { IdGenerator } from './id-generator';
import { NonRecordingSpan } from './non-recording-span';
import type { Sampler } from './sampler';
import { isSpanContextValid } from './span-context';
import { RecordingSpan, type TracerState } from './span';
import type { Span, SpanContext, SpanOptions, Tracer } from './types';

const NO_LINKS: never[] = [];

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

  /** {@inheritDoc Tracer.startSpan} */
  startSpan(name: string, opts?: SpanOptions, ctx?: Context): Span {
    try {
      ctx ||= context.active();
      if (isTracingSuppressed(ctx)) return new NonRecordingSpan();
      // root: a new trace for the sampler and the processors too (both read the parent from ctx)
      if (opts?.root) ctx = deleteSpan(ctx);
      let parent = getSpanContext(ctx);
      if (!isSpanContextValid(parent)) parent = undefined;
      const traceId = parent ? parent.traceId : this.ids.generateTraceId();
      const spanId = this.ids.generateSpanId();
      const kind = opts?.kind ?? 0;
      const attrs = opts?.attributes ?? {};
      const res = this.sampler.shouldSample(ctx, traceId, name, kind, attrs, opts?.links ?? NO_LINKS);
      const sc: SpanContext = {
        traceId,
        spanId,
        // bit 1 is W3C Level 2's "random trace id": true of ids we make, inherited otherwise
        traceFlags: (res.decision == 2 ? 1 : 0) | (parent ? parent.traceFlags & 2 : 2),
        traceState: res.traceState ?? parent?.traceState,
      };
      if (!res.decision) return new NonRecordingSpan(sc);
      const span = new RecordingSpan(this.t, sc, String(name), kind, parent, opts?.startTime, opts?.links);
      if (res.attributes) span.setAttributes(res.attributes);
      if (opts?.attributes) span.setAttributes(opts.attributes);
      const p = this.t.p;
      for (let i = 0; i < p.length; i++) {
        try {
          p[i].onStart(span, ctx);
        } catch (e) {
          report(0, 'span processor onStart failed', e);
        }
      }
      return span;
    } catch (e) {
      // A broken sampler or id generator must not take the host down with it.
      report(0, 'startSpan failed', e);
      return new NonRecordingSpan();
    }
  }

  /** {@inheritDoc Tracer.startActiveSpan} */
  startActiveSpan = startActiveSpan as Tracer['startActiveSpan'];
}

import { report } from '../lib/diag';
import type { ReadableSpan, SpanExporter, SpanProcessor } from './sdk-types';

/** Exports each sampled span as soon as it ends. For tests and development; use the batch processor in production. */
export class SimpleSpanProcessor implements SpanProcessor {
  private readonly pending = new Set<Promise<void>>();
  private down = false;

  /** @param e - where spans go */
  constructor(private readonly e: SpanExporter) {}

  /** {@inheritDoc SpanProcessor.onStart} */
  onStart(): void {}

  /** {@inheritDoc SpanProcessor.onEnd} */
  onEnd(span: ReadableSpan): void {
    if (this.down || !(span.spanContext().traceFlags & 1)) return;
    const p = new Promise<void>((done) => {
      try {
        this.e.export([span], (r) => {
          if (r.code) report(0, 'export failed', r.error);
          done();
        });
      } catch (err) {
        report(0, 'export failed', err);
        done();
      }
    });
    this.pending.add(p);
    p.then(() => this.pending.delete(p));
  }

  /** {@inheritDoc SpanProcessor.forceFlush} */
  async forceFlush(): Promise<void> {
    await Promise.all(this.pending);
    await this.e.forceFlush?.();
  }

  /** {@inheritDoc SpanProcessor.shutdown} */
  async shutdown(): Promise<void> {
    // the spec: after shutdown, onEnd is ignored and the exporter is shut down once
    if (this.down) return;
    this.down = true;
    await this.forceFlush();
    await this.e.shutdown();
  }
}

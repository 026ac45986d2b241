import type { Span, SpanContext } from './types';
import { INVALID_SPAN_CONTEXT } from './span-context';

/**
 * A span that records nothing but carries a span context: the API's no-op span, the wrapper
 * around a remote parent, and what an unsampled start returns.
 */
export class NonRecordingSpan implements Span {
  /** @param c - the span context to carry */
  constructor(private readonly c: SpanContext = INVALID_SPAN_CONTEXT) {}
  /** {@inheritDoc Span.spanContext} */
  spanContext(): SpanContext {
    return this.c;
  }
  /** {@inheritDoc Span.setAttribute} */
  setAttribute(): this {
    return this;
  }
  /** {@inheritDoc Span.setAttributes} */
  setAttributes(): this {
    return this;
  }
  /** {@inheritDoc Span.addEvent} */
  addEvent(): this {
    return this;
  }
  /** {@inheritDoc Span.addLink} */
  addLink(): this {
    return this;
  }
  /** {@inheritDoc Span.addLinks} */
  addLinks(): this {
    return this;
  }
  /** {@inheritDoc Span.setStatus} */
  setStatus(): this {
    return this;
  }
  /** {@inheritDoc Span.updateName} */
  updateName(): this {
    return this;
  }
  /** {@inheritDoc Span.end} */
  end(): void {}
  /** {@inheritDoc Span.isRecording} */
  isRecording(): boolean {
    return false;
  }
  /** {@inheritDoc Span.recordException} */
  recordException(): void {}
}

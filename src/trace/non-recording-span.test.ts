import { describe, expect, it } from 'vitest';
import { NonRecordingSpan } from './non-recording-span';
import { INVALID_SPAN_CONTEXT } from './span-context';
import type { SpanContext } from './types';

const SC: SpanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1, isRemote: true };

describe('NonRecordingSpan', () => {
  it('carries the invalid span context by default', () => {
    expect(new NonRecordingSpan().spanContext()).toBe(INVALID_SPAN_CONTEXT);
  });

  it('carries the span context it wraps, unchanged', () => {
    expect(new NonRecordingSpan(SC).spanContext()).toBe(SC);
  });

  it('records nothing, and every method is chainable or void, and never throws', () => {
    const s = new NonRecordingSpan(SC);
    expect(s.isRecording()).toBe(false);
    expect(s.setAttribute()).toBe(s);
    expect(s.setAttributes()).toBe(s);
    expect(s.addEvent()).toBe(s);
    expect(s.addLink()).toBe(s);
    expect(s.addLinks()).toBe(s);
    expect(s.setStatus()).toBe(s);
    expect(s.updateName()).toBe(s);
    expect(s.recordException()).toBeUndefined();
    expect(s.end()).toBeUndefined();
    s.end();
    expect(s.isRecording()).toBe(false);
    expect(s.spanContext()).toBe(SC);
  });

  it('accepts the Span API arguments through the interface', () => {
    const s: import('./types').Span = new NonRecordingSpan();
    expect(() =>
      s
        .setAttribute('k', 'v')
        .setAttributes({ a: 1 })
        .addEvent('e', { a: 1 }, Date.now())
        .addLink({ context: SC })
        .setStatus({ code: 2, message: 'm' })
        .updateName('n'),
    ).not.toThrow();
    s.recordException(new Error('x'));
    s.end(Date.now());
  });
});

/*
 * Test helpers for the instrumentation tests (not part of any entry point): an SDK registered
 * globally with the stack manager and W3C propagators, exporting into an array.
 */
import { context } from '../../context/api';
import { StackContextManager } from '../../context/stack';
import { propagation } from '../../trace/propagation/api';
import { trace } from '../../trace/api';
import { TracerProvider } from '../../trace/provider';
import type { ReadableSpan } from '../../trace/sdk-types';
import { SimpleSpanProcessor } from '../../trace/simple-processor';

/** Spans exported so far. */
export const spans: ReadableSpan[] = [];

/** (Re)registers a provider whose spans land in {@link spans}. */
export function registerSdk(): TracerProvider {
  trace.disable();
  context.disable();
  propagation.disable();
  const p = new TracerProvider({
    spanProcessors: [
      new SimpleSpanProcessor({
        export: (s, done) => {
          spans.push(...s);
          done({ code: 0 });
        },
        shutdown: async () => {},
      }),
    ],
  });
  p.register({ contextManager: new StackContextManager() });
  return p;
}

/** The `traceparent` header of `span`. */
export const traceparentOf = (span: ReadableSpan): string =>
  `00-${span.spanContext().traceId}-${span.spanContext().spanId}-0${span.spanContext().traceFlags}`;

// Span start + 3 attributes + end, and three nested startActiveSpan under an
// AsyncLocalStorage context manager: otelite against @opentelemetry/sdk-trace-base with the
// same processor setup (a batch processor in front of an exporter that does nothing).
import * as otel from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { trace, type Tracer } from 'otelite';
import { AsyncContextManager } from 'otelite/context/async';
import { compare } from './lib';
import { spanCases } from './span-case';

const { ours, theirs, cases } = spanCases();
const flushOurs = () => ours.forceFlush();
const flushTheirs = () => theirs.forceFlush();

// Short rounds (well under a scheduler time slice on a busy machine, so few of them are
// preempted) and many of them.
export const results = [await compare('span start + 3 attributes + end', cases, { batch: 1000, rounds: 41, warmup: 10 })];

// Nested active spans need each side's context manager and provider installed globally; the
// tracers are taken after that on both sides (no proxy tracer in the way).
ours.register({ contextManager: new AsyncContextManager() });
otel.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
otel.trace.setGlobalTracerProvider(theirs);
const a1: Tracer = trace.getTracer('bench');
const a2 = otel.trace.getTracer('bench');
results.push(
  await compare(
    '3 nested startActiveSpan (AsyncLocalStorage)',
    [
      {
        name: 'otelite',
        fn: () =>
          a1.startActiveSpan('a', (a) =>
            a1.startActiveSpan('b', (b) =>
              a1.startActiveSpan('c', (c) => {
                c.end();
                b.end();
                a.end();
              }),
            ),
          ),
        reset: flushOurs,
      },
      {
        name: 'opentelemetry-js',
        fn: () =>
          a2.startActiveSpan('a', (a) =>
            a2.startActiveSpan('b', (b) =>
              a2.startActiveSpan('c', (c) => {
                c.end();
                b.end();
                a.end();
              }),
            ),
          ),
        reset: flushTheirs,
      },
    ],
    { batch: 500, rounds: 41, warmup: 10 },
  ),
);

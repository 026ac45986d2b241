// Span start + 3 attributes + end, and three nested startActiveSpan under an
// AsyncLocalStorage context manager: otelite against @opentelemetry/sdk-trace-base with the
// same processor setup (a batch processor in front of an exporter that does nothing).
import * as otel from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import * as otelBase from '@opentelemetry/sdk-trace-base';
import { trace, type Tracer } from 'otelite';
import { AsyncContextManager } from 'otelite/context/async';
import { BatchSpanProcessor, TracerProvider } from 'otelite/trace';
import { compare } from './lib';

const ours = new TracerProvider({
  spanProcessors: [new BatchSpanProcessor({ export: (_s, done) => done({ code: 0 }), shutdown: async () => {} })],
});
const theirs = new otelBase.BasicTracerProvider({
  spanProcessors: [
    new otelBase.BatchSpanProcessor({ export: (_s, done) => done({ code: 0 }), shutdown: async () => {} }),
  ],
});
const t1 = ours.getTracer('bench');
const t2 = theirs.getTracer('bench');
const flushOurs = () => ours.forceFlush();
const flushTheirs = () => theirs.forceFlush();

// The same code for both sides, written out twice: one shared function would make its call
// sites polymorphic (two tracer and span classes) and slow both sides down unevenly.
// Short rounds (well under a scheduler time slice on a busy machine, so few of them are
// preempted) and many of them; under 512 spans per round, so neither batch processor starts an
// export inside a timed round (both export in the untimed forceFlush between rounds).
export const results = [
  await compare('span start + 3 attributes + end', [
    {
      name: 'otelite',
      fn: () => {
        const s = t1.startSpan('op');
        s.setAttribute('http.request.method', 'GET');
        s.setAttribute('http.response.status_code', 200);
        s.setAttribute('url.full', 'https://example.com/a');
        s.end();
      },
      reset: flushOurs,
    },
    {
      name: 'opentelemetry-js',
      fn: () => {
        const s = t2.startSpan('op');
        s.setAttribute('http.request.method', 'GET');
        s.setAttribute('http.response.status_code', 200);
        s.setAttribute('url.full', 'https://example.com/a');
        s.end();
      },
      reset: flushTheirs,
    },
  ], { batch: 1000, rounds: 41, warmup: 10 }),
];

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

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
  ]),
];

// Nested active spans need each side's context manager installed globally.
ours.register({ contextManager: new AsyncContextManager() });
otel.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const a1 = trace.getTracer('bench');
// the same call shape on both sides; typed as ours so one helper drives both
const a2 = otel.trace.getTracer('bench') as unknown as Tracer;
const nested = (t: Tracer) => () =>
  t.startActiveSpan('a', (a) =>
    t.startActiveSpan('b', (b) =>
      t.startActiveSpan('c', (c) => {
        c.end();
        b.end();
        a.end();
      }),
    ),
  );
otel.trace.setGlobalTracerProvider(theirs);
results.push(
  await compare('3 nested startActiveSpan (AsyncLocalStorage)', [
    { name: 'otelite', fn: nested(a1), reset: flushOurs },
    { name: 'opentelemetry-js', fn: nested(a2), reset: flushTheirs },
  ]),
);

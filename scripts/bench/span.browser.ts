// The first case of trace.bench.ts (span start + 3 attributes + end) in Chromium, where most
// spans are born: otelite against @opentelemetry/sdk-trace-base with the same processor setup,
// in the same page, alternating. Bundled and run by scripts/bench-browser.mjs. (The nested case
// needs AsyncLocalStorage, which pages do not have: it stays in trace.bench.ts.)
import * as otelBase from '@opentelemetry/sdk-trace-base';
import { BatchSpanProcessor, TracerProvider } from 'otelite/trace';
import { compare } from './lib';

// Rounds of 2000 spans (well above the 5 µs clock step of an isolated page), so both queues take
// a round whole: no export starts inside a timed round (both export in the untimed reset).
const queue = { maxQueueSize: 4096, maxExportBatchSize: 4096 };
const ours = new TracerProvider({
  spanProcessors: [new BatchSpanProcessor({ export: (_s, done) => done({ code: 0 }), shutdown: async () => {} }, queue)],
});
const theirs = new otelBase.BasicTracerProvider({
  spanProcessors: [
    new otelBase.BatchSpanProcessor({ export: (_s, done) => done({ code: 0 }), shutdown: async () => {} }, queue),
  ],
});
const t1 = ours.getTracer('bench');
const t2 = theirs.getTracer('bench');

// written out twice, as in trace.bench.ts (one shared function would make its calls polymorphic)
(globalThis as { done?: Promise<unknown> }).done = compare(
  'span start + 3 attributes + end (Chromium)',
  [
    {
      name: 'otelite',
      fn: () => {
        const s = t1.startSpan('op');
        s.setAttribute('http.request.method', 'GET');
        s.setAttribute('http.response.status_code', 200);
        s.setAttribute('url.full', 'https://example.com/a');
        s.end();
      },
      reset: () => ours.forceFlush(),
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
      reset: () => theirs.forceFlush(),
    },
  ],
  { batch: 2000, rounds: 41, warmup: 10 },
);

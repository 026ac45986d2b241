// The "span start + 3 attributes + end" comparison, shared by the Node bench (trace.bench.ts)
// and the Chromium one (span.browser.ts): otelite against @opentelemetry/sdk-trace-base, each
// with a batch processor in front of an exporter that does nothing.
import * as otelBase from '@opentelemetry/sdk-trace-base';
import { BatchSpanProcessor, TracerProvider } from 'otelite/trace';
import type { Case } from './lib';

/**
 * Queues that take a whole timed round (up to 4096 spans) on both sides: exports start only in
 * the untimed reset between rounds, never inside one.
 */
const queue = { maxQueueSize: 4096, maxExportBatchSize: 4096 };

/** Both providers (the nested bench registers them) and the two cases. */
export function spanCases() {
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
  // The same code for both sides, written out twice: one shared function would make its call
  // sites polymorphic (two tracer and span classes) and slow both sides down unevenly.
  const cases: Case[] = [
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
  ];
  return { ours, theirs, cases };
}

/**
 * Added cost per fetch() call: otelite's fetch instrumentation against opentelemetry-js's
 * (@opentelemetry/instrumentation-fetch) in the same process, on a stub fetch that resolves at
 * once, so that only the instrumentation is timed. Both sides: a tracer provider with a batch
 * processor in front of an exporter that does nothing, the stack context manager, W3C trace
 * context + baggage propagators, trace headers injected (every URL allowed), a plain init
 * object with one header. The call is awaited, so each side's response handling counts too.
 *
 * otel-js's fetch instrumentation runs in Node (it only needs PerformanceObserver, which Node
 * has); so does otelite's. Both wait for a resource timing entry that a stub never produces:
 * otel-js with a PerformanceObserver and a 300 ms timer per request, otelite with one shared
 * observer and a 1 s timer per request (at most 500 waiting).
 *
 *   npx vitest bench --run src/instrumentations/fetch/fetch.bench.ts
 *
 * Added cost = (instrumented − stub alone); the report prints the ratio of the added costs.
 */
import * as otel from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { FetchInstrumentation } from '@opentelemetry/instrumentation-fetch';
import * as otelBase from '@opentelemetry/sdk-trace-base';
import { StackContextManager as OtelStack } from '@opentelemetry/sdk-trace-web';
import { afterAll, bench, describe } from 'vitest';
import { BatchSpanProcessor, TracerProvider } from '../../trace/index';
import { fetchInstrumentation } from './fetch';

const stub = (): Promise<Response> => Promise.resolve(new Response(null, { status: 200 }));
const saved = globalThis.fetch;

// otelite
new TracerProvider({
  spanProcessors: [new BatchSpanProcessor({ export: (_s, done) => done({ code: 0 }), shutdown: async () => {} })],
}).register();
globalThis.fetch = stub;
fetchInstrumentation({ propagateTo: [/./] }).enable();
const ours = globalThis.fetch;

// opentelemetry-js
const provider = new otelBase.BasicTracerProvider({
  spanProcessors: [new otelBase.BatchSpanProcessor({ export: (_s, done) => done({ code: 0 }), shutdown: async () => {} })],
});
otel.trace.setGlobalTracerProvider(provider);
otel.context.setGlobalContextManager(new OtelStack().enable());
otel.propagation.setGlobalPropagator(
  new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
);
globalThis.fetch = stub;
const inst = new FetchInstrumentation({ propagateTraceHeaderCorsUrls: [/./] });
inst.setTracerProvider(provider);
inst.enable();
const theirs = globalThis.fetch;
globalThis.fetch = saved;

if (ours === stub || theirs === stub) throw new Error('an instrumentation did not patch fetch');

const URL_ = 'https://api.example.com/items?id=1';
const init = () => ({ method: 'GET', headers: { accept: 'application/json' } });

const cases: [string, () => Promise<unknown>][] = [
  ['stub', stub],
  ['otelite', () => ours(URL_, init())],
  ['otel', () => theirs(URL_, init())],
];

/**
 * Durations (ms) of each case's calls, timed in the last task, which runs the three in turn so
 * that a load on the machine weighs on all alike (vitest 4 does not hand a task's samples to
 * per-task hooks). The same timing overhead on every case cancels out in the differences.
 */
const samples: Record<string, number[]> = { stub: [], otelite: [], otel: [] };
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
const opts = { time: 1500 };

describe('fetch() with a stub that resolves at once', () => {
  bench('stub alone', async () => void (await stub()), opts);
  bench('otelite', async () => void (await ours(URL_, init())), opts);
  bench('opentelemetry-js', async () => void (await theirs(URL_, init())), opts);
  bench(
    'the three in turn (the ratio printed below)',
    async () => {
      for (const [name, call] of cases) {
        const t = performance.now();
        await call();
        samples[name].push(performance.now() - t);
      }
    },
    { time: 3000 },
  );
});

afterAll(() => {
  const [base, otelite, otel] = [samples.stub, samples.otelite, samples.otel].map((a) => a.length && median(a));
  if (base && otelite && otel) {
    const a = otelite - base;
    const b = otel - base;
    console.log(`added per call (medians): otelite ${(a * 1e3).toFixed(2)} µs, opentelemetry-js ${(b * 1e3).toFixed(2)} µs: ${(b / a).toFixed(1)}x less`);
  }
});

/*
 * Recording cost: otelite's metrics SDK against opentelemetry-js's sdk-metrics, in the same
 * process, same instruments, same attribute sets, one reader each (cumulative, never
 * collected during the run: the cost measured is the hot path alone).
 *
 *   npx vitest bench --run --project unit src/metrics/metrics.bench.ts
 *
 * Each bench iteration makes 100 calls: one call is far below the harness's own per-iteration
 * cost (a timer read and bookkeeping, about a microsecond), which would otherwise be most of
 * what is measured and flatten the ratio.
 */
import { MeterProvider as OtelMeterProvider, MetricReader as OtelMetricReader } from '@opentelemetry/sdk-metrics';
import { bench, describe } from 'vitest';
import { ManualMetricReader, MeterProvider } from './index';

class OtelReader extends OtelMetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const ours = new MeterProvider({ readers: [new ManualMetricReader()] }).getMeter('bench');
const theirs = new OtelMeterProvider({ readers: [new OtelReader()] }).getMeter('bench');

const same = { 'http.request.method': 'GET', 'url.path': '/api/items', 'http.response.status_code': 200 };
const rotating = Array.from({ length: 10 }, (_, i) => ({
  'http.request.method': i % 2 ? 'POST' : 'GET',
  'url.path': '/api/items/' + i,
  'http.response.status_code': 200,
}));

const oc = ours.createCounter('requests');
const tc = theirs.createCounter('requests');
const oh = ours.createHistogram('duration', { unit: 'ms' });
const th = theirs.createHistogram('duration', { unit: 'ms' });

const opts = { time: 1500, warmupTime: 300 };
const N = 100;

describe('counter.add, same attributes (x100)', () => {
  bench('otelite', () => {
    for (let i = 0; i < N; i++) oc.add(1, same);
  }, opts);
  bench('sdk-metrics', () => {
    for (let i = 0; i < N; i++) tc.add(1, same);
  }, opts);
});

describe('counter.add, 10 rotating attribute sets (x100)', () => {
  bench('otelite', () => {
    for (let i = 0; i < N; i++) oc.add(1, rotating[i % 10]);
  }, opts);
  bench('sdk-metrics', () => {
    for (let i = 0; i < N; i++) tc.add(1, rotating[i % 10]);
  }, opts);
});

// the common real-world form: a fresh object literal per call (values from a small set)
const routes = rotating.map((a) => a['url.path']);
describe('counter.add, fresh literal per call (x100)', () => {
  bench('otelite', () => {
    for (let i = 0; i < N; i++) oc.add(1, { 'http.request.method': 'GET', 'url.path': routes[i % 10] });
  }, opts);
  bench('sdk-metrics', () => {
    for (let i = 0; i < N; i++) tc.add(1, { 'http.request.method': 'GET', 'url.path': routes[i % 10] });
  }, opts);
});

describe('histogram.record, same attributes (x100)', () => {
  bench('otelite', () => {
    for (let i = 0; i < N; i++) oh.record(i * 3, same);
  }, opts);
  bench('sdk-metrics', () => {
    for (let i = 0; i < N; i++) th.record(i * 3, same);
  }, opts);
});

describe('histogram.record, 10 rotating attribute sets (x100)', () => {
  bench('otelite', () => {
    for (let i = 0; i < N; i++) oh.record(i * 3, rotating[i % 10]);
  }, opts);
  bench('sdk-metrics', () => {
    for (let i = 0; i < N; i++) th.record(i * 3, rotating[i % 10]);
  }, opts);
});

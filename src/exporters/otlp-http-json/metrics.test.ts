import { gunzipSync } from 'node:zlib';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { validateOtlp } from '../../../test/e2e/harness/otlp-schema';
import { PeriodicExportingMetricReader } from '../../metrics/periodic-reader';
import { MeterProvider } from '../../metrics/provider';
import type { ResourceMetrics } from '../../metrics/sdk-types';
import { ManualMetricReader } from '../../metrics/testing';
import { resourceFromAttributes } from '../../trace/resource';
import { encodeMetric, encodeMetrics, OTLPMetricExporter } from './metrics';

const KEY = Symbol.for('otelite');
const T0 = 1_700_000_000_000;
const URL_ = 'http://collector.test/v1/metrics';

/*
 * A page, as far as lib/page-exit.ts can tell (it installs its listeners with the global
 * `addEventListener`, once per module instance).
 */
const listeners: Record<string, Array<() => void>> = {};
const doc = { visibilityState: 'visible' };
const fire = (type: string): void => listeners[type]?.forEach((f) => f());

interface Req {
  keepalive: boolean;
  type: string | null;
  encoding: string | null;
  body: { resourceMetrics: unknown[] };
}
const reqs: Req[] = [];
const server = setupServer(
  http.post(URL_, async ({ request }) => {
    const raw = new Uint8Array(await request.arrayBuffer());
    const gz = request.headers.get('content-encoding') == 'gzip';
    reqs.push({
      keepalive: request.keepalive,
      type: request.headers.get('content-type'),
      encoding: request.headers.get('content-encoding'),
      body: JSON.parse(new TextDecoder().decode(gz ? gunzipSync(raw) : raw)),
    });
    return new HttpResponse(null, { status: 200 });
  }),
);

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());
beforeEach(() => {
  delete (globalThis as { [KEY]?: unknown })[KEY];
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  reqs.length = 0;
});

/** One collection of every instrument kind, with fake time. */
async function collectAll(temporality: 'cumulative' | 'delta' = 'cumulative'): Promise<ResourceMetrics> {
  vi.useFakeTimers({ now: T0 });
  const reader = new ManualMetricReader({ temporality, cardinalityLimit: 3 });
  const provider = new MeterProvider({
    readers: [reader],
    resource: resourceFromAttributes({ 'service.name': 'shop' }),
  });
  const m = provider.getMeter('app', '1.2.3', { schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' });
  vi.advanceTimersByTime(1);
  m.createCounter('requests', { description: 'Requests served', unit: '{request}', valueType: 0 }).add(3, {
    'http.request.method': 'GET',
    'http.response.status_code': 200,
    ok: true,
    tags: ['a', 'b'],
    ratio: 0.5,
  });
  const bytes = m.createCounter('bytes', { unit: 'By' });
  bytes.add(0.5);
  bytes.add(0);
  m.createUpDownCounter('queue', { valueType: 0 }).add(-2);
  m.createGauge('temperature', { unit: 'Cel' }).record(-1.25, { room: 'a' });
  const h = m.createHistogram('http.server.request.duration', { unit: 's', advice: { explicitBucketBoundaries: [0.1, 1] } });
  h.record(0.05);
  h.record(0.5);
  h.record(7);
  const lcp = m.createHistogram('lcp', { unit: 'ms' });
  for (let i = 0; i < 5; i++) lcp.record(1000 * i, { i }); // 3 sets + overflow
  m.createObservableGauge('heap', { unit: 'By', valueType: 0 }).addCallback((r) => r.observe(123456789012, { kind: 'js' }));
  m.createObservableCounter('cpu.time', { unit: 's' }).addCallback((r) => r.observe(1.5));
  m.createObservableUpDownCounter('connections').addCallback((r) => r.observe(0));
  provider.getMeter('other').createCounter('c').add(1);
  vi.advanceTimersByTime(1000);
  const rm = await reader.collect();
  vi.useRealTimers();
  return rm;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON, checked by the expectations
type Json = any;
const byName = (body: { resourceMetrics: Array<{ scopeMetrics: Array<{ metrics: Array<{ name: string }> }> }> }): Record<string, Json> =>
  Object.fromEntries(body.resourceMetrics.flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics.map((m) => [m.name, m]))));

describe('encodeMetrics', () => {
  it('writes sums, gauges and histograms exactly as the OTLP JSON mapping says', async () => {
    const body = JSON.parse(encodeMetrics(await collectAll()));
    expect(body.resourceMetrics).toHaveLength(1);
    const rm = body.resourceMetrics[0];
    expect(rm.resource.attributes).toContainEqual({ key: 'service.name', value: { stringValue: 'shop' } });
    expect(rm.scopeMetrics.map((s: { scope: unknown; schemaUrl?: string }) => [s.scope, s.schemaUrl])).toEqual([
      [{ name: 'app', version: '1.2.3' }, 'https://opentelemetry.io/schemas/1.26.0'],
      [{ name: 'other' }, undefined],
    ]);
    const start = '1700000000001000000';
    const end = '1700000001001000000';
    const m = byName(body);
    expect(m.requests).toEqual({
      name: 'requests',
      description: 'Requests served',
      unit: '{request}',
      sum: {
        dataPoints: [
          {
            attributes: [
              { key: 'http.request.method', value: { stringValue: 'GET' } },
              { key: 'http.response.status_code', value: { intValue: '200' } },
              { key: 'ok', value: { boolValue: true } },
              { key: 'ratio', value: { doubleValue: 0.5 } },
              { key: 'tags', value: { arrayValue: { values: [{ stringValue: 'a' }, { stringValue: 'b' }] } } },
            ],
            startTimeUnixNano: start,
            timeUnixNano: end,
            asInt: '3',
          },
        ],
        aggregationTemporality: 2,
        isMonotonic: true,
      },
    });
    expect(m.bytes).toEqual({
      name: 'bytes',
      unit: 'By',
      sum: {
        dataPoints: [{ startTimeUnixNano: start, timeUnixNano: end, asDouble: 0.5 }],
        aggregationTemporality: 2,
        isMonotonic: true,
      },
    });
    // not monotonic: the field is left out (its default); the value is written even when 0
    expect(m.queue.sum).toEqual({
      dataPoints: [{ startTimeUnixNano: start, timeUnixNano: end, asInt: '-2' }],
      aggregationTemporality: 2,
    });
    expect(m.connections.sum.dataPoints[0].asDouble).toBe(0);
    expect(m.temperature).toEqual({
      name: 'temperature',
      unit: 'Cel',
      gauge: {
        dataPoints: [
          {
            attributes: [{ key: 'room', value: { stringValue: 'a' } }],
            startTimeUnixNano: start,
            timeUnixNano: end,
            asDouble: -1.25,
          },
        ],
      },
    });
    expect(m['http.server.request.duration']).toEqual({
      name: 'http.server.request.duration',
      unit: 's',
      histogram: {
        dataPoints: [
          {
            startTimeUnixNano: start,
            timeUnixNano: end,
            count: '3',
            sum: 7.55,
            bucketCounts: ['1', '1', '1'],
            explicitBounds: [0.1, 1],
            min: 0.05,
            max: 7,
          },
        ],
        aggregationTemporality: 2,
      },
    });
    expect(m.lcp.histogram.dataPoints.map((p: { attributes: unknown; count: string }) => [p.attributes, p.count])).toEqual([
      [[{ key: 'i', value: { intValue: '0' } }], '1'],
      [[{ key: 'i', value: { intValue: '1' } }], '1'],
      [[{ key: 'i', value: { intValue: '2' } }], '1'],
      [[{ key: 'otel.metric.overflow', value: { boolValue: true } }], '2'],
    ]);
    expect(m.heap.gauge.dataPoints[0].asInt).toBe('123456789012');
    expect(m['cpu.time'].sum).toMatchObject({ isMonotonic: true, aggregationTemporality: 2 });
  });

  it('writes delta as aggregationTemporality 1', async () => {
    const m = byName(JSON.parse(encodeMetrics(await collectAll('delta'))));
    expect(m.requests.sum.aggregationTemporality).toBe(1);
    expect(m['http.server.request.duration'].histogram.aggregationTemporality).toBe(1);
    expect(m.queue.sum.aggregationTemporality).toBe(2); // up-down counters stay cumulative
  });

  it('keeps huge, fractional and odd values apart from asInt', () => {
    const point = (value: number) => ({ startTime: T0, endTime: T0, attributes: {}, value });
    const metric = (value: number) =>
      JSON.parse(
        encodeMetric({
          descriptor: { name: 'x', description: '', unit: '', type: 'GAUGE', valueType: 0 },
          aggregationTemporality: 1,
          dataPointType: 2,
          dataPoints: [point(value)],
        }),
      ).gauge.dataPoints[0];
    expect(metric(2 ** 53)).toMatchObject({ asInt: '9007199254740992' });
    expect(metric(1e18)).toMatchObject({ asInt: '1000000000000000000' });
    expect(metric(1e19)).toMatchObject({ asDouble: 1e19 }); // beyond int64
    expect(metric(-1e19)).toMatchObject({ asDouble: -1e19 });
    expect(metric(0)).toMatchObject({ asInt: '0' });
  });

  it('is valid against the official OTLP protobuf schema', async () => {
    for (const t of ['cumulative', 'delta'] as const) {
      expect(validateOtlp('metrics', JSON.parse(encodeMetrics(await collectAll(t))))).toEqual([]);
    }
  });
});

describe('OTLPMetricExporter', () => {
  it('POSTs gzip JSON to /v1/metrics, through a PeriodicExportingMetricReader', async () => {
    const exporter = new OTLPMetricExporter({ endpoint: 'http://collector.test' });
    const provider = new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: Infinity })] });
    provider.getMeter('m').createCounter('c').add(1);
    await provider.forceFlush();
    expect(reqs).toHaveLength(1);
    expect(reqs[0]).toMatchObject({ type: 'application/json', encoding: 'gzip' });
    expect(validateOtlp('metrics', reqs[0].body)).toEqual([]);
    expect(byName(reqs[0].body as never).c.sum.dataPoints[0].asDouble).toBe(1);
    await provider.shutdown();
  });

  it('asks for the temporality of its preference', () => {
    expect(new OTLPMetricExporter().selectAggregationTemporality('COUNTER')).toBe(1);
    const delta = new OTLPMetricExporter({ temporalityPreference: 'delta' });
    expect(delta.selectAggregationTemporality('COUNTER')).toBe(0);
    expect(delta.selectAggregationTemporality('UP_DOWN_COUNTER')).toBe(1);
    const low = new OTLPMetricExporter({ temporalityPreference: 'LowMemory' });
    expect(low.selectAggregationTemporality('OBSERVABLE_COUNTER')).toBe(1);
    expect(low.selectAggregationTemporality('HISTOGRAM')).toBe(0);
  });

  it('does not export an empty collection', async () => {
    const exporter = new OTLPMetricExporter({ endpoint: 'http://collector.test' });
    const done = vi.fn();
    exporter.export({ resource: resourceFromAttributes({}), scopeMetrics: [] }, done);
    expect(done).toHaveBeenCalledWith({ code: 0 });
    await exporter.forceFlush();
    expect(reqs).toHaveLength(0);
  });

  it('sends at pagehide and again at visibilitychange, at once and with keepalive', async () => {
    vi.stubGlobal('document', doc);
    vi.stubGlobal('addEventListener', (type: string, fn: () => void) => (listeners[type] ||= []).push(fn));
    const f = globalThis.fetch;
    let calls = 0;
    vi.stubGlobal('fetch', (u: string, init: RequestInit) => {
      calls++;
      return f(u, init);
    });
    const exporter = new OTLPMetricExporter({ endpoint: 'http://collector.test', temporalityPreference: 'delta' });
    const provider = new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter })] });
    const m = provider.getMeter('web-vitals');
    m.createHistogram('lcp').record(1200);
    fire('pagehide');
    expect(calls).toBe(1); // synchronously, in the event
    m.createHistogram('inp').record(80); // web-vitals reports INP at visibilitychange
    doc.visibilityState = 'hidden';
    fire('visibilitychange');
    expect(calls).toBe(2);
    for (let i = 0; i < 200 && reqs.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
    expect(reqs.map((r) => [r.keepalive, Object.keys(byName(r.body as never))])).toEqual([
      [true, ['lcp']],
      [true, ['inp']],
    ]);
    for (const r of reqs) expect(validateOtlp('metrics', r.body)).toEqual([]);
    doc.visibilityState = 'visible';
    fire('pageshow');
    await provider.shutdown();
  });
});

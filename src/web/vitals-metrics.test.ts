import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resourceFromAttributes } from '../trace/resource';
import { vitalsMetrics } from './vitals-metrics';

type Body = { resourceMetrics: { resource: { attributes: { key: string; value: Record<string, unknown> }[] }; scopeMetrics: { scope: { name: string }; metrics: Record<string, unknown>[] }[] }[] };
let sent: Body[];

beforeEach(() => {
  sent = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    expect(url).toBe('http://127.0.0.1:4318/v1/metrics');
    sent.push(JSON.parse(new TextDecoder().decode(init.body as Uint8Array)));
    return new Response('{}', { status: 200 });
  });
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

const config = { endpoint: 'http://127.0.0.1:4318', compression: 'none' as const };
const nav = { 'browser.web_vital.navigation_type': 'navigate' };
const metricsOf = (b: Body) => b.resourceMetrics.flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics));

describe('vitalsMetrics', () => {
  it('exports each vital as an OTLP cumulative histogram with the vitals buckets, on forceFlush', async () => {
    const v = vitalsMetrics(resourceFromAttributes({ 'service.name': 'shop' }), config);
    v.record('lcp', 1234.5, nav);
    v.record('cls', 0.07, nav);
    v.record('lcp', 3000, nav);
    await v.forceFlush();
    expect(sent).toHaveLength(1);
    const [rm] = sent[0].resourceMetrics;
    expect(Object.fromEntries(rm.resource.attributes.map((a) => [a.key, Object.values(a.value)[0]]))).toMatchObject({
      'service.name': 'shop',
      'telemetry.sdk.name': 'otelite',
    });
    expect(rm.scopeMetrics[0].scope.name).toBe('otelite/web-vitals');
    const [lcp, cls] = metricsOf(sent[0]) as { name: string; unit: string; histogram: { aggregationTemporality: number; dataPoints: Record<string, unknown>[] } }[];
    expect(lcp).toMatchObject({ name: 'browser.web_vital.lcp', unit: 'ms', description: 'Web vital LCP' });
    expect(lcp.histogram.aggregationTemporality).toBe(2);
    const [p] = lcp.histogram.dataPoints;
    expect(p).toMatchObject({ count: '2', sum: 4234.5, min: 1234.5, max: 3000 });
    const bounds = p.explicitBounds as number[];
    expect(bounds).toEqual([0, 50, 100, 200, 300, 500, 800, 1000, 1400, 1800, 2500, 3000, 4000, 6000, 10000, 20000]);
    // 1234.5 in (1000, 1400], 3000 in (2500, 3000]
    const counts = (p.bucketCounts as string[]).map(Number);
    expect(counts).toHaveLength(bounds.length + 1);
    expect(counts[bounds.indexOf(1400)]).toBe(1);
    expect(counts[bounds.indexOf(3000)]).toBe(1);
    expect(counts.reduce((a, b) => a + b)).toBe(2);
    expect(p.attributes).toEqual([{ key: 'browser.web_vital.navigation_type', value: { stringValue: 'navigate' } }]);
    expect(cls).toMatchObject({ name: 'browser.web_vital.cls', unit: '1' });
    expect((cls.histogram.dataPoints[0].explicitBounds as number[]).at(-1)).toBe(1);
    await v.shutdown();
  });

  it('sends only what changed since the last export, cumulative', async () => {
    const v = vitalsMetrics(resourceFromAttributes({}), config);
    await v.forceFlush();
    expect(sent).toEqual([]);
    v.record('fcp', 100, nav);
    v.record('ttfb', 20, nav);
    await v.forceFlush();
    v.record('fcp', 300, nav);
    await v.forceFlush();
    expect(sent.map((b) => metricsOf(b).map((m) => m.name))).toEqual([
      ['browser.web_vital.fcp', 'browser.web_vital.ttfb'],
      ['browser.web_vital.fcp'],
    ]);
    const p = (metricsOf(sent[1])[0] as { histogram: { dataPoints: Record<string, unknown>[] } }).histogram.dataPoints[0];
    expect(p).toMatchObject({ count: '2', sum: 400, min: 100, max: 300 });
    await v.shutdown();
  });

  it.each(['delta', ' LowMemory '])('temporalityPreference %j: delta histograms, reset after each export', async (pref) => {
    const v = vitalsMetrics(resourceFromAttributes({}), { ...config, temporalityPreference: pref });
    v.record('fcp', 100, nav);
    v.record('ttfb', 20, nav);
    await v.forceFlush();
    v.record('fcp', 300, nav);
    await v.forceFlush();
    await v.forceFlush(); // nothing new: nothing sent
    type H = { name: string; histogram: { aggregationTemporality: number; dataPoints: Record<string, string | number>[] } };
    const [a, b] = sent.map((x) => metricsOf(x) as H[]);
    expect(sent).toHaveLength(2);
    expect(a.map((m) => m.name)).toEqual(['browser.web_vital.fcp', 'browser.web_vital.ttfb']);
    expect(a[0].histogram.aggregationTemporality).toBe(1); // OTLP: 1 delta
    expect(b.map((m) => m.name)).toEqual(['browser.web_vital.fcp']);
    const [p1, p2] = [a[0].histogram.dataPoints[0], b[0].histogram.dataPoints[0]];
    expect(p2).toMatchObject({ count: '1', sum: 300, min: 300, max: 300 });
    // the second interval starts where the first ended
    expect(p2.startTimeUnixNano).toBe(p1.timeUnixNano);
    await v.shutdown();
  });

  it('exports a minute after a change at the latest', async () => {
    vi.useFakeTimers();
    const v = vitalsMetrics(resourceFromAttributes({}), config);
    v.record('ttfb', 20, nav);
    await vi.advanceTimersByTimeAsync(59_000);
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sent).toHaveLength(1);
    await v.shutdown();
  });

  it('carries later changes of its resource (session.id)', async () => {
    const v = vitalsMetrics(resourceFromAttributes({ 'service.name': 'a' }), config);
    (v.resource.attributes as Record<string, string>)['session.id'] = 's1';
    v.record('inp', 64, nav);
    await v.forceFlush();
    expect(sent[0].resourceMetrics[0].resource.attributes).toContainEqual({ key: 'session.id', value: { stringValue: 's1' } });
    await v.shutdown();
  });
});

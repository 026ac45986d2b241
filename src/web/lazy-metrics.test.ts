import { describe, expect, it } from 'vitest';
import { MeterProvider } from '../metrics/provider';
import type { HistogramMetricData, SumMetricData } from '../metrics/sdk-types';
import { ManualMetricReader } from '../metrics/testing';
import type { MeterProvider as ApiMeterProvider } from '../metrics/types';
import { lazyMeterProvider } from './lazy-metrics';

function sdk() {
  const reader = new ManualMetricReader();
  const provider = new MeterProvider({ readers: [reader] });
  return { reader, provider };
}
const byName = async (reader: ManualMetricReader) =>
  Object.fromEntries((await reader.collect()).scopeMetrics.flatMap((s) => s.metrics.map((m) => [m.descriptor.name, m])));

describe('lazyMeterProvider', () => {
  it('loads at the first meter, holds what is recorded meanwhile, replays it in order, then forwards', async () => {
    const { reader, provider } = sdk();
    let loads = 0;
    let resolve!: (p: ApiMeterProvider) => void;
    const lazy = lazyMeterProvider(() => (loads++, new Promise((r) => (resolve = r))));
    expect(loads).toBe(0);
    const m = lazy.getMeter('app', '1.0');
    const c = m.createCounter('clicks', { unit: '1' });
    const h = m.createHistogram('latency');
    c.add(2, { a: 'x' });
    h.record(5);
    lazy.getMeter('other');
    expect(loads).toBe(1);
    resolve(provider);
    await new Promise((r) => setTimeout(r));
    c.add(3, { a: 'x' });
    h.record(7);
    const got = await byName(reader);
    expect((got.clicks as SumMetricData).dataPoints[0]).toMatchObject({ value: 5, attributes: { a: 'x' } });
    expect((got.clicks as SumMetricData).descriptor.unit).toBe('1');
    expect((got.latency as HistogramMetricData).dataPoints[0].value).toMatchObject({ count: 2, sum: 12 });
  });

  it('observable callbacks and batch callbacks reach the SDK', async () => {
    const { reader, provider } = sdk();
    const lazy = lazyMeterProvider(async () => provider);
    const m = lazy.getMeter('app');
    const g = m.createObservableGauge('mem');
    g.addCallback((r) => r.observe(42));
    const u = m.createObservableUpDownCounter('open');
    m.addBatchObservableCallback((r) => r.observe(u, 3), [u]);
    await new Promise((r) => setTimeout(r));
    const got = await byName(reader);
    expect((got.mem as SumMetricData).dataPoints[0].value).toBe(42);
    expect((got.open as SumMetricData).dataPoints[0].value).toBe(3);
  });

  it('a failed load: held calls dropped, later ones no-ops, no second load, nothing thrown', async () => {
    let loads = 0;
    const lazy = lazyMeterProvider(() => (loads++, Promise.reject(new Error('404'))));
    const c = lazy.getMeter('app').createCounter('c');
    c.add(1);
    await new Promise((r) => setTimeout(r));
    expect(() => lazy.getMeter('app').createCounter('c').add(1)).not.toThrow();
    expect(loads).toBe(1);
  });

  it('a load that returns nothing: a no-op provider', () => {
    const lazy = lazyMeterProvider(() => undefined);
    const m = lazy.getMeter('app');
    expect(() => {
      m.createCounter('c').add(1);
      m.createHistogram('h').record(1);
      m.createObservableGauge('g').addCallback(() => {});
      m.addBatchObservableCallback(() => {}, []);
    }).not.toThrow();
  });

  it('past 1000 held recordings, the rest are dropped; creations never are', async () => {
    const { reader, provider } = sdk();
    let resolve!: (p: ApiMeterProvider) => void;
    const lazy = lazyMeterProvider(() => new Promise((r) => (resolve = r)));
    const m = lazy.getMeter('app');
    const c = m.createCounter('kept');
    for (let i = 0; i < 1000; i++) c.add(1);
    const late = m.createCounter('late'); // made after the bound: still made
    late.add(1); // dropped (past the bound)
    const g = lazy.getMeter('late-meter').createObservableGauge('g');
    g.addCallback((r) => r.observe(1)); // dropped too
    resolve(provider);
    await new Promise((r) => setTimeout(r));
    late.add(2); // after the load: forwarded
    c.add(1);
    lazy.getMeter('late-meter').createObservableGauge('g').addCallback((r) => r.observe(7));
    const got = await byName(reader);
    expect(Object.keys(got).sort()).toEqual(['g', 'kept', 'late']);
    expect((got.kept as SumMetricData).dataPoints[0].value).toBe(1001);
    expect((got.late as SumMetricData).dataPoints[0].value).toBe(2);
    expect((got.g as SumMetricData).dataPoints[0].value).toBe(7);
  });

  it('holds a copy of the attributes: a page that reuses and changes its object replays what it recorded', async () => {
    const { reader, provider } = sdk();
    let resolve!: (p: ApiMeterProvider) => void;
    const lazy = lazyMeterProvider(() => new Promise((r) => (resolve = r)));
    const c = lazy.getMeter('app').createCounter('c');
    const a: Record<string, string | string[]> = { route: '/a', tags: ['x'] };
    c.add(1, a);
    a.route = '/b';
    (a.tags as string[]).push('y');
    c.add(2, a);
    resolve(provider);
    await new Promise((r) => setTimeout(r));
    a.route = '/c';
    c.add(4, a);
    const pts = (await byName(reader)).c.dataPoints as { attributes: object; value: number }[];
    expect(pts.map((p) => [p.attributes, p.value])).toEqual([
      [{ route: '/a', tags: ['x'] }, 1],
      [{ route: '/b', tags: ['x', 'y'] }, 2],
      [{ route: '/c', tags: ['x', 'y'] }, 4],
    ]);
  });

  it('a load that resolves to nothing (shut down meanwhile): held calls dropped, later ones no-ops', async () => {
    let ran = 0;
    const lazy = lazyMeterProvider(async () => undefined);
    const m = lazy.getMeter('app');
    m.createObservableGauge('g').addCallback(() => void ran++);
    m.createCounter('c').add(1);
    await new Promise((r) => setTimeout(r));
    expect(() => lazy.getMeter('app').createCounter('c').add(1)).not.toThrow();
    expect(ran).toBe(0);
  });
});

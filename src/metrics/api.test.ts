import { afterEach, describe, expect, it, vi } from 'vitest';
import { globals } from '../lib/global';
import { metrics, setGlobalMeterProvider } from './api';
import { MeterProvider } from './provider';
import type { ResourceMetrics } from './sdk-types';
import { ManualMetricReader } from './testing';
import type { BatchObservableResult, Meter, MeterProvider as ApiMeterProvider, ObservableResult } from './types';

afterEach(() => {
  metrics.disable();
  (globals() as { mq?: unknown }).mq = undefined;
});

const sdk = () => {
  const reader = new ManualMetricReader();
  return { reader, provider: new MeterProvider({ readers: [reader] }) };
};

const points = (rm: ResourceMetrics) =>
  Object.fromEntries(
    rm.scopeMetrics.flatMap((s) => s.metrics.map((m) => [`${s.scope.name}/${m.descriptor.name}`, m.dataPoints.map((p) => p.value)])),
  );

describe('metrics API', () => {
  it('is a no-op without an SDK, and never throws', () => {
    const m = metrics.getMeter('lib', '1.0');
    expect(() => {
      m.createCounter('c').add(1, { a: 1 });
      m.createUpDownCounter('u').add(-1);
      m.createHistogram('h').record(3);
      m.createGauge('g').record(3);
      const o = m.createObservableGauge('og');
      o.addCallback(() => {});
      o.removeCallback(() => {});
      m.addBatchObservableCallback(() => {}, [o]);
      m.removeBatchObservableCallback(() => {}, [o]);
    }).not.toThrow();
    expect(metrics.getMeterProvider()).toBe(metrics);
  });

  it('meters and instruments taken before the SDK record once it is registered', async () => {
    const m = metrics.getMeter('lib', '1.0');
    const c = m.createCounter('c');
    const h = m.createHistogram('h');
    const g = m.createGauge('g');
    const u = m.createUpDownCounter('u');
    c.add(1); // before: lost, as in otel-js
    const og = m.createObservableGauge('og');
    const ocb = vi.fn((r: ObservableResult) => r.observe(7));
    og.addCallback(ocb);
    const removed = vi.fn();
    og.addCallback(removed);
    og.removeCallback(removed);
    const oc = m.createObservableCounter('oc');
    const ou = m.createObservableUpDownCounter('ou');
    const batch = (r: BatchObservableResult) => {
      r.observe(oc, 5);
      r.observe(ou, -5);
    };
    m.addBatchObservableCallback(batch, [oc, ou]);
    const gone = vi.fn();
    m.addBatchObservableCallback(gone, [oc]);
    m.removeBatchObservableCallback(gone, [oc]);

    const { reader, provider } = sdk();
    expect(setGlobalMeterProvider(provider)).toBe(true);
    expect(setGlobalMeterProvider(sdk().provider)).toBe(false);
    expect(metrics.getMeterProvider()).toBe(provider);

    c.add(2);
    h.record(4);
    g.record(9);
    u.add(-1);
    expect(points(await reader.collect())).toEqual({
      'lib/c': [2],
      'lib/h': [expect.objectContaining({ count: 1, sum: 4 })],
      'lib/g': [9],
      'lib/u': [-1],
      'lib/og': [7],
      'lib/oc': [5],
      'lib/ou': [-5],
    });
    expect(removed).not.toHaveBeenCalled();
    expect(gone).not.toHaveBeenCalled();
    // callbacks added or removed after registration go straight to the SDK
    og.removeCallback(ocb);
    m.removeBatchObservableCallback(batch, [oc, ou]);
    const late = m.createObservableGauge('late');
    late.addCallback((r) => r.observe(1));
    expect(points(await reader.collect())).toEqual({ 'lib/c': [2], 'lib/h': [expect.anything()], 'lib/g': [9], 'lib/u': [-1], 'lib/late': [1] });
  });

  it('hands out the SDK`s own meters once registered', () => {
    const { provider } = sdk();
    provider.register();
    expect(metrics.getMeter('x')).toBe(provider.getMeter('x'));
  });

  it('keeps nothing in the registry for meters that wait for nothing', () => {
    for (let i = 0; i < 100; i++) metrics.getMeter('hot').createCounter('c').add(1);
    expect((globals() as { mq?: unknown[] }).mq).toBeUndefined();
    metrics.getMeter('hot').createObservableGauge('g');
    expect((globals() as { mq?: unknown[] }).mq).toHaveLength(1);
  });

  it('a provider from another copy of otelite picks up this copy`s waiting observables', async () => {
    const g = metrics.getMeter('lib').createObservableGauge('g');
    g.addCallback((r) => r.observe(1));
    // another copy: same registry on globalThis, its own setGlobalMeterProvider (modelled by a
    // second import of the module)
    vi.resetModules();
    const other = await import('./api');
    const { reader, provider } = sdk();
    other.setGlobalMeterProvider(provider);
    expect(points(await reader.collect())).toEqual({ 'lib/g': [1] });
  });

  it('types match @opentelemetry/api', () => {
    // compile-time: otelite's meter and provider are assignable to otel's interfaces and back
    type OtelMeter = import('@opentelemetry/api').Meter;
    type OtelProvider = import('@opentelemetry/api').MeterProvider;
    const m: Meter = metrics.getMeter('t');
    const asOtel: OtelMeter = m;
    const back: Meter = asOtel;
    const p: OtelProvider = new MeterProvider();
    const p2: ApiMeterProvider = p;
    expect([asOtel, back, p2]).toBeTruthy();
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { diag, failures } from '../lib/diag';
import { globals } from '../lib/global';
import { resourceFromAttributes } from '../trace/resource';
import { metrics } from './api';
import { MeterProvider } from './provider';
import type { DataPoint, Histogram, MetricData, ResourceMetrics } from './sdk-types';
import { attrCache } from './stream';
import { ManualMetricReader, type ManualMetricReaderOptions } from './testing';
import { view } from './view';

const T0 = 1_700_000_000_000;

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
  diag.disable();
  globals().m = undefined;
});

function setup(o: ManualMetricReaderOptions = {}, config: ConstructorParameters<typeof MeterProvider>[0] = {}) {
  const reader = new ManualMetricReader(o);
  const provider = new MeterProvider({ ...config, readers: [reader] });
  return { reader, provider, meter: provider.getMeter('test', '1.0.0') };
}

/** The metrics of one collection, by stream name. */
function byName(rm: ResourceMetrics): Record<string, MetricData> {
  const out: Record<string, MetricData> = {};
  for (const sm of rm.scopeMetrics) for (const m of sm.metrics) out[m.descriptor.name] = m;
  return out;
}

/** value per attribute set (JSON of the attributes) */
function values(m: MetricData | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of (m?.dataPoints ?? []) as DataPoint<unknown>[]) out[JSON.stringify(p.attributes)] = p.value;
  return out;
}

const tick = (ms: number): void => {
  vi.advanceTimersByTime(ms);
};

describe('counter', () => {
  it('sums per attribute set, cumulative by default, with the start at the first measurement', async () => {
    const { reader, meter } = setup();
    const c = meter.createCounter('requests', { description: 'd', unit: '{request}' });
    tick(10);
    c.add(1, { route: '/a' });
    tick(10);
    c.add(2, { route: '/a' });
    c.add(5, { route: '/b' });
    c.add(1);
    tick(10);
    const rm = await reader.collect();
    expect(rm.resource.attributes['telemetry.sdk.name']).toBe('otelite');
    expect(rm.scopeMetrics[0].scope).toEqual({ name: 'test', version: '1.0.0', schemaUrl: undefined });
    const m = byName(rm).requests;
    expect(m).toMatchObject({
      descriptor: { name: 'requests', description: 'd', unit: '{request}', type: 'COUNTER', valueType: 1 },
      aggregationTemporality: 1,
      dataPointType: 3,
      isMonotonic: true,
    });
    expect(m.dataPoints).toEqual([
      { startTime: T0 + 10, endTime: T0 + 30, attributes: { route: '/a' }, value: 3 },
      { startTime: T0 + 20, endTime: T0 + 30, attributes: { route: '/b' }, value: 5 },
      { startTime: T0 + 20, endTime: T0 + 30, attributes: {}, value: 1 },
    ]);
    // cumulative: the same starts again, values carry on, sets without news are still reported
    tick(10);
    c.add(1, { route: '/b' });
    const again = byName(await reader.collect()).requests.dataPoints;
    expect(again.map((p) => [p.startTime, p.endTime, p.value])).toEqual([
      [T0 + 10, T0 + 40, 3],
      [T0 + 20, T0 + 40, 6],
      [T0 + 20, T0 + 40, 1],
    ]);
  });

  it('delta: points since the previous collection, starting at the instrument creation, then at each collection', async () => {
    const { reader, meter } = setup({ temporality: 'delta' });
    const c = meter.createCounter('c');
    tick(5);
    c.add(1, { a: 1 });
    c.add(1, { a: 1 });
    tick(5);
    let m = byName(await reader.collect()).c;
    expect(m.aggregationTemporality).toBe(0);
    expect(m.dataPoints).toEqual([{ startTime: T0, endTime: T0 + 10, attributes: { a: 1 }, value: 2 }]);
    tick(5);
    expect(byName(await reader.collect()).c).toBeUndefined(); // nothing recorded: nothing reported
    tick(5);
    c.add(4, { a: 2 });
    tick(5);
    m = byName(await reader.collect()).c;
    // the interval starts at the previous collection (T0+15), even though that one reported nothing
    expect(m.dataPoints).toEqual([{ startTime: T0 + 15, endTime: T0 + 25, attributes: { a: 2 }, value: 4 }]);
  });

  it('rejects negative, non-finite and non-number values with a diagnostic, and never throws', async () => {
    const warn = vi.fn();
    diag.setLogger({ error: warn, warn }, 9999);
    const { reader, meter } = setup();
    const c = meter.createCounter('c');
    const before = failures['m.value'] ?? 0;
    c.add(-1);
    c.add(NaN);
    c.add(Infinity);
    c.add('3' as unknown as number);
    c.add(undefined as unknown as number);
    expect(failures['m.value']).toBe(before + 5);
    c.add(2);
    expect(values(byName(await reader.collect()).c)).toEqual({ '{}': 2 });
    if (!before) expect(warn).toHaveBeenCalledWith('otelite: bad value', 'c', -1);
  });

  it('truncates fractions of integer instruments', async () => {
    const { reader, meter } = setup();
    const c = meter.createCounter('c', { valueType: 0 });
    c.add(1.9);
    c.add(2.2);
    const m = byName(await reader.collect()).c;
    expect(m.descriptor.valueType).toBe(0);
    expect(m.dataPoints[0].value).toBe(3);
  });
});

describe('up-down counter', () => {
  it('takes negative values, is not monotonic, and stays cumulative under the delta preference', async () => {
    const { reader, meter } = setup({ temporality: 'delta' });
    const u = meter.createUpDownCounter('queue');
    u.add(5);
    u.add(-7);
    let m = byName(await reader.collect()).queue;
    expect(m).toMatchObject({ isMonotonic: false, aggregationTemporality: 1, dataPointType: 3 });
    expect(m.dataPoints[0].value).toBe(-2);
    u.add(1);
    m = byName(await reader.collect()).queue;
    expect(m.dataPoints[0]).toMatchObject({ startTime: T0, value: -1 });
  });

  it('can be delta when the reader says so', async () => {
    const { reader, meter } = setup({ temporality: () => 0 });
    const u = meter.createUpDownCounter('u');
    u.add(-3);
    await reader.collect();
    u.add(-1);
    expect(byName(await reader.collect()).u.dataPoints[0].value).toBe(-1);
  });
});

describe('histogram', () => {
  it('counts into the default buckets, upper bounds inclusive, with sum, count, min, max', async () => {
    const { reader, meter } = setup();
    const h = meter.createHistogram('latency', { unit: 'ms' });
    for (const v of [0, 0.5, 5, 5.01, 10000, 10000.1, 123]) h.record(v, { op: 'x' });
    h.record(-1, { op: 'x' }); // rejected
    const m = byName(await reader.collect()).latency as Extract<MetricData, { dataPointType: 0 }>;
    expect(m).toMatchObject({ dataPointType: 0, aggregationTemporality: 1, descriptor: { unit: 'ms', type: 'HISTOGRAM' } });
    const v = m.dataPoints[0].value;
    expect(v.buckets.boundaries).toEqual([0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000]);
    //                          (-inf,0] (0,5] (5,10] ... (100,250] ... (7500,10000] (10000,inf)
    expect(v.buckets.counts).toEqual([1, 2, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1]);
    expect(v).toMatchObject({ count: 7, min: 0, max: 10000.1 });
    expect(v.sum).toBeCloseTo(0 + 0.5 + 5 + 5.01 + 10000 + 10000.1 + 123, 9);
  });

  it('uses the advice boundaries, or a view`s, and the default when they are not increasing', async () => {
    const { reader, meter } = setup({}, { views: [view({ instrumentName: 'viewed', boundaries: [1, 2] })] });
    meter.createHistogram('advised', { advice: { explicitBucketBoundaries: [10, 100] } }).record(50);
    meter.createHistogram('viewed', { advice: { explicitBucketBoundaries: [10, 100] } }).record(1.5);
    meter.createHistogram('bad', { advice: { explicitBucketBoundaries: [10, 5] } }).record(1);
    meter.createHistogram('nan', { advice: { explicitBucketBoundaries: [1, NaN] } }).record(1);
    const ms = byName(await reader.collect());
    const hv = (n: string): Histogram => ms[n].dataPoints[0].value as Histogram;
    expect(hv('advised').buckets).toEqual({ boundaries: [10, 100], counts: [0, 1, 0] });
    expect(hv('viewed').buckets).toEqual({ boundaries: [1, 2], counts: [0, 1, 0] });
    expect(hv('bad').buckets.boundaries).toHaveLength(15);
    expect(hv('nan').buckets.boundaries).toHaveLength(15);
  });

  it('cumulative: later records do not change what was collected; delta: counts start over', async () => {
    const cum = setup();
    const h = cum.meter.createHistogram('h', { advice: { explicitBucketBoundaries: [1] } });
    h.record(0);
    const first = (await cum.reader.collect()).scopeMetrics[0].metrics[0].dataPoints[0].value as Histogram;
    h.record(2);
    expect(first.buckets.counts).toEqual([1, 0]);
    const second = (await cum.reader.collect()).scopeMetrics[0].metrics[0].dataPoints[0].value as Histogram;
    expect(second).toMatchObject({ count: 2, sum: 2, min: 0, max: 2, buckets: { counts: [1, 1] } });

    const del = setup({ temporality: 'delta' });
    const d = del.meter.createHistogram('h', { advice: { explicitBucketBoundaries: [1] } });
    d.record(0);
    await del.reader.collect();
    tick(7);
    d.record(5);
    const p = (await del.reader.collect()).scopeMetrics[0].metrics[0].dataPoints[0];
    expect(p.startTime).toBe(T0);
    expect(p.value).toEqual({ buckets: { boundaries: [1], counts: [0, 1] }, sum: 5, count: 1, min: 5, max: 5 });
  });
});

describe('gauge', () => {
  it('keeps the last value; cumulative reports every set, delta only the updated ones', async () => {
    const cum = setup();
    const g = cum.meter.createGauge('temp');
    g.record(20, { room: 'a' });
    g.record(21, { room: 'a' });
    g.record(-5, { room: 'b' });
    let m = byName(await cum.reader.collect()).temp;
    expect(m).toMatchObject({ dataPointType: 2, descriptor: { type: 'GAUGE' } });
    expect(values(m)).toEqual({ '{"room":"a"}': 21, '{"room":"b"}': -5 });
    g.record(22, { room: 'a' });
    expect(values(byName(await cum.reader.collect()).temp)).toEqual({ '{"room":"a"}': 22, '{"room":"b"}': -5 });

    const del = setup({ temporality: 'delta' });
    const d = del.meter.createGauge('temp');
    d.record(1, { room: 'a' });
    d.record(2, { room: 'b' });
    await del.reader.collect();
    d.record(3, { room: 'b' });
    m = byName(await del.reader.collect()).temp;
    expect(m.aggregationTemporality).toBe(0);
    expect(values(m)).toEqual({ '{"room":"b"}': 3 });
  });
});

describe('attributes', () => {
  it('treats key order as irrelevant, ignores undefined, drops invalid values with a diagnostic', async () => {
    const warn = vi.fn();
    diag.setLogger({ warn, error: warn }, 9999);
    const { reader, meter } = setup();
    const c = meter.createCounter('c');
    c.add(1, { a: 1, b: 'x' });
    c.add(1, { b: 'x', a: 1 });
    c.add(1, { b: 'x', a: 1, z: undefined });
    c.add(1, { b: 'x', a: 1, bad: { nested: 1 } as never });
    c.add(1, { b: 'x', a: 1, mixed: [1, 'x'] as never });
    c.add(1, { a: '1', b: 'x' }); // the string "1" is not the number 1
    expect(values(byName(await reader.collect()).c)).toEqual({ '{"a":1,"b":"x"}': 5, '{"a":"1","b":"x"}': 1 });
    expect(warn).toHaveBeenCalledWith('otelite: bad attribute', 'bad');
    expect(warn).toHaveBeenCalledWith('otelite: bad attribute', 'mixed');
  });

  it('copies arrays and keeps them apart by content', async () => {
    const { reader, meter } = setup();
    const c = meter.createCounter('c');
    const arr = ['x', 'y'];
    c.add(1, { tags: arr });
    arr.push('z'); // the caller changes its array: the recorded set is unchanged
    c.add(1, { tags: ['x', 'y'] });
    c.add(1, { tags: ['x', 'y', 'z'] });
    expect(values(byName(await reader.collect()).c)).toEqual({ '{"tags":["x","y"]}': 2, '{"tags":["x","y","z"]}': 1 });
  });

  it('keeps up when the caller reuses and changes one attributes object', async () => {
    const { reader, meter } = setup();
    const c = meter.createCounter('c');
    const a: Record<string, string | number> = { route: '/a' };
    c.add(1, a);
    a.route = '/b';
    c.add(1, a);
    a.code = 200;
    c.add(1, a);
    delete a.route;
    c.add(1, a);
    expect(values(byName(await reader.collect()).c)).toEqual({
      '{"route":"/a"}': 1,
      '{"route":"/b"}': 1,
      '{"code":200,"route":"/b"}': 1,
      '{"code":200}': 1,
    });
  });

  it('does not cache sets with arrays, so they cannot fill memory', async () => {
    const { reader, meter } = setup({}, { cardinalityLimit: 3 });
    const c = meter.createCounter('c');
    for (let i = 0; i < 1000; i++) c.add(1, { id: i, tags: ['x'] });
    c.add(1, { id: 1 });
    // (the cache's memory bound, walks that stop at an array included: see the next test)
    const v = values(byName(await reader.collect()).c);
    expect(v['{"otel.metric.overflow":true}']).toBe(998); // 997 array sets and {id: 1}
  });

  it('bounds the attribute cache at 8 nodes per set of the limit, array walks included', () => {
    // A cached set comes back as the same object; once the trie would pass 8 * cap nodes it
    // starts over, so the first set is made anew. {a: 0} takes 2 nodes (name, value), each
    // further {a: i} one: {a: 0..6} fill the 8 nodes of cap 1 exactly, {a: 7} is one too many.
    const key = attrCache(1);
    const first = key({ a: 0 });
    for (let i = 1; i < 7; i++) key({ a: i });
    expect(key({ a: 0 })).toBe(first);
    key({ a: 7 });
    expect(key({ a: 0 })).not.toBe(first);
    expect(key({ a: 0 })).toEqual(first);
    // sets with arrays are not cached, but the nodes of their walk (before the array) count:
    // a stream of distinct ones cannot grow the trie past the bound either
    const k2 = attrCache(1);
    const f2 = k2({ a: 0 });
    for (let i = 0; i < 7; i++) k2({ id: i, tags: ['x'] }); // 8 nodes: 'id' and 7 values
    expect(k2({ a: 0 })).not.toBe(f2);
    const k3 = attrCache(1000);
    const f3 = k3({ a: 0 });
    for (let i = 0; i < 3000; i++) k3({ id: i, tags: ['x'] });
    expect(k3({ a: 0 })).toBe(f3); // 3001 nodes of 8000: still there
    for (let i = 3000; i < 8000; i++) k3({ id: i, tags: ['x'] });
    expect(k3({ a: 0 })).not.toBe(f3);
  });

  it('survives a full attribute cache (it starts over)', async () => {
    const { reader, meter } = setup({}, { cardinalityLimit: 3 }); // the cache holds 6 sets
    const c = meter.createCounter('c');
    for (let r = 0; r < 3; r++) for (let i = 0; i < 10; i++) c.add(1, { i: i % 3, j: i });
    const v = values(byName(await reader.collect()).c);
    expect(Object.values(v).reduce((x, y) => (x as number) + (y as number))).toBe(30);
  });
});

describe('cardinality limit', () => {
  it('keeps `limit` sets and folds the rest into the overflow point, losing nothing', async () => {
    const { reader, meter } = setup({}, { cardinalityLimit: 3 });
    const c = meter.createCounter('c');
    for (let i = 0; i < 5; i++) c.add(i + 1, { i });
    c.add(10, { i: 0 }); // a set kept before the overflow keeps its own point
    c.add(100, { i: 4 });
    let v = values(byName(await reader.collect()).c);
    expect(v).toEqual({ '{"i":0}': 11, '{"i":1}': 2, '{"i":2}': 3, '{"otel.metric.overflow":true}': 4 + 5 + 100 });
    // cumulative: the kept sets stay, new ones still overflow
    c.add(1, { i: 9 });
    v = values(byName(await reader.collect()).c);
    expect(v['{"otel.metric.overflow":true}']).toBe(110);
    expect(Object.keys(v)).toHaveLength(4);
  });

  it('delta: each interval admits `limit` new sets', async () => {
    const { reader, meter } = setup({ temporality: 'delta', cardinalityLimit: 2 });
    const h = meter.createHistogram('h');
    for (let i = 0; i < 4; i++) h.record(i, { i });
    let pts = byName(await reader.collect()).h.dataPoints as DataPoint<Histogram>[];
    expect(pts.map((p) => [p.attributes, p.value.count, p.value.sum])).toEqual([
      [{ i: 0 }, 1, 0],
      [{ i: 1 }, 1, 1],
      [{ 'otel.metric.overflow': true }, 2, 5],
    ]);
    h.record(7, { i: 3 });
    h.record(8, { i: 2 });
    pts = byName(await reader.collect()).h.dataPoints as DataPoint<Histogram>[];
    expect(pts.map((p) => p.attributes)).toEqual([{ i: 3 }, { i: 2 }]);
  });

  it('observable, delta: a set that overflowed before and has its own point now starts afresh', async () => {
    const { reader, meter } = setup({ temporality: 'delta', cardinalityLimit: 2 });
    let round = 0;
    meter.createObservableCounter('o').addCallback((r) => {
      if (round++ == 0) for (const [k, v] of [['a', 10], ['b', 10], ['c', 5]] as const) r.observe(v, { k });
      else r.observe(7, { k: 'c' });
    });
    expect(values(byName(await reader.collect()).o)).toEqual({ '{"k":"a"}': 10, '{"k":"b"}': 10, '{"otel.metric.overflow":true}': 5 });
    tick(1000);
    const pts = byName(await reader.collect()).o.dataPoints as DataPoint<number>[];
    // not 7 - 5 (the overflow point of the round before), and its own start time
    expect(pts.map((p) => [p.attributes, p.value])).toEqual([[{ k: 'c' }, 7]]);
    expect(pts[0]!.startTime).toBe(T0);
  });

  it('takes the limit from a view first, then the reader, then the provider', async () => {
    const { reader, meter } = setup(
      { cardinalityLimit: 2 },
      { cardinalityLimit: 5, views: [view({ instrumentName: 'v', aggregationCardinalityLimit: 1 })] },
    );
    const r = meter.createCounter('r');
    const v = meter.createCounter('v');
    for (let i = 0; i < 4; i++) {
      r.add(1, { i });
      v.add(1, { i });
    }
    const ms = byName(await reader.collect());
    expect(ms.r.dataPoints).toHaveLength(3);
    expect(ms.v.dataPoints).toHaveLength(2);
  });

  it('warns once about a bad provider limit and uses 2000', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    new MeterProvider({ cardinalityLimit: -1 });
    expect(warn).toHaveBeenCalledWith('otelite: invalid cardinalityLimit -1; using 2000');
    warn.mockRestore();
  });
});

describe('observable instruments', () => {
  it('observable counter: cumulative values as observed; start at creation, or at the collection before the first observation', async () => {
    const { reader, meter } = setup();
    const oc = meter.createObservableCounter('oc');
    let n = 0;
    const cb = vi.fn((r: { observe(v: number, a?: Record<string, string>): void }) => {
      n += 10;
      r.observe(n, { k: 'a' });
      if (n > 10) r.observe(n * 2, { k: 'late' });
    });
    oc.addCallback(cb);
    oc.addCallback(cb); // once only
    tick(10);
    let m = byName(await reader.collect()).oc;
    expect(m).toMatchObject({ dataPointType: 3, isMonotonic: true, aggregationTemporality: 1, descriptor: { type: 'OBSERVABLE_COUNTER' } });
    expect(m.dataPoints).toEqual([{ startTime: T0, endTime: T0 + 10, attributes: { k: 'a' }, value: 10 }]);
    tick(10);
    m = byName(await reader.collect()).oc;
    expect(m.dataPoints).toEqual([
      { startTime: T0, endTime: T0 + 20, attributes: { k: 'a' }, value: 20 },
      { startTime: T0 + 10, endTime: T0 + 20, attributes: { k: 'late' }, value: 40 },
    ]);
    expect(cb).toHaveBeenCalledTimes(2);
    oc.removeCallback(cb);
    expect(byName(await reader.collect()).oc).toBeUndefined(); // not observed: not reported
  });

  it('observable counter, delta: the change since the previous collection; a decrease is a reset', async () => {
    const { reader, meter } = setup({ temporality: 'delta' });
    const seq = [5, 12, 12, 3];
    let i = 0;
    meter.createObservableCounter('oc').addCallback((r) => r.observe(seq[i++]));
    const got: Array<[number, number, number]> = [];
    for (let k = 0; k < 4; k++) {
      tick(10);
      const p = byName(await reader.collect()).oc.dataPoints[0];
      got.push([p.startTime - T0, p.endTime - T0, p.value as number]);
    }
    expect(got).toEqual([
      [0, 10, 5],
      [10, 20, 7],
      [20, 30, 0],
      [30, 40, 3],
    ]);
  });

  it('observable up-down counter and gauge', async () => {
    const { reader, meter } = setup({ temporality: 'delta' });
    let v = -3;
    meter.createObservableUpDownCounter('ou').addCallback((r) => r.observe(v));
    meter.createObservableGauge('og').addCallback((r) => r.observe(v * 10, { a: 'b' }));
    let ms = byName(await reader.collect());
    expect(ms.ou).toMatchObject({ isMonotonic: false, aggregationTemporality: 1, dataPointType: 3 });
    expect(ms.ou.dataPoints[0].value).toBe(-3);
    expect(ms.og).toMatchObject({ dataPointType: 2, aggregationTemporality: 0 });
    expect(ms.og.dataPoints[0].value).toBe(-30);
    v = 4;
    ms = byName(await reader.collect());
    expect(ms.ou.dataPoints[0].value).toBe(4);
    expect(ms.og.dataPoints[0].value).toBe(40);
  });

  it('catches callback errors and rejections; waits for async callbacks up to the timeout', async () => {
    const error = vi.fn();
    diag.setLogger({ error, warn: error }, 9999);
    const { reader, meter } = setup();
    const g = meter.createObservableGauge('g');
    g.addCallback(() => {
      throw new Error('boom');
    });
    g.addCallback(async () => {
      throw new Error('async boom');
    });
    g.addCallback(async (r) => {
      await new Promise((ok) => setTimeout(ok, 100));
      r.observe(1, { slow: 'yes' });
    });
    g.addCallback(async (r) => {
      await new Promise((ok) => setTimeout(ok, 5000));
      r.observe(2, { tooSlow: 'yes' }); // after the collection: ignored
    });
    g.addCallback((r) => r.observe(3));
    const p = reader.collect(1000);
    await vi.advanceTimersByTimeAsync(1000);
    const rm = await p;
    expect(values(byName(rm).g)).toEqual({ '{"slow":"yes"}': 1, '{}': 3 });
    expect(error).toHaveBeenCalledWith('otelite: callback failed', expect.objectContaining({ message: 'boom' }));
    expect(error).toHaveBeenCalledWith('otelite: callback failed', expect.objectContaining({ message: 'async boom' }));
    await vi.advanceTimersByTimeAsync(5000);
    expect(values(byName(reader.collectSync()).g)).toEqual({ '{}': 3 }); // sync: async ones do not make it
  });

  it('batch callbacks observe several instruments, only those registered, and can be removed', async () => {
    const { reader, meter } = setup();
    const a = meter.createObservableGauge('a');
    const b = meter.createObservableCounter('b');
    const other = meter.createObservableGauge('other');
    const cb = vi.fn((r: { observe(o: unknown, v: number): void }) => {
      r.observe(a, 1);
      r.observe(b, 2);
      r.observe(other, 3);
      r.observe({}, 4);
    });
    meter.addBatchObservableCallback(cb, [a, b]);
    expect(values(byName(await reader.collect()).a)).toEqual({ '{}': 1 });
    expect(Object.keys(byName(await reader.collect()))).toEqual(['a', 'b']);
    meter.removeBatchObservableCallback(cb, [a, b]);
    expect(byName(await reader.collect())).toEqual({});
  });

  it('applies the cardinality limit to the sets observed first', async () => {
    const { reader, meter } = setup({}, { cardinalityLimit: 2 });
    meter.createObservableGauge('g').addCallback((r) => {
      for (let i = 0; i < 4; i++) r.observe(i, { i });
    });
    expect(values(byName(await reader.collect()).g)).toEqual({ '{"i":0}': 0, '{"i":1}': 1, '{"otel.metric.overflow":true}': 3 });
  });

  it('observations outside a collection are ignored', async () => {
    const { reader, meter } = setup();
    let saved: { observe(v: number): void } | undefined;
    meter.createObservableGauge('g').addCallback((r) => {
      saved = r;
    });
    await reader.collect();
    saved!.observe(5);
    expect(byName(await reader.collect()).g).toBeUndefined();
  });
});

describe('readers', () => {
  it('each reader has its own state and temporality', async () => {
    const cum = new ManualMetricReader();
    const del = new ManualMetricReader({ temporality: 'delta' });
    const provider = new MeterProvider({ readers: [cum, del] });
    const c = provider.getMeter('m').createCounter('c');
    c.add(1);
    expect(byName(await del.collect()).c.dataPoints[0].value).toBe(1);
    c.add(1);
    expect(byName(await del.collect()).c.dataPoints[0].value).toBe(1);
    expect(byName(await cum.collect()).c.dataPoints[0].value).toBe(2);
    let calls = 0;
    provider
      .getMeter('m')
      .createObservableGauge('g')
      .addCallback((r) => r.observe(++calls));
    expect(byName(await cum.collect()).g.dataPoints[0].value).toBe(1); // callbacks run per reader
    expect(byName(await del.collect()).g.dataPoints[0].value).toBe(2);
  });

  it('forceFlush and shutdown reach every reader; after shutdown instruments record nothing', async () => {
    const a = new ManualMetricReader();
    const b = { setMetricProducer: vi.fn(), forceFlush: vi.fn(async () => {}), shutdown: vi.fn(async () => {}) };
    const bad = { setMetricProducer() {}, forceFlush: () => Promise.reject(new Error('x')), shutdown: async () => {} };
    const provider = new MeterProvider({ readers: [a, b, bad] });
    const c = provider.getMeter('m').createCounter('c');
    c.add(1);
    await provider.forceFlush(); // a failing reader does not fail the others
    expect(b.forceFlush).toHaveBeenCalled();
    const stream = (await a.collect()).scopeMetrics[0];
    expect(stream.metrics).toHaveLength(1);
    await provider.shutdown();
    expect(b.shutdown).toHaveBeenCalled();
    c.add(1);
    provider.getMeter('m').createCounter('after').add(1);
    expect(() => a.collectSync()).toThrow(); // a reader shut down has no producer
  });

  it("shutdown: the readers' final collection still gets what observable callbacks observe", async () => {
    const got: ResourceMetrics[] = [];
    let producer!: { collect(): Promise<ResourceMetrics> };
    const reader = {
      setMetricProducer: (p: typeof producer) => (producer = p),
      forceFlush: async () => {},
      shutdown: async () => void got.push(await producer.collect()),
    };
    const provider = new MeterProvider({ readers: [reader] });
    const m = provider.getMeter('m');
    m.createObservableGauge('g').addCallback((r) => r.observe(42));
    const u = m.createObservableUpDownCounter('u');
    m.addBatchObservableCallback((r) => r.observe(u, 3), [u]);
    m.createCounter('c').add(1);
    await provider.shutdown();
    expect(got).toHaveLength(1);
    const last = byName(got[0]);
    expect(last.g.dataPoints[0].value).toBe(42);
    expect(last.u.dataPoints[0].value).toBe(3);
    expect(last.c.dataPoints[0].value).toBe(1);
    // afterwards: nothing recorded, a second shutdown does not reach the reader again
    await provider.shutdown();
    expect(got).toHaveLength(1);
    expect(byName(await producer.collect())).toEqual({});
  });
});

describe('meters and instruments', () => {
  it('returns the same meter for the same name, version and schema URL', () => {
    const { provider } = setup();
    expect(provider.getMeter('a')).toBe(provider.getMeter('a'));
    expect(provider.getMeter('a', '1')).not.toBe(provider.getMeter('a'));
    expect(provider.getMeter('a', '1', { schemaUrl: 's' })).not.toBe(provider.getMeter('a', '1'));
  });

  it('shares identical registrations, keeps conflicting ones apart', async () => {
    const { reader, meter } = setup();
    const a = meter.createCounter('Requests', { unit: '1' });
    expect(meter.createCounter('requests', { unit: '1' })).toBe(a);
    const b = meter.createCounter('requests', { unit: 'By' });
    expect(b).not.toBe(a);
    a.add(1);
    b.add(2);
    const names = (await reader.collect()).scopeMetrics[0].metrics.map((m) => [m.descriptor.name, m.descriptor.unit]);
    expect(names).toEqual([
      ['Requests', '1'],
      ['requests', 'By'],
    ]);
  });

  it('an invalid name gives a working instrument that records nothing', async () => {
    const warn = vi.fn();
    diag.setLogger({ warn, error: warn }, 9999);
    const { reader, meter } = setup();
    meter.createCounter('1bad').add(1);
    meter.createCounter('bad name').add(1);
    meter.createCounter('a'.repeat(256)).add(1);
    meter.createCounter('ok.name_1/x-y').add(1);
    expect(Object.keys(byName(await reader.collect()))).toEqual(['ok.name_1/x-y']);
    expect(warn).toHaveBeenCalledWith('otelite: bad instrument name', '1bad');
  });

  it('carries the resource, merged over the defaults', async () => {
    const { reader, meter } = setup({}, { resource: resourceFromAttributes({ 'service.name': 'shop' }) });
    meter.createCounter('c').add(1);
    const rm = await reader.collect();
    expect(rm.resource.attributes).toMatchObject({ 'service.name': 'shop', 'telemetry.sdk.language': 'webjs' });
  });

  it('register() makes it the global provider', async () => {
    const { provider, reader } = setup();
    const early = metrics.getMeter('lib').createCounter('early');
    provider.register();
    expect(metrics.getMeterProvider()).toBe(provider);
    early.add(3);
    metrics.getMeter('lib').createCounter('late').add(1);
    expect(values(byName(await reader.collect()).early)).toEqual({ '{}': 3 });
    const warn = vi.fn();
    diag.setLogger({ warn, error: warn }, 9999);
    new MeterProvider().register();
    expect(warn).toHaveBeenCalledWith('otelite: meter provider already registered');
  });
});

describe('views', () => {
  it('renames, filters attributes, changes the aggregation, drops', async () => {
    const { reader, meter } = setup(
      {},
      {
        views: [
          view({ instrumentName: 'http.*.duration', name: 'latency', description: 'renamed', attributeKeys: ['route'] }),
          view({ instrumentName: 'http.*.duration', aggregation: 'sum' }),
          view({ instrumentName: 'noise', aggregation: 'drop' }),
          view({ instrumentType: 'COUNTER', meterName: 'other', aggregation: 'lastValue' }),
          view({ instrumentName: 'obs', aggregation: 'histogram' }),
        ],
      },
    );
    const h = meter.createHistogram('http.server.duration');
    h.record(10, { route: '/a', method: 'GET' });
    h.record(20, { route: '/a', method: 'POST' });
    h.record(30, { method: 'GET' });
    meter.createCounter('noise').add(1);
    meter.createCounter('kept').add(1);
    meter.createObservableGauge('obs').addCallback((r) => r.observe(1));
    const ms = byName(await reader.collect());
    expect(Object.keys(ms).sort()).toEqual(['http.server.duration', 'kept', 'latency', 'obs']);
    expect(ms.latency.descriptor.description).toBe('renamed');
    expect(ms.latency.dataPointType).toBe(0);
    expect(values(ms.latency)).toEqual({
      '{"route":"/a"}': expect.objectContaining({ count: 2, sum: 30 }),
      '{}': expect.objectContaining({ count: 1, sum: 30 }),
    });
    expect(ms['http.server.duration']).toMatchObject({ dataPointType: 3, isMonotonic: true });
    expect(Object.values(values(ms['http.server.duration']))).toEqual([10, 20, 30]);
    expect(ms.obs.dataPointType).toBe(2); // a histogram of observations is not possible: default

    const other = (await setupOther()).c;
    expect(other.dataPointType).toBe(2);
    async function setupOther() {
      const r2 = new ManualMetricReader();
      const p2 = new MeterProvider({
        readers: [r2],
        views: [view({ instrumentType: 'COUNTER', meterName: 'other', aggregation: 'lastValue' })],
      });
      const c = p2.getMeter('other').createCounter('c');
      c.add(5);
      c.add(7);
      const m = byName(await r2.collect());
      expect(m.c.dataPoints[0].value).toBe(7);
      return m;
    }
  });
});

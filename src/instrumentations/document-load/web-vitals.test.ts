import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { context } from '../../context/api';
import { StackContextManager } from '../../context/stack';
import { logs } from '../../logs/api';
import { LoggerProvider } from '../../logs/provider';
import { SimpleLogRecordProcessor } from '../../logs/processors';
import type { ReadableLogRecord } from '../../logs/sdk-types';
import { metrics } from '../../metrics/api';
import { MeterProvider } from '../../metrics/provider';
import type { HistogramMetricData } from '../../metrics/sdk-types';
import { ManualMetricReader } from '../../metrics/testing';
import { trace } from '../../trace/api';
import { TracerProvider } from '../../trace/provider';
import { webVitalsInstrumentation } from './web-vitals';
import { webVitalsAttributionInstrumentation } from './web-vitals-attribution';

/*
 * web-vitals is replaced by fakes that keep the report callbacks; the tests report as it would.
 * The attribution build is a second set of fakes, so the tests see which build was started.
 */
type Cb = (m: Record<string, unknown>) => void;
const { std, attr, opts, fake } = vi.hoisted(() => {
  const opts: unknown[] = [];
  return {
    std: {} as Record<string, Cb[]>,
    attr: {} as Record<string, Cb[]>,
    opts,
    fake: (into: Record<string, Cb[]>) =>
      Object.fromEntries(
        ['onCLS', 'onFCP', 'onINP', 'onLCP', 'onTTFB'].map((n) => [n, (cb: Cb, o: unknown) => (opts.push(o), (into[n.slice(2)] ||= []).push(cb))]),
      ),
  };
});
vi.mock('web-vitals', () => fake(std));
vi.mock('web-vitals/attribution', () => fake(attr));

/**
 * The document: an event target whose visibility the tests set. Hidden by default, as web-vitals
 * reports INP and CLS when the page hides.
 */
const doc = Object.assign(new EventTarget(), { visibilityState: 'hidden' });
/** Sets the page's visibility and fires visibilitychange, as the browser does. */
const visibility = (v: 'hidden' | 'visible') => {
  doc.visibilityState = v;
  doc.dispatchEvent(new Event('visibilitychange'));
};

const records: ReadableLogRecord[] = [];
let reader: ManualMetricReader;
let lp: LoggerProvider;
/** the simple processor exports one record at a time: wait for all */
const flushed = () => lp.forceFlush();

beforeAll(() => {
  vi.stubGlobal('document', doc);
  const win = new EventTarget();
  vi.stubGlobal('addEventListener', win.addEventListener.bind(win));
  reader = new ManualMetricReader();
  new MeterProvider({ readers: [reader] }).register();
  lp = new LoggerProvider({
    processors: [new SimpleLogRecordProcessor({ export: (r, done) => (records.push(...r), done({ code: 0 })), shutdown: async () => {} })],
  });
  lp.register();
});
beforeEach(() => {
  records.length = 0;
  opts.length = 0;
  for (const o of [std, attr]) for (const k in o) delete o[k];
});
afterEach(() => vi.restoreAllMocks());

let seq = 0;
/** Reports `name` to every callback of `into` as web-vitals does; returns the metric. */
function emit(into: Record<string, Cb[]>, name: string, value: number, x: Record<string, unknown> = {}) {
  const m = { name, value, delta: value, id: `v6-${name}-${++seq}`, rating: 'good', navigationType: 'navigate', entries: [], ...x };
  report(into, m);
  return m;
}

/** Reports `m` to the callbacks of its vital; INP, as web-vitals does, during a hide. */
function report(into: Record<string, Cb[]>, m: Record<string, unknown>) {
  for (const cb of into[m.name as string] ?? []) cb(m);
  if (m.name == 'INP') visibility('hidden');
}

async function histograms(): Promise<Record<string, HistogramMetricData>> {
  const rm = await reader.collect();
  const out: Record<string, HistogramMetricData> = {};
  for (const sm of rm.scopeMetrics)
    for (const m of sm.metrics) {
      expect(sm.scope.name).toBe('otelite/web-vitals');
      out[m.descriptor.name] = m as HistogramMetricData;
    }
  return out;
}

describe('webVitalsInstrumentation', () => {
  it('starts the five vitals of the standard build on enable, not before, once', () => {
    const i = webVitalsInstrumentation();
    expect(std).toEqual({});
    i.enable();
    i.enable();
    i.disable();
    i.enable();
    expect(Object.keys(std).sort()).toEqual(['CLS', 'FCP', 'INP', 'LCP', 'TTFB']);
    for (const k in std) expect(std[k]).toHaveLength(1);
    expect(attr).toEqual({});
  });

  it('records each vital as a histogram and as a browser.web_vital event', async () => {
    webVitalsInstrumentation().enable();
    const lcp = emit(std, 'LCP', 1234.5);
    emit(std, 'CLS', 0.07, { rating: 'good', navigationType: 'reload' });
    emit(std, 'INP', 208, { rating: 'needs-improvement' });
    emit(std, 'FCP', 900);
    emit(std, 'TTFB', 120);
    await flushed();

    expect(records.map((r) => r.attributes['browser.web_vital.name'])).toEqual(['lcp', 'cls', 'inp', 'fcp', 'ttfb']);
    const r = records[0];
    expect(r.eventName).toBe('browser.web_vital');
    expect(r.instrumentationScope.name).toBe('otelite/web-vitals');
    expect(r.attributes).toEqual({
      'browser.web_vital.name': 'lcp',
      'browser.web_vital.value': 1234.5,
      'browser.web_vital.delta': 1234.5,
      'browser.web_vital.id': lcp.id,
      'browser.web_vital.rating': 'good',
      'browser.web_vital.navigation_type': 'navigate',
    });
    expect(records[2].attributes['browser.web_vital.rating']).toBe('needs-improvement');

    const h = await histograms();
    expect(Object.keys(h).sort()).toEqual([
      'browser.web_vital.cls',
      'browser.web_vital.fcp',
      'browser.web_vital.inp',
      'browser.web_vital.lcp',
      'browser.web_vital.ttfb',
    ]);
    expect(h['browser.web_vital.lcp'].descriptor).toMatchObject({ unit: 'ms', description: 'Web vital LCP' });
    expect(h['browser.web_vital.cls'].descriptor.unit).toBe('1');
    const [p] = h['browser.web_vital.lcp'].dataPoints;
    expect(p.attributes).toEqual({ 'browser.web_vital.navigation_type': 'navigate' });
    expect(p.value).toMatchObject({ count: 1, sum: 1234.5 });
    // the thresholds are bucket boundaries: good/poor shares are exact
    expect(p.value.buckets.boundaries).toEqual(expect.arrayContaining([200, 500, 800, 1800, 2500, 3000, 4000]));
    const [c] = h['browser.web_vital.cls'].dataPoints;
    expect(c.attributes).toEqual({ 'browser.web_vital.navigation_type': 'reload' });
    expect(c.value.buckets.boundaries).toEqual(expect.arrayContaining([0.1, 0.25]));
  });

  it('samples one histogram value per metric instance; events carry every report', async () => {
    webVitalsInstrumentation().enable();
    const before = (await histograms())['browser.web_vital.inp']?.dataPoints[0]?.value.count ?? 0;
    const first = emit(std, 'INP', 100);
    // hidden, shown, a slower interaction, hidden again: same id, new value
    report(std, { ...first, value: 300, delta: 200 });
    emit(std, 'INP', 50); // a new instance (after a bfcache restore)
    await flushed();
    expect(records.map((r) => [r.attributes['browser.web_vital.value'], r.attributes['browser.web_vital.delta']])).toEqual([
      [100, 100],
      [300, 200],
      [50, 50],
    ]);
    const [p] = (await histograms())['browser.web_vital.inp'].dataPoints;
    expect(p.value.count - before).toBe(2);
  });

  it('keeps INP changes until the page hides, then records the last one once', async () => {
    // web-vitals 6 loses an interaction followed by a navigation within ~1 s unless INP reports
    // every change, and may report twice during one hide: the instrumentation asks for every
    // change and records the last one when the page hides
    webVitalsInstrumentation().enable();
    const before = (await histograms())['browser.web_vital.inp']?.dataPoints[0]?.value.sum ?? 0;
    visibility('visible');
    const m = { name: 'INP', value: 40, delta: 40, id: 'v6-INP-keep', rating: 'good', navigationType: 'navigate', entries: [] };
    const change = (value: number) => {
      Object.assign(m, { value });
      for (const cb of std.INP) cb(m);
    };
    change(40);
    change(96);
    await flushed();
    expect(records).toEqual([]);
    // hidden: web-vitals' own listeners report (twice, say), then the instrumentation's runs
    doc.visibilityState = 'hidden';
    change(100);
    change(128);
    visibility('hidden');
    // shown again, a slower interaction, hidden again
    visibility('visible');
    change(200);
    visibility('hidden');
    visibility('hidden');
    await flushed();
    expect(records.map((r) => [r.attributes['browser.web_vital.value'], r.attributes['browser.web_vital.delta']])).toEqual([
      [128, 128],
      [200, 72],
    ]);
    // one histogram value for the id: its first final one
    const [p] = (await histograms())['browser.web_vital.inp'].dataPoints;
    expect(p.value.sum! - before).toBe(128);
  });

  it('emits in the root context, not in the active span', async () => {
    const tp = new TracerProvider();
    tp.register({ contextManager: new StackContextManager() });
    try {
      webVitalsInstrumentation().enable();
      tp.getTracer('t').startActiveSpan('busy', (s) => {
        emit(std, 'FCP', 10);
        s.end();
      });
      await flushed();
      expect(records[0].spanContext).toBeUndefined();
    } finally {
      trace.disable();
      context.disable();
    }
  });

  it('records nothing while disabled', async () => {
    const i = webVitalsInstrumentation();
    i.enable();
    i.disable();
    emit(std, 'TTFB', 1);
    await flushed();
    expect(records).toEqual([]);
    i.enable();
    emit(std, 'TTFB', 2);
    await flushed();
    expect(records).toHaveLength(1);
  });

  it('with attribution: starts the attribution build and adds the element and interaction type', async () => {
    const generateTarget = () => 'x';
    webVitalsAttributionInstrumentation({ generateTarget }).enable();
    expect(std).toEqual({});
    expect(Object.keys(attr)).toHaveLength(5);
    // INP with every change (see the test of INP before a navigation), the others as they are
    expect(opts).toEqual([...Array(4).fill({ generateTarget }), { generateTarget, reportAllChanges: true }]);
    emit(attr, 'LCP', 1000, { attribution: { target: 'main>img.hero', url: 'http://x/hero.png' } });
    emit(attr, 'INP', 64, { attribution: { interactionTarget: '#buy', interactionType: 'pointer' } });
    emit(attr, 'CLS', 0.2, { attribution: { largestShiftTarget: 'div.ad' } });
    emit(attr, 'TTFB', 100, { attribution: { waitingDuration: 1 } });
    await flushed();
    expect(records.map((r) => [r.attributes['browser.web_vital.element'], r.attributes['browser.web_vital.interaction_type']])).toEqual([
      ['main>img.hero', undefined],
      ['#buy', 'pointer'],
      ['div.ad', undefined],
      [undefined, undefined],
    ]);
  });

  it('works without any SDK (no-op API) and never throws into web-vitals', () => {
    metrics.disable();
    logs.disable();
    try {
      webVitalsInstrumentation().enable();
      expect(() => emit(std, 'LCP', 1)).not.toThrow();
      expect(() => std.LCP[0](null as never)).not.toThrow();
    } finally {
      metrics.setGlobalMeterProvider(new MeterProvider({ readers: [(reader = new ManualMetricReader())] }));
      logs.setGlobalLoggerProvider(lp);
    }
  });

  it('does nothing without a document', () => {
    vi.stubGlobal('document', undefined);
    try {
      webVitalsInstrumentation().enable();
      expect(std).toEqual({});
    } finally {
      vi.stubGlobal('document', doc);
    }
  });
});

import { report, reportOnce } from '../lib/diag';
import { now } from '../lib/time';
import type { Attributes, InstrumentationScope } from '../lib/types';
import { defaultResource, type Resource } from '../trace/resource';
import { KINDS, setGlobalMeterProvider } from './api';
import type { InstrumentDescriptor, InstrumentType, MetricData, MetricReader, ResourceMetrics, ScopeMetrics } from './sdk-types';
import { AttrCache, bounds, NO_ATTRS, positive, Stream, within, type StreamOwner, type StreamSpec, type View } from './stream';
import type {
  BatchObservableCallback,
  Meter,
  MeterOptions,
  MeterProvider as ApiMeterProvider,
  MetricOptions,
  Observable,
  ObservableCallback,
} from './types';

export { DEFAULT_BOUNDARIES } from './stream';
export type { StreamSpec, View } from './stream';

/** Options of {@link MeterProvider}. */
export interface MeterProviderConfig {
  /** Merged over the default resource (`service.name`, `telemetry.sdk.*`). */
  resource?: Resource;
  /** Where metrics go: each reader collects on its own schedule, with its own temporality. */
  readers?: MetricReader[];
  /** Views, made with `view()` from `otelite/metrics` (`view.ts`); see {@link View}. */
  views?: View[];
  /** Attribute sets per instrument (2000, the spec's default); more go to the overflow point. */
  cardinalityLimit?: number;
}

/** An instrument of the SDK: every kind is this class (the API's interfaces narrow it). */
class Instrument implements StreamOwner {
  /** streams, one per reader (or per view and reader) */
  st: Stream[] = [];
  /** callbacks (observable instruments) */
  readonly cb = new Set<ObservableCallback>();
  // `declare`: assigned in the constructor, not emitted as class fields (bytes)
  /** how it was created */
  declare readonly desc: InstrumentDescriptor;
  /** attribute sets seen */
  declare readonly k: AttrCache;
  /** {@inheritDoc StreamOwner.a} */
  declare readonly a: boolean;
  /** {@inheritDoc StreamOwner.mono} */
  declare readonly mono: boolean;
  /** {@inheritDoc StreamOwner.nn} */
  declare readonly nn: boolean;
  /** Histogram, gauge: the same as {@link Instrument.add}. */
  declare readonly record: Instrument['add'];

  constructor(desc: InstrumentDescriptor, cap: number) {
    const type = desc.type;
    this.desc = desc;
    this.k = new AttrCache(cap);
    this.a = type[0] == 'O';
    // counters and histograms; not up-down counters, not gauges
    this.nn = (this.mono = !/UP|GA/.test(type)) && !this.a;
    this.record = this.add;
  }

  /**
   * Counter, up-down counter (and, as `record`, histogram, gauge): records into the streams of
   * reader `rd` (default: all; observable callbacks pass theirs, after the context argument the
   * API gives `add`). Never throws.
   */
  add(v: number, attrs?: Attributes, _ctx?: unknown, rd = -1): void {
    const st = this.st;
    if (!st.length) return;
    // finite numbers only (NaN and ±Infinity cannot be summed or encoded), ≥ 0 where required
    if (!Number.isFinite(v) || (this.nn && v < 0)) return reportOnce('m.value', 'bad value', this.desc.name, v);
    if (!this.desc.valueType) v = Math.trunc(v);
    try {
      const e = attrs ? this.k.get(attrs) : NO_ATTRS;
      for (let j = 0; j < st.length; j++) if (rd < 0 || st[j].r == rd) st[j].rec(v, e);
    } catch (e) {
      reportOnce('m.record', 'record failed', e);
    }
  }

  /** {@inheritDoc Observable.addCallback} */
  addCallback(c: ObservableCallback): void {
    if (typeof c == 'function') this.cb.add(c);
  }

  /** {@inheritDoc Observable.removeCallback} */
  removeCallback(c: ObservableCallback): void {
    this.cb.delete(c);
  }
}

class SdkMeter implements Meter {
  /** instruments by identity (for duplicate registrations) */
  readonly is = new Map<string, Instrument>();
  /** batch callbacks and the instruments each may observe */
  readonly bc = new Map<BatchObservableCallback, Observable[]>();
  declare createCounter: Meter['createCounter'];
  declare createUpDownCounter: Meter['createUpDownCounter'];
  declare createHistogram: Meter['createHistogram'];
  declare createGauge: Meter['createGauge'];
  declare createObservableCounter: Meter['createObservableCounter'];
  declare createObservableUpDownCounter: Meter['createObservableUpDownCounter'];
  declare createObservableGauge: Meter['createObservableGauge'];

  /** the scope */
  declare readonly s: InstrumentationScope;

  constructor(p: MeterProvider, s: InstrumentationScope) {
    this.s = s;
    // seven methods written once (bytes matter: this is in every bundle that meters)
    for (const k of KINDS)
      (this as unknown as Record<string, unknown>)['create' + k] = (name: string, o: MetricOptions = {}) => {
        const desc: InstrumentDescriptor = {
          name: (name = String(name)),
          description: o.description || '',
          unit: o.unit || '',
          type: k.replace(/\B(?=[A-Z])/g, '_').toUpperCase() as InstrumentType,
          valueType: o.valueType == 0 ? 0 : 1,
          advice: o.advice || {},
        };
        // The spec: an identical registration (name case-insensitively, kind, unit, description,
        // value type) gets the same instrument; a conflicting one its own stream of the same name.
        const id = JSON.stringify({ ...desc, name: name.toLowerCase(), advice: 0 });
        let i = this.is.get(id);
        if (!i) {
          this.is.set(id, (i = new Instrument(desc, p.l)));
          if (/^[a-z][\w./-]{0,254}$/i.test(name)) p.x(i, s);
          else report(1, 'bad instrument name', name);
        }
        return i;
      };
  }

  addBatchObservableCallback(cb: BatchObservableCallback, obs: Observable[]): void {
    if (typeof cb == 'function') this.bc.set(cb, obs);
  }
  removeBatchObservableCallback(cb: BatchObservableCallback): void {
    this.bc.delete(cb);
  }
}

/** The promises of one collection's async callbacks; `x` set once the collection is over. */
type Round = Promise<unknown>[] & { x?: 1 };

/**
 * The metrics SDK's entry point: makes meters whose instruments aggregate in memory until the
 * readers collect them. The hot paths (`add`, `record`) walk the instrument's attribute cache
 * (no allocation for a set seen before) and do one `Map` lookup per stream; see `stream.ts`.
 */
export class MeterProvider implements ApiMeterProvider {
  /** The resource every metric carries. */
  declare readonly resource: Resource;
  declare private rd: MetricReader[];
  declare private readonly v?: View[];
  /** @internal the cardinality limit; also the attribute sets each instrument caches */
  declare readonly l: number;
  private readonly ms = new Map<string, SdkMeter>();

  /** @param config - resource, readers, views and cardinality limit */
  constructor(config: MeterProviderConfig = {}) {
    this.resource = defaultResource().merge(config.resource);
    this.v = config.views;
    this.l = positive(config, 'cardinalityLimit', 2000);
    (this.rd = [...(config.readers || [])]).forEach((r, n) =>
      r.setMetricProducer({
        collectSync: () => this.g(n),
        collect: async (timeout = 30000) => {
          const ps = this.run(n);
          await within(Promise.all(ps), timeout);
          return this.g(n, ps);
        },
      }),
    );
  }

  /** {@inheritDoc MeterProvider.getMeter} */
  getMeter(name: string, version?: string, options?: MeterOptions): Meter {
    const schemaUrl = options?.schemaUrl;
    const key = `${name}@${version}:${schemaUrl}`;
    let m = this.ms.get(key);
    if (!m) this.ms.set(key, (m = new SdkMeter(this, { name: String(name || ''), version, schemaUrl })));
    return m;
  }

  /** Makes this the global meter provider, so `metrics.getMeter` (here and in libraries) records through it. */
  register(): void {
    if (!setGlobalMeterProvider(this)) report(1, 'meter provider already registered');
  }

  /** @internal Creates the streams of a new instrument: per reader, one per selecting view (or the default). */
  x(i: Instrument, s: InstrumentationScope): void {
    const d = i.desc;
    const type = d.type;
    const dflt: StreamSpec = {
      g: /GA/.test(type) ? 1 : type[0] == 'H' ? 2 : 0,
      b: bounds(d.advice.explicitBucketBoundaries),
      md: d,
    };
    const cs = (this.v || []).map((v) => v(d, s, dflt)).filter(Boolean) as StreamSpec[];
    this.rd.forEach((r, n) => {
      for (const c of cs.length ? cs : [dflt]) {
        const l = c.l || r.selectCardinalityLimit?.(type);
        if (c.g >= 0) i.st.push(new Stream(i, n, r.selectAggregationTemporality?.(type) === 0, c, l! > 0 ? l! : this.l));
      }
    });
  }

  /**
   * Runs every observable callback for reader `n`; returns the promises of async callbacks.
   * The round ends when {@link MeterProvider.g} marks the array: observations after that are
   * ignored, as the spec asks for observations outside a collection.
   */
  private run(n: number): Round {
    const ps: Round = [];
    const fail = (e: unknown): void => report(0, 'callback failed', e);
    const call = <R>(f: (r: R) => unknown, r: R): void => {
      try {
        const x = f(r) as Promise<unknown> | undefined;
        if (x?.then) ps.push(x.then(undefined, fail));
      } catch (e) {
        fail(e);
      }
    };
    for (const m of this.ms.values()) {
      for (const i of m.is.values()) for (const cb of i.cb) call(cb, { observe: (v, a) => ps.x || i.add(v, a, 0, n) });
      // `d`: the real instrument behind an API proxy (api.ts), which the callback may observe
      for (const [cb, obs] of m.bc)
        call(cb, {
          observe: (o, v, a) =>
            ps.x || (obs.includes(o) && (o = (o as { d?: Observable }).d || o) instanceof Instrument && o.add(v, a, 0, n)),
        });
    }
    return ps;
  }

  /** Ends round `ps` (a new one by default) and gathers reader `n`'s data (meters and streams without points are left out). */
  private g(n: number, ps: Round = this.run(n)): ResourceMetrics {
    ps.x = 1;
    const e = now();
    const scopeMetrics: ScopeMetrics[] = [];
    for (const m of this.ms.values()) {
      const metrics: MetricData[] = [];
      for (const i of m.is.values()) for (const s of i.st) if (s.r == n) s.collect(e, metrics);
      if (metrics.length) scopeMetrics.push({ scope: m.s, metrics });
    }
    return { resource: this.resource, scopeMetrics };
  }

  /** Collects and exports through every reader. */
  forceFlush(): Promise<void> {
    return each(this.rd, (r) => r.forceFlush());
  }

  /** Flushes and stops every reader; instruments record nothing afterwards. */
  async shutdown(): Promise<void> {
    const rd = this.rd;
    this.rd = [];
    await each(rd, (r) => r.shutdown());
    for (const m of this.ms.values()) for (const i of m.is.values()) i.st = [];
  }
}

/** Runs `fn` on every reader; failures are reported, after all have run. */
const each = (rd: MetricReader[], fn: (r: MetricReader) => Promise<void>): Promise<void> =>
  Promise.all(
    rd.map(async (r) => {
      try {
        await fn(r);
      } catch (e) {
        report(0, 'reader failed', e);
      }
    }),
  ).then(() => {});

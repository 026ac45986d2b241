import { report, reportOnce, warnConfig } from '../lib/diag';
import { now } from '../lib/time';
import type { Attributes, InstrumentationScope } from '../lib/types';
import { defaultResource, type Resource } from '../trace/resource';
import { setGlobalMeterProvider } from './api';
import type {
  InstrumentDescriptor,
  InstrumentType,
  MetricData,
  MetricReader,
  ResourceMetrics,
  ScopeMetrics,
} from './sdk-types';
import { AttrCache, NO_ATTRS, Stream, type AggregationKind, type StreamOwner } from './stream';
import type {
  BatchObservableCallback,
  Meter,
  MeterOptions,
  MeterProvider as ApiMeterProvider,
  MetricOptions,
  Observable,
  ObservableCallback,
} from './types';

/** The specification's default histogram boundaries. */
export const DEFAULT_BOUNDARIES = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

/**
 * How a view shapes the stream of an instrument it selects. Every field is optional; what is
 * not given comes from the instrument (name, description, advice) and the reader.
 */
export interface StreamConfig {
  /** The stream's name (default: the instrument's). */
  name?: string;
  /** The stream's description (default: the instrument's). */
  description?: string;
  /** Keep only these attribute keys (default: all). */
  attributeKeys?: string[];
  /**
   * How to aggregate (default: by instrument kind: sums for counters, last value for gauges,
   * histogram for histograms); `drop` reports nothing. Observable instruments cannot be
   * histograms: such a config falls back to the default with a diagnostic.
   */
  aggregation?: 'default' | 'drop' | 'sum' | 'lastValue' | 'histogram';
  /** Histogram bucket boundaries (default: the instrument's advice, else the spec's defaults). */
  boundaries?: number[];
  /** Attribute sets per stream and collection (default: the reader's, else the provider's). */
  aggregationCardinalityLimit?: number;
}

/**
 * A view (the spec's View): given a new instrument and its meter's scope, the config of the
 * stream to make for it, or nothing when it does not select the instrument. Make views with
 * `view({ instrumentName: 'http.*', ... })` (`view.ts`), which implements the spec's selection
 * criteria; a function is also fine. An instrument several views select gets one stream per
 * view; one that no view selects gets the default stream.
 */
export type View = (instrument: InstrumentDescriptor, scope: InstrumentationScope) => StreamConfig | undefined | false;

/** Options of {@link MeterProvider}. */
export interface MeterProviderConfig {
  /** Merged over the default resource (`service.name`, `telemetry.sdk.*`). */
  resource?: Resource;
  /** Where metrics go: each reader collects on its own schedule, with its own temporality. */
  readers?: MetricReader[];
  /** Views; see {@link View}. */
  views?: View[];
  /** Attribute sets per instrument (2000, the spec's default); more go to the overflow point. */
  cardinalityLimit?: number;
}

/** An instrument of the SDK: every kind is this class (the API's interfaces narrow it). */
class Instrument implements StreamOwner {
  /** {@inheritDoc StreamOwner.t} */
  readonly t = now();
  /** streams, one per reader (or per view and reader) */
  st: Stream[] = [];
  /** callbacks (observable instruments) */
  readonly cb = new Set<ObservableCallback>();
  // `declare`: assigned in the constructor, not emitted as class fields (bytes)
  /** how it was created */
  declare readonly desc: InstrumentDescriptor;
  /** identity, for duplicate registrations */
  declare readonly id: string;
  /** attribute sets seen */
  declare readonly k: AttrCache;
  /** {@inheritDoc StreamOwner.a} */
  declare readonly a: boolean;
  /** {@inheritDoc StreamOwner.mono} */
  declare readonly mono: boolean;
  /** {@inheritDoc StreamOwner.nn} */
  declare readonly nn: boolean;

  constructor(desc: InstrumentDescriptor, id: string, cap: number) {
    const type = desc.type;
    this.desc = desc;
    this.id = id;
    this.k = new AttrCache(cap);
    this.a = type[0] == 'O';
    this.mono = type == 'COUNTER' || type == 'HISTOGRAM' || type == 'OBSERVABLE_COUNTER';
    this.nn = this.mono && !this.a;
  }

  /** Counter, up-down counter. */
  add(v: number, attrs?: Attributes): void {
    this.r(v, attrs, -1);
  }

  /** Histogram, gauge. */
  record(v: number, attrs?: Attributes): void {
    this.r(v, attrs, -1);
  }

  /** Records into the streams of reader `rd` (-1: all). Never throws. */
  r(v: number, attrs: Attributes | undefined, rd: number): void {
    const st = this.st;
    if (!st.length) return;
    // finite numbers only (NaN and ±Infinity cannot be summed or encoded), ≥ 0 where required
    if (typeof v != 'number' || v - v != 0 || (this.nn && v < 0)) return reportOnce('m.value', 'bad value', this.desc.name, v);
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
    if (this.a && typeof c == 'function') this.cb.add(c);
  }

  /** {@inheritDoc Observable.removeCallback} */
  removeCallback(c: ObservableCallback): void {
    this.cb.delete(c);
  }
}

/** The aggregations a view can ask for ('default' and unknown names: the instrument kind's). */
const AGG: Record<string, AggregationKind> = { sum: 0, lastValue: 1, histogram: 2 };

/** The kinds of instrument, as in the `create…` method names; the type is the SNAKE_CASE form. */
const KINDS = [
  'Counter',
  'UpDownCounter',
  'Histogram',
  'Gauge',
  'ObservableCounter',
  'ObservableUpDownCounter',
  'ObservableGauge',
];

class SdkMeter implements Meter {
  /** instruments */
  readonly is: Instrument[] = [];
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
        const type = k.replace(/\B(?=[A-Z])/g, '_').toUpperCase() as InstrumentType;
        const desc: InstrumentDescriptor = {
          name: (name = String(name)),
          description: o.description || '',
          unit: o.unit || '',
          type,
          valueType: o.valueType == 0 ? 0 : 1,
          advice: o.advice || {},
        };
        // The spec: an identical registration (name case-insensitively, kind, unit, description,
        // value type) gets the same instrument; a conflicting one its own stream of the same name.
        const id = JSON.stringify({ ...desc, name: name.toLowerCase(), advice: 0 });
        let i = this.is.find((x) => x.id == id);
        if (!i) {
          i = new Instrument(desc, id, p.l);
          if (/^[a-z][\w./-]{0,254}$/i.test(name)) p.x(i, s);
          else report(1, 'bad instrument name', name);
          this.is.push(i);
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

/**
 * The metrics SDK's entry point: makes meters whose instruments aggregate in memory until the
 * readers collect them. The hot paths (`add`, `record`) walk the instrument's attribute cache
 * (no allocation for a set seen before) and do one `Map` lookup per stream; see `stream.ts`.
 */
export class MeterProvider implements ApiMeterProvider {
  /** The resource every metric carries. */
  declare readonly resource: Resource;
  declare private rd: MetricReader[];
  declare private readonly v: View[];
  /** @internal the cardinality limit; also the attribute sets each instrument caches */
  declare readonly l: number;
  private readonly ms = new Map<string, SdkMeter>();

  /** @param config - resource, readers, views and cardinality limit */
  constructor(config: MeterProviderConfig = {}) {
    this.resource = defaultResource().merge(config.resource);
    this.v = config.views || [];
    const l = config.cardinalityLimit;
    if (l != null && !(l > 0)) warnConfig('cardinalityLimit', l, 2000);
    this.l = l! > 0 ? l! : 2000;
    (this.rd = [...(config.readers || [])]).forEach((r, n) =>
      r.setMetricProducer({
        collectSync: () => this.g(n, this.run(n)),
        collect: async (timeout = 30000) => {
          const ps = this.run(n);
          let t: ReturnType<typeof setTimeout> | undefined;
          if (ps.length)
            await Promise.race([Promise.all(ps), new Promise((ok) => timeout < Infinity && (t = setTimeout(ok, timeout)))]);
          clearTimeout(t);
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
    const cs = this.v.map((v) => v(d, s)).filter(Boolean) as StreamConfig[];
    this.rd.forEach((r, n) => {
      for (const c of cs.length ? cs : [{} as StreamConfig]) {
        if (c.aggregation == 'drop') continue;
        const dflt: AggregationKind = type.endsWith('GAUGE') ? 1 : type == 'HISTOGRAM' ? 2 : 0;
        let g = AGG[c.aggregation!] ?? dflt;
        if (g > 1 && i.a) {
          // observations are not distributions: the spec says warn and ignore such a view
          report(1, 'no histogram view for', d.name);
          g = dflt;
        }
        let b = c.boundaries || d.advice.explicitBucketBoundaries;
        // finite and increasing (a copy: the caller may change its array), or the default
        if (b && !b.every((x, j) => x - x == 0 && !(x <= b![j - 1]))) {
          report(1, 'bad boundaries', b);
          b = 0 as never;
        }
        b &&= [...b];
        const lim = c.aggregationCardinalityLimit || r.selectCardinalityLimit?.(type) || this.l;
        i.st.push(
          new Stream(
            i,
            n,
            r.selectAggregationTemporality?.(type) === 0,
            g,
            b || DEFAULT_BOUNDARIES,
            lim > 0 ? lim : this.l,
            { ...d, name: c.name || d.name, description: c.description ?? d.description },
            c.attributeKeys && [...c.attributeKeys].sort(),
          ),
        );
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
    const call = (f: () => unknown): void => {
      try {
        const x = f() as Promise<unknown> | undefined;
        if (x && typeof x.then == 'function') ps.push(x.then(undefined, fail));
      } catch (e) {
        fail(e);
      }
    };
    for (const m of this.ms.values()) {
      for (const i of m.is) for (const cb of i.cb) call(() => cb({ observe: (v, a) => ps.x || i.r(v, a, n) }));
      for (const [cb, obs] of m.bc)
        call(() => cb({ observe: (o, v, a) => ps.x || (obs.includes(o) && o instanceof Instrument && o.r(v, a, n)) }));
    }
    return ps;
  }

  /** Ends round `ps` and gathers reader `n`'s data (meters and streams without points are left out). */
  private g(n: number, ps: Round): ResourceMetrics {
    ps.x = 1;
    const e = now();
    const scopeMetrics: ScopeMetrics[] = [];
    for (const m of this.ms.values()) {
      const metrics: MetricData[] = [];
      for (const i of m.is) for (const s of i.st) if (s.r == n) s.collect(e, metrics);
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
    for (const m of this.ms.values()) for (const i of m.is) i.st = [];
  }
}

/** The promises of one collection's async callbacks; `x` set once the collection is over. */
type Round = Promise<unknown>[] & { x?: 1 };

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

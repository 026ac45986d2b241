import { numberOption, report, reportOnce } from '../lib/diag';
import { now } from '../lib/time';
import type { Attributes, InstrumentationScope } from '../lib/types';
import { defaultResource, type Resource } from '../trace/resource';
import { KINDS, setGlobalMeterProvider } from './api';
import type { InstrumentDescriptor, InstrumentType, MetricData, MetricReader, ResourceMetrics, ScopeMetrics } from './sdk-types';
import { attrCache, bounds, stream, within, type AggregationKind, type Stream, type StreamSpec, type View } from './stream';
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

/** The attributes of a measurement without any (one object: no allocation per record). */
const NONE: Attributes = {};

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

/**
 * An instrument of the SDK: every kind is this object (the API's interfaces narrow it). Plain
 * objects of closures, made in one place, cost fewer bytes than classes (no `this.`).
 */
interface Instrument extends Observable {
  /** streams, one per reader (or per view and reader) */
  readonly st: Stream[];
  /** callbacks (observable instruments) */
  readonly cb: Set<ObservableCallback>;
  /**
   * Counter, up-down counter (and, as `record`, histogram, gauge): records into the streams of
   * reader `rd` (default: all; observable callbacks pass theirs, after the context argument the
   * API gives `add`). Never throws.
   */
  add(v: number, attrs?: Attributes, ctx?: unknown, rd?: number): void;
  /** Histogram, gauge: the same as {@link Instrument.add}. */
  record: Instrument['add'];
}

/** A meter of the SDK. */
interface SdkMeter extends Meter {
  /** the scope */
  s: InstrumentationScope;
  /** instruments by identity (for duplicate registrations) */
  is: Map<string, Instrument>;
  /** batch callbacks and the instruments each may observe */
  bc: Map<BatchObservableCallback, Observable[]>;
}

/** The promises of one collection's async callbacks; `x` set once the collection is over. */
type Round = Promise<unknown>[] & { x?: 1 };

/**
 * The metrics SDK's entry point: makes meters whose instruments aggregate in memory until the
 * readers collect them. The hot paths (`add`, `record`) walk the instrument's attribute cache
 * (no allocation for a set seen before) and do one `Map` lookup per stream; see `stream.ts`.
 */
export class MeterProvider implements ApiMeterProvider {
  // the methods are closures over the provider's state, set in the constructor: no `this.` (bytes)
  /** The resource every metric carries. */
  declare readonly resource: Resource;
  /** {@inheritDoc MeterProvider.getMeter} */
  declare readonly getMeter: (name: string, version?: string, options?: MeterOptions) => Meter;
  /** Makes this the global meter provider, so `metrics.getMeter` (here and in libraries) records through it. */
  declare readonly register: () => void;
  /** Collects and exports through every reader. */
  declare readonly forceFlush: () => Promise<void>;
  /** Flushes and stops every reader; instruments record nothing afterwards. */
  declare readonly shutdown: () => Promise<void>;

  /** @param config - resource, readers, views and cardinality limit (none, or null: the defaults) */
  constructor(config?: MeterProviderConfig | null) {
    config ||= {};
    const resource = defaultResource().merge(config.resource);
    const views = config.views || [];
    /** the cardinality limit; also bounds each instrument's attribute cache */
    const lim = numberOption(config, 'cardinalityLimit', 2000, 5e-324);
    const ms = new Map<string, SdkMeter>();
    let rd = [...(config.readers || [])];
    rd.forEach((r, n) => {
      /**
       * Runs every observable callback for reader `n`; returns the promises of async callbacks.
       * The round ends when `g` marks the array: observations after that are ignored, as the
       * spec asks for observations outside a collection.
       */
      const run = (): Round => {
        const ps: Round = [];
        // an async wrapper: runs `f` at once (it observes synchronously, as collectSync needs),
        // and turns a throw into a rejection, caught like an async callback's
        const call = <R>(f: (r: R) => unknown, r: R): unknown =>
          ps.push((async () => f(r))().catch((e) => report(0, 'callback failed', e)));
        for (const m of ms.values()) {
          for (const i of m.is.values()) for (const cb of i.cb) call(cb, { observe: (v, a) => ps.x || i.add(v, a, 0, n) });
          // `d`: the real instrument behind an API proxy (api.ts), which the callback may observe
          for (const [cb, obs] of m.bc)
            call(cb, { observe: (o, v, a) => ps.x || (obs.includes(o) && ((o as { d?: Instrument }).d || (o as Instrument)).add?.(v, a, 0, n)) });
        }
        return ps;
      };
      /** Ends round `ps` (a new one by default) and gathers reader `n`'s data (meters and streams without points are left out). */
      const g = (ps = run()): ResourceMetrics => {
        ps.x = 1;
        const e = now();
        const scopeMetrics: ScopeMetrics[] = [];
        for (const m of ms.values()) {
          const metrics: MetricData[] = [];
          for (const i of m.is.values()) for (const s of i.st) if (s.r == n) s.c(e, metrics);
          if (metrics.length) scopeMetrics.push({ scope: m.s, metrics });
        }
        return { resource, scopeMetrics };
      };
      r.setMetricProducer({
        collectSync: g,
        // (`within` never rejects here: every callback's promise has its catch)
        collect: (timeout = 30000, ps = run()) => within(Promise.all(ps), timeout).then(() => g(ps)),
      });
    });

    /** Makes an instrument of kind `KINDS[j]` in meter `m` (or returns the identical one it has). */
    const create = (m: SdkMeter, j: number, name: string, o?: MetricOptions | null): Instrument => {
      o ||= {};
      const type = KINDS[j].replace(/\B(?=[A-Z])/g, '_').toUpperCase() as InstrumentType;
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
      let i = m.is.get(id);
      if (!i) {
        const st: Stream[] = [];
        const cb = new Set<ObservableCallback>();
        const key = attrCache(lim);
        // counters and histograms take no negative values; up-down counters, gauges and observables do
        const nn = (5 >> j) & 1; // (bit masks of kinds: see stream.ts)
        const add = (v: number, attrs?: Attributes, _ctx?: unknown, r?: number): void => {
          // no streams (no readers, a bad name, or shut down): nothing to do
          if (!st[0]) return;
          // finite numbers only (NaN and ±Infinity cannot be summed or encoded), ≥ 0 where required
          if (!Number.isFinite(v) || (nn && v < 0)) return reportOnce('m.value', 'bad value', name, v);
          if (!desc.valueType) v = Math.trunc(v);
          try {
            const e = key(attrs || NONE);
            for (const s of st) if (s.r == (r ?? s.r)) s.rec(v, e);
          } catch (e) {
            reportOnce('m.record', 'record failed', e);
          }
        };
        m.is.set(
          id,
          (i = {
            st,
            cb,
            add,
            record: add,
            // not checked here: a callback that is no function fails in `run`, reported there
            addCallback: (c) => cb.add(c),
            removeCallback: (c) => cb.delete(c),
          } as Instrument),
        );
        if (/^[a-z][\w./-]{0,254}$/i.test(name)) {
          // the streams: per reader, one per selecting view (or the default)
          const dflt: StreamSpec = { g: j == 2 ? 2 : (((72 >> j) & 1) as AggregationKind), b: bounds(desc.advice.explicitBucketBoundaries), md: desc };
          const cs = views.map((v) => v(desc, m.s, dflt)).filter(Boolean) as StreamSpec[];
          rd.forEach((r, n) => {
            for (const c of cs.length ? cs : [dflt]) {
              const l = c.l || r.selectCardinalityLimit?.(type);
              if (c.g >= 0) st.push(stream(n, r.selectAggregationTemporality?.(type) === 0, c, l! > 0 ? l! : lim, j));
            }
          });
        } else report(1, 'bad instrument name', name);
      }
      return i;
    };

    Object.assign(this, {
      resource,
      getMeter(name: string, version?: string, options?: MeterOptions): Meter {
        const schemaUrl = options?.schemaUrl;
        const id = `${name}@${version}:${schemaUrl}`;
        let m = ms.get(id);
        if (!m) {
          const bc = new Map<BatchObservableCallback, Observable[]>();
          ms.set(
            id,
            (m = {
              s: { name: String(name || ''), version, schemaUrl },
              is: new Map(),
              bc,
              addBatchObservableCallback: (cb: BatchObservableCallback, obs: Observable[]) => bc.set(cb, obs),
              removeBatchObservableCallback: (cb: BatchObservableCallback) => bc.delete(cb),
            } as unknown as SdkMeter),
          );
          // seven methods written once (bytes matter: this is in every bundle that meters)
          KINDS.forEach((k, j) => ((m as unknown as Record<string, unknown>)['create' + k] = (n: string, o?: MetricOptions) => create(m!, j, n, o)));
        }
        return m;
      },
      register: () => setGlobalMeterProvider(this) || report(1, 'meter provider already registered'),
      forceFlush: () => each(rd, 'forceFlush'),
      async shutdown(): Promise<void> {
        const old = rd;
        rd = []; // no streams for new instruments, no second shutdown
        await each(old, 'shutdown');
        // only now: the readers' final collection runs the observable callbacks, whose values
        // must reach the streams; then instruments record nothing and the points are freed
        for (const m of ms.values()) for (const i of m.is.values()) i.st.length = 0;
      },
    });
  }
}

/** Calls method `k` of every reader; failures are reported, after all have run. */
const each = async (rd: MetricReader[], k: 'forceFlush' | 'shutdown'): Promise<void> => {
  await Promise.all(
    rd.map(async (r) => {
      try {
        await r[k]();
      } catch (e) {
        report(0, 'reader failed', e);
      }
    }),
  );
};

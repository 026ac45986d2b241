import { isAttributeValue } from '../lib/attributes';
import { report } from '../lib/diag';
import { now } from '../lib/time';
import type { Attributes, InstrumentationScope } from '../lib/types';
import type { Histogram, InstrumentDescriptor, MetricData, MetricDescriptor } from './sdk-types';

/** An attribute set ready for the streams: its canonical key, and its cleaned attributes. */
export type AttrSet = [key: string, attributes: Attributes];

/**
 * `p`, or `late` when `p` has not settled after `ms` (`Infinity`: no limit); the timer is
 * cleared either way. Bounds a collection's async callbacks and an export.
 */
export const within = <T>(p: Promise<T>, ms: number, late?: T): Promise<T> => {
  let t: Parameters<typeof clearTimeout>[0];
  return Promise.race([p, new Promise<T>((ok) => ms < Infinity && (t = setTimeout(ok, ms, late)))]).finally(() => clearTimeout(t));
};

/** The specification's default histogram boundaries. */
export const DEFAULT_BOUNDARIES = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

/**
 * Histogram boundaries as given when they are finite and increasing (a copy: the caller may
 * change its array), else the default ones (with a diagnostic when some were given).
 */
export const bounds = (b?: number[]): number[] =>
  b && b.every((x, j) => x - x == 0 && !(x <= b[j - 1]))
    ? [...b]
    : (b && report(1, 'bad boundaries', b), DEFAULT_BOUNDARIES);

/**
 * Cleans an attribute set as for spans (primitives and homogeneous arrays; invalid entries
 * dropped with a diagnostic), sorts its keys and keys it by the JSON of the result: the same
 * set gives the same key whatever the key order. Only ±Infinity and NaN share a key (all are
 * JSON `null`), which only merges points of such odd values. `keep`: only these keys (sorted).
 */
export function canonical(raw: Attributes, keep?: string[]): AttrSet {
  const a: Attributes = {};
  for (const n of keep || Object.keys(raw).sort()) {
    const v = raw[n];
    if (n && isAttributeValue(v)) a[n] = Array.isArray(v) ? (v.slice() as typeof v) : v;
    else if (v != null) report(1, 'bad attribute', n);
  }
  return [JSON.stringify(a), a];
}

/** name → value → name → … → (0 →) the set; see {@link attrCache}. */
type Trie = Map<unknown, Trie | AttrSet>;

/**
 * Maps attribute objects, as the caller wrote them, to their {@link AttrSet}: the hot path of
 * every `add` and `record`. A trie of attribute names and values (insertion order), walked
 * with one `Map.get` per name and per value, finds a set seen before without building a string
 * or allocating anything: property names and string constants keep their hash in V8, numbers
 * and booleans need none (a JSON key measured 5-10x slower). Sets with array (or invalid
 * object) values are not cached: identity says nothing of content; rare, and slower.
 *
 * Memory: at most `8 * cap` trie nodes (a full cache starts over, so the sets in use come back
 * at once); the nodes of a walk that stops at an array count too.
 */
export const attrCache = (cap: number): ((a: Attributes) => AttrSet) => {
  let root: Trie = new Map();
  let n = 0;
  /** one level down from `t`, made when absent */
  const step = (t: Trie, k: unknown): Trie => {
    let u = t.get(k) as Trie | undefined;
    if (!u) {
      if (++n > 8 * cap) (root = new Map()), (n = 0);
      t.set(k, (u = new Map()));
    }
    return u;
  };
  return (a) => {
    let t = root;
    for (const k in a) {
      const v = a[k];
      if (v != null) {
        if (typeof v == 'object') return canonical(a);
        t = step(step(t, k), v);
      }
    }
    let e = t.get(0) as AttrSet | undefined;
    if (!e) t.set(0, (e = canonical(a)));
    return e;
  };
};

/*
 * Instrument kinds are given by their index j in `KINDS` (api.ts: 0 Counter, 1 UpDownCounter,
 * 2 Histogram, 3 Gauge, then 4-6 the observable Counter, UpDownCounter, Gauge), and sets of
 * kinds as bit masks, kind j being in the set when bit j is on: fewer bytes than tests of the
 * type's name. Literal numbers (esbuild does not inline imported constants):
 * - 0b101 (5): no negative values (counter, histogram);
 * - 0b10101 (21): monotonic sums (counter, histogram, observable counter);
 * - 0b1001000 (72): last value by default (gauge, observable gauge).
 */

/** The attribute set of the point that takes the measurements over the cardinality limit. */
const OVERFLOW: Attributes = { 'otel.metric.overflow': true };

/** One attribute set's aggregate. */
export interface Point {
  /** attributes (cleaned, keys sorted) */
  a: Attributes;
  /** canonical key ('' for the overflow point) */
  k: string;
  /** start time (cumulative streams) */
  s: number;
  /** sum, or last value */
  v: number;
  /** count (histogram) */
  n: number;
  /** min, max (histogram) */
  lo?: number;
  hi?: number;
  /** bucket counts (histogram) */
  c?: number[];
}

/** How a stream aggregates: sum, last value, explicit-bucket histogram; -1: not at all (dropped). */
export type AggregationKind = -1 | 0 | 1 | 2;

/**
 * The stream an instrument gets (per reader): what a {@link View} decides. The provider makes
 * the default one from the instrument (aggregation by kind, advised or default boundaries, the
 * instrument's name and description); `view()` (`view.ts`) makes the others.
 */
export interface StreamSpec {
  /** aggregation (-1: drop the stream) */
  g: AggregationKind;
  /** histogram boundaries (valid: see {@link bounds}) */
  b: number[];
  /** the exported identity */
  md: MetricDescriptor;
  /** cardinality limit (default: the reader's, else the provider's) */
  l?: number;
  /** attribute filter: the set to aggregate a measurement's set into */
  f?: (e: AttrSet) => AttrSet;
}

/**
 * A view (the spec's View): given a new instrument, its meter's scope and the stream it would
 * get without views, the stream to make, or nothing when the view does not select it. Make views
 * with `view({ instrumentName: 'http.*', ... })` (`view.ts`, which implements the spec's
 * selection criteria and stream configuration). An instrument several views select gets one
 * stream per view; one that no view selects gets the default stream.
 */
export type View = (instrument: InstrumentDescriptor, scope: InstrumentationScope, dflt: StreamSpec) => StreamSpec | undefined | false;

/**
 * The state of one metric stream for one reader: an instrument's points keyed by attribute
 * set, aggregated one way, reported with one temporality.
 */
export interface Stream {
  /** the reader's index */
  readonly r: number;
  /** Aggregates `x` into the point of attribute set `e`. The hot path. */
  rec(x: number, e: AttrSet): void;
  /**
   * Appends this stream's data at time `e` to `out` (nothing when it has no points), and
   * starts the next interval: delta and observable streams forget their points.
   */
  c(e: number, out: MetricData[]): void;
}

/**
 * Makes a {@link Stream} of an instrument (of kind `j`, its index in `KINDS`) for reader `r`,
 * delta (`d`) or cumulative, shaped by `spec`, keeping at most `l` attribute sets (a closure:
 * fewer bytes than a class).
 *
 * Memory: at most `l` attribute sets plus the overflow point, and at most twice that in keys
 * (aliases: sets that a view's attribute filter or the overflow merges). Delta and observable
 * streams start empty after each collection; cumulative streams keep their points, within the
 * limit.
 */
export const stream = (r: number, d: boolean, { g, b, md, f }: StreamSpec, l: number, j: number): Stream => {
  /** asynchronous (observable) */
  const a = j > 3;
  /** monotonic sum */
  const mono = (21 >> j) & 1;
  /** records only non-negative values (counter, histogram): a histogram's sum is meaningful */
  const nn = (5 >> j) & 1;
  /** canonical keys (and aliases: sets filtered or overflowed into another point) → point */
  let m: Map<string, Point>;
  /** points, in creation order (the overflow point included) */
  let ps: Point[];
  /**
   * observable streams: the previous collection's key map (every point under its own key, and
   * aliases: see where it is read)
   */
  let o: Map<string, Point> | undefined;
  /** start of the current delta interval: the previous collection, or the instrument's creation */
  let t = now();
  /** forgets the points (a new stream, or a new interval of a delta or observable one) */
  const z = (): void => {
    m = new Map();
    ps = [];
  };
  /**
   * A set without a point yet: filter it (a view's attribute keys), find or create the point.
   * Over the cardinality limit, the overflow point takes the measurement: every measurement
   * lands in exactly one point (https://opentelemetry.io/docs/specs/otel/metrics/sdk/#cardinality-limits).
   * The set as given becomes an alias of the point it went to, so that it takes the fast path
   * next time (as long as the aliases stay within the limit).
   */
  const miss = (e: AttrSet): Point => {
    let [k, at] = f ? f(e) : e;
    let p = m.get(k);
    if (!p) {
      if (ps.length >= l) p = m.get((k = '')); // '' is no canonical key
      if (!p) {
        m.set(
          k,
          (p = {
            a: k ? at : OVERFLOW,
            k,
            // spec: a synchronous series starts at its first measurement; an observed one at the
            // collection before it (collect keeps the first start of a series observed again)
            s: a ? t : now(),
            v: 0,
            n: 0,
            c: g > 1 ? [...b, 0].fill(0) : undefined,
          }),
        );
        ps.push(p);
      }
    }
    // (its own key again when it was neither filtered nor overflowed: no harm)
    if (m.size < 2 * l) m.set(e[0], p);
    return p;
  };
  z();
  return {
    r,
    rec(x, e) {
      const p = m.get(e[0]) || miss(e);
      if (g > 1) {
        p.v += x;
        p.n++;
        // (unset on the first record: a comparison with undefined is false)
        if (!(x >= p.lo!)) p.lo = x;
        if (!(x <= p.hi!)) p.hi = x;
        let j = 0;
        // a handful of bounds: a linear scan beats a binary search; bucket j is (b[j-1], b[j]]
        // (past the last bound, `x > undefined` is false: the last bucket)
        while (x > b[j]) j++;
        p.c![j]++;
      } else if (g) p.v = x;
      // sums; observable sums start from zero at each collection, so duplicate observations
      // (or sets a view's attribute filter merges) add up
      else p.v += x;
    },
    c(e, out) {
      if (ps.length)
        out.push({
          descriptor: md,
          aggregationTemporality: +!d,
          dataPointType: [3, 2, 0][g],
          isMonotonic: !!mono,
          dataPoints: ps.map((p) => {
            let v: number | Histogram = p.v;
            const q = o?.get(p.k);
            // (the map also holds aliases: a set that went to the overflow point is there under
            // its own key, pointing at that point, which is not this series' past)
            if (q && q.k == p.k) {
              // observed again: the series keeps its start; a delta is the change since the
              // previous collection (a monotonic value that went down was reset: from zero)
              p.s = q.s;
              if (d && !g && (v -= q.v) < 0 && mono) v = p.v;
            }
            return {
              startTime: d ? t : p.s,
              endTime: e,
              attributes: p.a,
              value:
                g > 1
                  ? { buckets: { boundaries: b, counts: d ? p.c! : p.c!.slice() }, sum: nn ? v : undefined, count: p.n, min: p.lo, max: p.hi }
                  : v,
            };
          }),
        } as MetricData);
      if (a) o = m;
      if (d || a) z();
      t = e;
    },
  };
};

import { isAttributeValue } from '../lib/attributes';
import { report } from '../lib/diag';
import { now } from '../lib/time';
import type { Attributes } from '../lib/types';
import type { Histogram, MetricData, MetricDescriptor } from './sdk-types';

/** An attribute set ready for the streams: its canonical key, and its cleaned attributes. */
export type AttrSet = [key: string, attributes: Attributes];

/** The empty attribute set. */
export const NO_ATTRS: AttrSet = ['{}', {}];

/**
 * Cleans an attribute set as for spans (primitives and homogeneous arrays; invalid entries
 * dropped with a diagnostic), sorts its keys and keys it by the JSON of the result: the same
 * set gives the same key whatever the key order. Only ±Infinity and NaN share a key (all are
 * JSON `null`), which only merges points of such odd values.
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

/** name → value → name → … → (0 →) the set; see {@link AttrCache}. */
type Trie = Map<unknown, Trie | AttrSet>;

/** One level down the trie, made when absent if `make`. */
function step(t: Trie | undefined, k: unknown, make: 0 | 1): Trie | undefined {
  let u = t?.get(k) as Trie | undefined;
  if (!u && make) t!.set(k, (u = new Map()));
  return u;
}

/**
 * Maps attribute objects, as the caller wrote them, to their {@link AttrSet}: the hot path of
 * every `add` and `record`. A trie of attribute names and values (insertion order), walked
 * with one `Map.get` per name and per value, finds a set seen before without building a string
 * or allocating anything: property names and string constants keep their hash in V8, numbers
 * and booleans need none. Sets with array (or invalid) values are not cached: rare, and slower.
 *
 * Memory: at most `cap` sets (a full cache starts over, so the sets in use come back at once).
 */
export class AttrCache {
  private t: Trie = new Map();
  private n = 0;
  declare private readonly cap: number; // `declare`: not emitted as a class field (bytes)
  /** @param cap - sets kept at most */
  constructor(cap: number) {
    this.cap = cap;
  }

  /** The set of `a`. */
  get(a: Attributes): AttrSet {
    let e = this.w(a, 0)?.get(0) as AttrSet | undefined;
    if (!e) {
      e = canonical(a);
      for (const n in a) if (typeof a[n] == 'object' && a[n]) return e; // arrays: not cached
      if (this.n++ >= this.cap) {
        this.t = new Map();
        this.n = 1;
      }
      this.w(a, 1)!.set(0, e);
    }
    return e;
  }

  /** Walks (`make`: builds) the path of `a`; undefined when absent or not cacheable. */
  private w(a: Attributes, make: 0 | 1): Trie | undefined {
    let t: Trie | undefined = this.t;
    for (const n in a) {
      const v = a[n];
      if (v == null) continue;
      if (typeof v == 'object') return; // arrays (and invalid objects): identity says nothing of content
      t = step(step(t, n, make), v, make);
      if (!t) return;
    }
    return t;
  }
}

/** The attribute set of the point that takes the measurements over the cardinality limit. */
const OVERFLOW: Attributes = { 'otel.metric.overflow': true };

/** One attribute set's aggregate. */
export interface Point {
  /** attributes (cleaned, keys sorted) */
  a: Attributes;
  /** canonical key */
  k: string;
  /** start time (cumulative streams) */
  s: number;
  /** sum, or last value */
  v: number;
  /** count (histogram) */
  n: number;
  /** min, max (histogram) */
  lo: number;
  hi: number;
  /** bucket counts (histogram) */
  c?: number[];
}

/** What a stream needs of its instrument. */
export interface StreamOwner {
  /** creation time */
  readonly t: number;
  /** asynchronous (observable) */
  readonly a: boolean;
  /** monotonic sum */
  readonly mono: boolean;
  /** records only non-negative values (counter, histogram): a histogram's sum is meaningful */
  readonly nn: boolean;
}

/** How a stream aggregates: sum, last value, explicit-bucket histogram. */
export type AggregationKind = 0 | 1 | 2;

/**
 * The state of one metric stream for one reader: an instrument's points keyed by attribute
 * set, aggregated one way, reported with one temporality.
 *
 * Memory: at most `limit` attribute sets plus the overflow point, and at most twice that in
 * keys (aliases: sets that a view's attribute filter merges). Delta and
 * observable streams start empty after each collection; cumulative streams keep their points,
 * within the limit.
 */
export class Stream {
  /** canonical keys (and, for a view's filter, the unfiltered ones) → point */
  private m = new Map<string, Point>();
  /** points, in creation order */
  private ps: Point[] = [];
  /** attribute sets held, the overflow point not counted */
  private n = 0;
  /** the overflow point */
  declare private ov?: Point;
  /** observable streams: the previous collection's points by canonical key */
  declare private o?: Map<string, Point>;
  /** start of the current delta interval: the previous collection, or the instrument's creation */
  declare private t: number;
  // `declare`: assigned in the constructor; a plain declaration would also be emitted as a class
  // field (bytes, in every metrics bundle)
  declare private readonly i: StreamOwner;
  /** the reader's index */
  declare readonly r: number;
  declare private readonly d: boolean;
  declare private readonly g: AggregationKind;
  declare private readonly b: number[];
  declare private readonly l: number;
  declare private readonly md: MetricDescriptor;
  declare private readonly ks?: string[];

  /**
   * @param i - the instrument
   * @param r - the reader's index
   * @param d - delta temporality
   * @param g - aggregation
   * @param b - histogram boundaries
   * @param l - cardinality limit
   * @param md - the exported identity
   * @param ks - the attribute keys a view keeps (sorted), or all
   */
  constructor(
    i: StreamOwner,
    r: number,
    d: boolean,
    g: AggregationKind,
    b: number[],
    l: number,
    md: MetricDescriptor,
    ks?: string[],
  ) {
    this.i = i;
    this.r = r;
    this.d = d;
    this.g = g;
    this.b = b;
    this.l = l;
    this.md = md;
    this.ks = ks;
    this.t = i.t;
    if (i.a) this.o = new Map();
  }

  /** Aggregates `x` into the point of attribute set `e`. The hot path. */
  rec(x: number, e: AttrSet): void {
    const p = this.m.get(e[0]) || this.miss(e);
    if (this.g == 2) {
      p.v += x;
      p.n++;
      if (x < p.lo) p.lo = x;
      if (x > p.hi) p.hi = x;
      const b = this.b;
      let j = 0;
      // a handful of bounds: a linear scan beats a binary search; bucket j is (b[j-1], b[j]]
      while (j < b.length && x > b[j]) j++;
      p.c![j]++;
    } else if (this.g) p.v = x;
    // sums; observable sums start from zero at each collection, so duplicate observations
    // (or sets a view's attribute filter merges) add up
    else p.v += x;
  }

  /**
   * A set without a point yet: keep the view's keys, find or create the point. Over the
   * cardinality limit, the overflow point takes the measurement: every measurement lands in
   * exactly one point (https://opentelemetry.io/docs/specs/otel/metrics/sdk/#cardinality-limits).
   */
  private miss(e: AttrSet): Point {
    const [k, a] = this.ks ? canonical(e[1], this.ks) : e;
    let p = this.m.get(k);
    if (!p) {
      const over = this.n >= this.l;
      if (!over || !(p = this.ov)) {
        p = {
          a: over ? OVERFLOW : a,
          k: over ? '' : k, // '' is no canonical key
          // spec: a synchronous series starts at its first measurement; an observed one at the
          // collection before it (collect() keeps the first start of a series observed again)
          s: this.i.a ? this.t : now(),
          v: 0,
          n: 0,
          lo: Infinity,
          hi: -Infinity,
          c: this.g > 1 ? this.b.map(() => 0).concat(0) : undefined,
        };
        this.ps.push(p);
        if (over) return (this.ov = p);
        this.n++;
        this.m.set(k, p);
      }
    }
    // the set as given, when a view's filter made another one of it
    if (k != e[0] && this.m.size < 2 * this.l) this.m.set(e[0], p);
    return p;
  }

  /**
   * Appends this stream's data at time `e` to `out` (nothing when it has no points), and
   * starts the next interval: delta and observable streams forget their points.
   */
  collect(e: number, out: MetricData[]): void {
    const { d, g, i, o, ps } = this;
    if (ps.length)
      out.push({
        descriptor: this.md,
        aggregationTemporality: d ? 0 : 1,
        dataPointType: g > 1 ? 0 : g ? 2 : 3,
        isMonotonic: i.mono,
        dataPoints: ps.map((p) => {
          let v: number | Histogram = p.v;
          const q = o?.get(p.k);
          if (q) {
            // observed again: the series keeps its start; a delta is the change since the
            // previous collection (a monotonic value that went down was reset: from zero)
            p.s = q.s;
            if (d && !g && (v -= q.v) < 0 && i.mono) v = p.v;
          }
          if (g > 1)
            v = {
              buckets: { boundaries: this.b, counts: d ? p.c! : p.c!.slice() },
              sum: i.nn ? p.v : undefined,
              count: p.n,
              min: p.lo,
              max: p.hi,
            };
          return { startTime: d ? this.t : p.s, endTime: e, attributes: p.a, value: v };
        }),
      } as MetricData);
    if (o) this.o = new Map(ps.map((p) => [p.k, p]));
    if (d || o) {
      this.m = new Map();
      this.ps = [];
      this.n = 0;
      this.ov = undefined;
    }
    this.t = e;
  }
}

import { isAttributeValue } from '../lib/attributes';
import { report } from '../lib/diag';
import { now } from '../lib/time';
import type { Attributes } from '../lib/types';
import type { Histogram, MetricData, MetricDescriptor } from './sdk-types';

/**
 * The key of an attribute set as given, in the object's own key order: one string, built without
 * sorting, so the hot path is a concatenation and one `Map` lookup. It is injective on the
 * valid input (lengths prefix keys and strings, a tag marks each type), and sets that differ only
 * in key order or invalid values are mapped to one series by {@link Stream.miss}.
 */
export function attrKey(a: Attributes): string {
  let k = '';
  for (const n in a) {
    const v = a[n];
    if (v == null) continue;
    const t = typeof v;
    k +=
      n.length +
      ':' +
      n +
      (t == 'string'
        ? '"' + (v as string).length + ':' + v
        : t == 'number'
          ? '#' + v + ';'
          : t == 'boolean'
            ? (v ? 'T' : 'F')
            : Array.isArray(v)
              ? JSON.stringify(v) // self-delimiting, and tells 1 from "1"
              : '?'); // not a valid value: dropped by cleaning, so its content does not matter
  }
  return k;
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
 * keys (aliases: the same set given in another key order, or with invalid values). Delta and
 * observable streams start empty after each collection; cumulative streams keep their points,
 * within the limit.
 */
export class Stream {
  /** raw and canonical keys → point */
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

  /** Aggregates `x` into the point of the set whose raw key is `k`. The hot path. */
  rec(x: number, k: string, a: Attributes | undefined): void {
    const p = this.m.get(k) || this.miss(k, a);
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
   * A raw key not seen yet: clean the attributes (the span rules: primitives and homogeneous
   * arrays, invalid ones dropped with a diagnostic), keep the view's keys, sort, and find or
   * create the point of the canonical set; remember the raw key as an alias while there is
   * room. Over the cardinality limit, the overflow point takes the measurement: every
   * measurement lands in exactly one point (https://opentelemetry.io/docs/specs/otel/metrics/sdk/#cardinality-limits).
   */
  private miss(k: string, raw: Attributes = {}): Point {
    const a: Attributes = {};
    for (const n of this.ks || Object.keys(raw).sort()) {
      const v = raw[n];
      if (n && isAttributeValue(v)) a[n] = Array.isArray(v) ? (v.slice() as typeof v) : v;
      else if (v != null) report(1, 'bad attribute', n);
    }
    const ck = attrKey(a);
    let p = this.m.get(ck);
    if (!p) {
      const over = this.n >= this.l;
      if (!over || !(p = this.ov)) {
        p = {
          a: over ? OVERFLOW : a,
          k: over ? '\0' : ck, // '\0' is no attrKey() output
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
        if (over) this.ov = p;
        else this.m.set(ck, p);
        this.n++;
      }
    }
    if (this.m.size < 2 * this.l) this.m.set(k, p);
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

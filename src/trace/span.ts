import type { Context } from '../context/types';
import { attributesBag, cleanAttribute } from '../lib/attributes';
import { report } from '../lib/diag';
import { clock, millisOr } from '../lib/time';
import type { Attributes, AttributeValue, InstrumentationScope, TimeInput } from '../lib/types';
import { getSpan } from './api';
import type { Resource } from './resource';
import { hexId } from './id-generator';
import type { ReadableSpan, SpanProcessor, TimedEvent } from './sdk-types';
import { isSpanContextValid, wrote } from './span-context';
import type { Exception, Link, Span, SpanContext, SpanKind, SpanStatus } from './types';

/** Span limits with every field resolved. */
export type ResolvedLimits = {
  a: number; // attributes per span
  l: number; // value length
  e: number; // events per span
  k: number; // links per span
  ea: number; // attributes per event
  la: number; // attributes per link
};

/** What all spans of one tracer share, so a span holds one pointer instead of four. */
export interface TracerState {
  /** resource */
  readonly r: Resource;
  /** instrumentation scope */
  readonly s: InstrumentationScope;
  /** limits */
  readonly x: ResolvedLimits;
  /** processors */
  readonly p: SpanProcessor[];
  /** the clock of the spans (made by `clock()` from lib/time on first use when not given) */
  c?: () => number;
}

/**
 * Copies `attrs` into the empty `into` within `max` keys and the length limit; returns how many
 * keys the count limit dropped.
 */
function copy(attrs: Attributes | undefined, max: number, len: number, into: Attributes): number {
  let dropped = 0;
  let n = 0;
  // for-in over undefined is no iteration; its keys are unique, so each valid one is new
  for (const k in attrs) {
    const v = cleanAttribute(k, attrs[k], len);
    if (v !== undefined) n++ < max ? (into[k] = v) : dropped++;
  }
  return dropped;
}

/** Shared by every new span: setStatus replaces the object, never changes it. */
const UNSET: SpanStatus = { code: 0 };

/**
 * The events and links of a span that has none (and the links a sampler sees when there are none): most spans have neither, and two arrays less per
 * span measured 5-10% faster span start+end (less to allocate and to copy while spans wait in the
 * export queue). Frozen, so that code that pushes into a span's arrays (not its API) fails loudly
 * instead of changing every span.
 */
export const NONE: readonly unknown[] = Object.freeze([]);

const str = (v: unknown): string | undefined => (v == null ? undefined : String(v));

/** `t` in epoch milliseconds; now (by the tracer's clock) when it is absent or not a time (see `millisOr`). */
// (absent, the common case, straight to the clock: a span start and end read it on the hot path)
const time = (s: TracerState, t: TimeInput | undefined): number => (t == null ? (s.c ||= clock())() : millisOr(t, (s.c ||= clock())));

/**
 * The span in `ctx` when its span context is valid. A span made by this SDK's tracer is valid by
 * construction (an `IdGenerator` must return valid ids), so only others (remote parents, spans of
 * other SDKs) pay for the regex check, which was a third of the cost of a nested span.
 */
export const parentOf = (ctx: Context): Span | undefined => {
  const s = getSpan(ctx);
  return s instanceof RecordingSpan || isSpanContextValid(s?.spanContext()) ? s : undefined;
};

/**
 * The span context of `s` as it is: for an SDK span, its ids may not be written out yet (see
 * {@link RecordingSpan.spanContext}), but its flags and trace state are there.
 */
export const contextOf = (s: Span): SpanContext => (s instanceof RecordingSpan ? s.sc : s.spanContext());

/**
 * Writes out the ids of `c` from the random bytes at `z` in `y`: the span id from the first 8,
 * the trace id (unless it has one) from the parent's context `p`, or for a root from the next 16.
 */
export const writeIds = (c: SpanContext, y: Uint8Array, z: number, p?: SpanContext): SpanContext => {
  c.spanId = hexId(y, z, 8);
  c.traceId ||= p ? p.traceId : hexId(y, z + 8, 16);
  return wrote(c);
};

/**
 * The SDK's recording span: where a span is born (the tracer constructs it) and what processors
 * and exporters read. Fields are plain and public for the exporter; the `Span` methods are the
 * only writers, and they stop writing once the span has ended.
 */
export class RecordingSpan implements Span, ReadableSpan {
  /**
   * {@inheritDoc ReadableSpan.attributes} An object without a prototype: any string is a plain
   * key, `__proto__` and `constructor` included.
   */
  readonly attributes: Attributes = attributesBag();
  /** {@inheritDoc ReadableSpan.events} (A span without events shares one frozen empty array.) */
  events: TimedEvent[] = NONE as TimedEvent[];
  /** {@inheritDoc ReadableSpan.links} (A span without links shares one frozen empty array.) */
  links: Link[] = NONE as Link[];
  /** {@inheritDoc ReadableSpan.status} */
  status: SpanStatus = UNSET;
  /** {@inheritDoc ReadableSpan.endTime} */
  endTime = 0;
  /** {@inheritDoc ReadableSpan.ended} */
  ended = false;
  /** {@inheritDoc ReadableSpan.droppedAttributesCount} */
  droppedAttributesCount = 0;
  /** {@inheritDoc ReadableSpan.droppedEventsCount} */
  droppedEventsCount = 0;
  /** {@inheritDoc ReadableSpan.droppedLinksCount} */
  droppedLinksCount = 0;
  /** {@inheritDoc ReadableSpan.startTime} */
  readonly startTime: number;
  /** setAttribute calls that passed the value checks (while below the limit, keys are never counted) */
  private n = 0;

  /**
   * @param t - what the tracer's spans share
   * @param sc - this span's identity
   * @param name - its name
   * @param kind - its kind
   * @param ps - its parent's identity, or its parent when that is an SDK span (whose ids are
   *   then written out when {@link RecordingSpan.parentSpanContext} is first read)
   * @param startTime - when it started, now by default
   * @param links - links known at start
   * @param y - random bytes that `sc`'s empty ids are to be written from, when first read (see
   *   {@link RecordingSpan.spanContext})
   * @param z - where in `y`
   */
  constructor(
    private readonly t: TracerState,
    /** @internal its identity, whose ids may not be written out yet: read `spanContext()` */
    readonly sc: SpanContext,
    public name: string,
    readonly kind: SpanKind,
    private ps: SpanContext | RecordingSpan | undefined,
    startTime?: TimeInput,
    links?: Link[],
    private y?: Uint8Array,
    private readonly z = 0,
  ) {
    this.startTime = time(t, startTime);
    if (links) this.addLinks(links);
  }

  /** {@inheritDoc ReadableSpan.parentSpanContext} */
  get parentSpanContext(): SpanContext | undefined {
    const p = this.ps;
    // read once, the parent's context replaces the parent: a span does not keep its parent alive
    return p instanceof RecordingSpan ? (this.ps = p.spanContext()) : p;
  }

  /** {@inheritDoc ReadableSpan.resource} */
  get resource(): Resource {
    return this.t.r;
  }

  /** {@inheritDoc ReadableSpan.instrumentationScope} */
  get instrumentationScope(): InstrumentationScope {
    return this.t.s;
  }

  /**
   * {@inheritDoc Span.spanContext}
   *
   * The ids of spans from the built-in id generator are written out here, on first read: most
   * spans are first read by the exporter, so the app's code path (start, attributes, end) does
   * not pay for the hex strings. The same object is returned every time.
   */
  spanContext(): SpanContext {
    const y = this.y;
    if (y) {
      this.y = undefined;
      writeIds(this.sc, y, this.z, this.parentSpanContext);
    }
    return this.sc;
  }

  /** {@inheritDoc Span.isRecording} */
  isRecording(): boolean {
    return !this.ended;
  }

  /** {@inheritDoc Span.setAttribute} */
  setAttribute(key: string, value: AttributeValue): this {
    if (!this.ended) {
      const x = this.t.x;
      const v = cleanAttribute(key, value, x.l);
      if (v !== undefined) {
        const a = this.attributes;
        // Fewer calls than the limit: there is room, whether the key is new or not (so the
        // common case needs no lookup). Past that, a key it has is updated, a new one only
        // stored while there are fewer keys than the limit.
        if (this.n++ < x.a || a[key] !== undefined || Object.keys(a).length < x.a) a[key] = v;
        else this.droppedAttributesCount++;
      }
    }
    return this;
  }

  /** {@inheritDoc Span.setAttributes} */
  setAttributes(attributes: Attributes): this {
    return this.g(() => {
      for (const k in attributes) this.setAttribute(k, attributes[k] as AttributeValue);
    });
  }

  /**
   * Runs `f`, which reads what the host passed: a value whose reading throws (a getter, a
   * revoked proxy) is reported and ignored, never thrown back (DESIGN.md's first rule).
   */
  private g(f: () => unknown): this {
    try {
      f();
    } catch (e) {
      report(1, 'invalid input', e);
    }
    return this;
  }

  /** {@inheritDoc Span.addEvent} */
  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, at?: TimeInput): this {
    let attrs = attributesOrTime as Attributes | undefined;
    return this.g(() => {
      if (typeof attrs == 'number' || attrs instanceof Date || Array.isArray(attrs)) {
        at = attrs as TimeInput;
        attrs = undefined;
      }
      this.m(0, { name: String(name), time: time(this.t, at) } as TimedEvent, attrs);
    });
  }

  /** {@inheritDoc Span.addLink} */
  addLink(link: Link): this {
    return this.g(() =>
      link?.context
        ? this.m(1, { context: link.context } as Link, link.attributes, link.droppedAttributesCount)
        : report(1, 'invalid link', link),
    );
  }

  /**
   * Adds an event (`k` 0) or a link (1) within the limits, with `attrs` copied into it, or
   * counts it as dropped. One writer for both lists, which are alike but for their limits.
   */
  private m(
    k: 0 | 1,
    o: { attributes?: Attributes; droppedAttributesCount?: number },
    attrs?: Attributes,
    dropped = 0,
  ): this {
    if (!this.ended) {
      const x = this.t.x;
      const l = k ? this.links : this.events;
      if (l.length < (k ? x.k : x.e)) {
        o.droppedAttributesCount = copy(attrs, k ? x.la : x.ea, x.l, (o.attributes = attributesBag())) + dropped;
        (l == NONE ? (k ? (this.links = []) : (this.events = [])) : l).push(o as never);
      } else k ? this.droppedLinksCount++ : this.droppedEventsCount++;
    }
    return this;
  }

  /** {@inheritDoc Span.addLinks} */
  addLinks(links: Link[]): this {
    if (Array.isArray(links)) for (const l of links) this.addLink(l);
    else report(1, 'invalid link', links);
    return this;
  }

  /** {@inheritDoc Span.setStatus} */
  setStatus(status: SpanStatus): this {
    // The spec: OK is final, UNSET changes nothing, a description belongs to ERROR only.
    return this.g(
      () =>
        !this.ended &&
        this.status.code != 1 &&
        status?.code &&
        (this.status =
          status.code == 2 && typeof status.message == 'string' ? { code: 2, message: status.message } : { code: status.code == 1 ? 1 : 2 }),
    );
  }

  /** {@inheritDoc Span.updateName} */
  updateName(name: string): this {
    return this.g(() => this.ended || (this.name = String(name)));
  }

  /**
   * {@inheritDoc Span.recordException}
   *
   * `exception.type` is the error's `name` (`TypeError`, `AbortError`), else its `code`: the
   * semantic conventions ask for the dynamic type of the exception, which `name` is in
   * JavaScript. otel-js prefers `code`, which turns a DOMException's `AbortError` into `20`.
   */
  recordException(exception: Exception, at?: TimeInput): void {
    this.g(() => {
      const e = typeof exception == 'string' ? { message: exception } : exception || {};
      // undefined values are skipped by the attribute rules, so absent fields simply vanish
      this.addEvent(
        'exception',
        {
          'exception.type': str(e.name || e.code),
          'exception.message': str(e.message),
          'exception.stacktrace': str(e.stack),
        },
        at,
      );
    });
  }

  /** {@inheritDoc Span.end} */
  end(endTime?: TimeInput): void {
    // Writes after the end are ignored silently (the spec allows it); a second end is the
    // one mistake worth a diagnostic, as it usually means two owners of one span.
    if (this.ended) return report(1, 'span ended twice: ' + this.name);
    let t = time(this.t, endTime);
    if (!(t >= this.startTime)) {
      report(1, 'span ends before it starts: ' + this.name);
      t = this.startTime;
    }
    this.endTime = t;
    this.ended = true;
    for (const p of this.t.p) {
      try {
        p.onEnd(this);
      } catch (e) {
        report(0, 'onEnd', e);
      }
    }
  }
}

import { cleanAttribute } from '../lib/attributes';
import { report } from '../lib/diag';
import { now, toMillis } from '../lib/time';
import type { Attributes, AttributeValue, InstrumentationScope, TimeInput } from '../lib/types';
import type { Resource } from './resource';
import type { ReadableSpan, SpanProcessor, TimedEvent } from './sdk-types';
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
}

/**
 * Copies `attrs` into `into` within `max` keys and the length limit; returns how many were
 * dropped for the count limit.
 */
function putAll(into: Attributes, attrs: Attributes | undefined, max: number, len: number, count: number): number {
  let dropped = 0;
  if (attrs) {
    for (const k in attrs) {
      const v = cleanAttribute(k, attrs[k], len);
      if (v === undefined) continue;
      if (!(k in into)) {
        if (count >= max) {
          dropped++;
          continue;
        }
        count++;
      }
      into[k] = v;
    }
  }
  return dropped;
}

const str = (v: unknown): string | undefined => (v === undefined ? v : String(v));

function limitedLink(link: Link, x: ResolvedLimits): Link {
  const attributes: Attributes = {};
  const dropped = putAll(attributes, link.attributes, x.la, x.l, 0);
  return { context: link.context, attributes, droppedAttributesCount: dropped + (link.droppedAttributesCount || 0) };
}

/**
 * The SDK's recording span: where a span is born (the tracer constructs it) and what processors
 * and exporters read. Fields are plain and public for the exporter; the `Span` methods are the
 * only writers, and they stop writing once the span has ended.
 */
export class RecordingSpan implements Span, ReadableSpan {
  /** {@inheritDoc ReadableSpan.attributes} */
  readonly attributes: Attributes = {};
  /** {@inheritDoc ReadableSpan.events} */
  readonly events: TimedEvent[] = [];
  /** {@inheritDoc ReadableSpan.links} */
  readonly links: Link[] = [];
  /** {@inheritDoc ReadableSpan.status} */
  status: SpanStatus = { code: 0 };
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
  private n = 0; // attribute count, kept so the limit check never counts keys

  /**
   * @param t - what the tracer's spans share
   * @param sc - this span's identity
   * @param name - its name
   * @param kind - its kind
   * @param parentSpanContext - its parent's identity
   * @param startTime - when it started, now by default
   * @param links - links known at start
   */
  constructor(
    private readonly t: TracerState,
    private readonly sc: SpanContext,
    public name: string,
    readonly kind: SpanKind,
    readonly parentSpanContext: SpanContext | undefined,
    startTime?: TimeInput,
    links?: Link[],
  ) {
    this.startTime = startTime === undefined ? now() : toMillis(startTime);
    if (links) this.addLinks(links);
  }

  /** {@inheritDoc ReadableSpan.resource} */
  get resource(): Resource {
    return this.t.r;
  }

  /** {@inheritDoc ReadableSpan.instrumentationScope} */
  get instrumentationScope(): InstrumentationScope {
    return this.t.s;
  }

  /** {@inheritDoc Span.spanContext} */
  spanContext(): SpanContext {
    return this.sc;
  }

  /** {@inheritDoc Span.isRecording} */
  isRecording(): boolean {
    return !this.ended;
  }

  /** {@inheritDoc Span.setAttribute} */
  setAttribute(key: string, value: AttributeValue): this {
    if (this.ended) return this;
    const x = this.t.x;
    const v = cleanAttribute(key, value, x.l);
    if (v !== undefined) {
      const a = this.attributes;
      if (a[key] === undefined) {
        if (this.n >= x.a) {
          this.droppedAttributesCount++;
          return this;
        }
        this.n++;
      }
      a[key] = v;
    }
    return this;
  }

  /** {@inheritDoc Span.setAttributes} */
  setAttributes(attributes: Attributes): this {
    if (attributes) for (const k in attributes) this.setAttribute(k, attributes[k] as AttributeValue);
    return this;
  }

  /** {@inheritDoc Span.addEvent} */
  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    if (this.ended) return this;
    const x = this.t.x;
    if (this.events.length >= x.e) {
      this.droppedEventsCount++;
      return this;
    }
    let attrs: Attributes | undefined;
    if (
      typeof attributesOrTime == 'number' ||
      attributesOrTime instanceof Date ||
      Array.isArray(attributesOrTime)
    ) {
      time = attributesOrTime;
    } else attrs = attributesOrTime;
    const attributes: Attributes = {};
    const dropped = putAll(attributes, attrs, x.ea, x.l, 0);
    this.events.push({
      name: String(name),
      time: time === undefined ? now() : toMillis(time),
      attributes,
      droppedAttributesCount: dropped,
    });
    return this;
  }

  /** {@inheritDoc Span.addLink} */
  addLink(link: Link): this {
    if (this.ended) return this;
    if (this.links.length >= this.t.x.k) this.droppedLinksCount++;
    else this.links.push(limitedLink(link, this.t.x));
    return this;
  }

  /** {@inheritDoc Span.addLinks} */
  addLinks(links: Link[]): this {
    for (const l of links) this.addLink(l);
    return this;
  }

  /** {@inheritDoc Span.setStatus} */
  setStatus(status: SpanStatus): this {
    // The spec: OK is final, UNSET changes nothing, a description belongs to ERROR only.
    if (this.ended || this.status.code == 1 || !status || !status.code) return this;
    this.status =
      status.code == 2 && typeof status.message == 'string'
        ? { code: 2, message: status.message }
        : { code: status.code == 1 ? 1 : 2 };
    return this;
  }

  /** {@inheritDoc Span.updateName} */
  updateName(name: string): this {
    if (!this.ended) this.name = String(name);
    return this;
  }

  /** {@inheritDoc Span.recordException} */
  recordException(exception: Exception, time?: TimeInput): void {
    const e = typeof exception == 'string' ? { message: exception } : exception || {};
    // undefined values are skipped by the attribute rules, so absent fields simply vanish
    this.addEvent(
      'exception',
      {
        'exception.type': str(e.name || e.code),
        'exception.message': str(e.message),
        'exception.stacktrace': str(e.stack),
      },
      time,
    );
  }

  /** {@inheritDoc Span.end} */
  end(endTime?: TimeInput): void {
    // Writes after the end are ignored silently (the spec allows it); a second end is the
    // one mistake worth a diagnostic, as it usually means two owners of one span.
    if (this.ended) return report(1, 'span ended twice: ' + this.name);
    let t = endTime === undefined ? now() : toMillis(endTime);
    if (!(t >= this.startTime)) {
      report(1, 'span ends before it starts: ' + this.name);
      t = this.startTime;
    }
    this.endTime = t;
    this.ended = true;
    const p = this.t.p;
    for (let i = 0; i < p.length; i++) {
      try {
        p[i].onEnd(this);
      } catch (e) {
        report(0, 'onEnd', e);
      }
    }
  }
}

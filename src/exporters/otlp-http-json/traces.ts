import type { ExportResult, ReadableSpan, SpanExporter } from '../../trace/sdk-types';
import type { SpanContext } from '../../trace/types';
import type { OTLPExporterConfig } from './config';
import { attrFields, encodeRequest, intField, nanos, obj, str, strField } from './encode-common';
import { createOtlpSender } from './exporter';
import type { OtlpSender } from './exporter';

/*
 * Span.flags and Link.flags (trace.proto, SpanFlags): bits 0-7 are the W3C trace flags; bit 8
 * (SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK, 0x100) says whether bit 9 is known; bit 9
 * (SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK, 0x200) says the parent (for a span) or the linked span
 * (for a link) is remote. We always know, so bit 8 is always set.
 */
const flags = (traceFlags: number, remote: boolean | undefined): number =>
  (traceFlags & 0xff) | (remote ? 0x300 : 0x100);

const ids = (sc: SpanContext): string =>
  '{"traceId":"' + sc.traceId + '","spanId":"' + sc.spanId + '"' + strField('traceState', sc.traceState?.serialize());

/** One span as an OTLP JSON `Span` message (fields with default values omitted). */
export function encodeSpan(span: ReadableSpan): string {
  const sc = span.spanContext();
  const p = span.parentSpanContext;
  let s =
    ids(sc) +
    (p ? ',"parentSpanId":"' + p.spanId + '"' : '') +
    ',"flags":' +
    flags(sc.traceFlags, p && p.isRemote) +
    ',"name":' +
    str(span.name) +
    ',"kind":' +
    (span.kind + 1) + // OTLP's SpanKind has UNSPECIFIED at 0, the API's starts at INTERNAL
    ',"startTimeUnixNano":' +
    nanos(span.startTime) +
    ',"endTimeUnixNano":' +
    nanos(span.endTime) +
    attrFields(span.attributes, span.droppedAttributesCount);
  const ev = span.events;
  if (ev.length) {
    s += ',"events":[';
    for (let i = 0; i < ev.length; i++) {
      const e = ev[i];
      s +=
        (i ? ',{"timeUnixNano":' : '{"timeUnixNano":') +
        nanos(e.time) +
        ',"name":' +
        str(e.name) +
        attrFields(e.attributes, e.droppedAttributesCount) +
        '}';
    }
    s += ']';
  }
  s += intField('droppedEventsCount', span.droppedEventsCount);
  const ln = span.links;
  if (ln.length) {
    s += ',"links":[';
    for (let i = 0; i < ln.length; i++) {
      const l = ln[i];
      s +=
        (i ? ',' : '') +
        ids(l.context) +
        attrFields(l.attributes, l.droppedAttributesCount) +
        ',"flags":' +
        flags(l.context.traceFlags, l.context.isRemote) +
        '}';
    }
    s += ']';
  }
  s += intField('droppedLinksCount', span.droppedLinksCount);
  const st = span.status;
  if (st.code || st.message) s += ',"status":' + obj(strField('message', st.message) + intField('code', st.code));
  return s + '}';
}

/**
 * Spans as an OTLP `ExportTraceServiceRequest` in JSON text: grouped by resource, then by
 * instrumentation scope; lowerCamelCase, hex ids, integer enums, nanosecond times as decimal
 * strings, fields with default values left out.
 */
export const encodeTraces = (spans: ReadableSpan[]): string =>
  encodeRequest(
    spans,
    'Spans',
    'spans',
    encodeSpan,
    (s) => s.resource,
    (s) => s.instrumentationScope,
  );

/**
 * Exports spans to an OTLP/HTTP endpoint as JSON (`POST {endpoint}/v1/traces`), gzip-compressed
 * by default. In a browser it is unload-safe by itself: with a `BatchSpanProcessor`, spans
 * still queued when the page hides are sent with keepalive fetch (or beacons) that outlive the
 * page. See {@link OTLPExporterConfig} for the options and `createOtlpSender` for the details.
 *
 * @example
 * ```ts
 * new TracerProvider({
 *   spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ endpoint: 'https://otel.example.com' }))],
 * });
 * ```
 */
export class OTLPTraceExporter implements SpanExporter {
  private readonly s: OtlpSender<ReadableSpan>;

  /** @param config - where and how to send */
  constructor(config?: OTLPExporterConfig) {
    this.s = createOtlpSender(config, 'traces', encodeTraces);
  }

  /** Spans dropped so far (queue full, retries exhausted, refused). */
  get dropped(): number {
    return this.s.dropped;
  }

  /** {@inheritDoc SpanExporter.export} */
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.s.send(spans, done);
  }

  /** {@inheritDoc SpanExporter.forceFlush} */
  forceFlush(): Promise<void> {
    return this.s.forceFlush();
  }

  /** {@inheritDoc SpanExporter.shutdown} */
  shutdown(): Promise<void> {
    return this.s.shutdown();
  }
}

import type { ReadableSpan, SpanExporter } from '../../trace/sdk-types';
import type { SpanContext } from '../../trace/types';
import type { OTLPExporterConfig } from './config';
import { toNanoString } from '../../lib/time';
import { attrFields, encodeRequest, intField, listField, obj, str, strField } from './encode-common';
import { OtlpExporter } from './exporter';

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
  const ev = span.events;
  const st = span.status;
  // long expressions of literals and values: fewer pieces for V8 to join than field helpers
  let s =
    ids(sc) +
    (p ? ',"parentSpanId":"' + p.spanId + '"' : '') +
    ',"flags":' +
    flags(sc.traceFlags, p && p.isRemote) +
    ',"name":' +
    str(span.name) +
    ',"kind":' +
    (span.kind + 1) + // OTLP's SpanKind has UNSPECIFIED at 0, the API's starts at INTERNAL
    ',"startTimeUnixNano":"' +
    toNanoString(span.startTime) +
    '","endTimeUnixNano":"' +
    toNanoString(span.endTime) +
    '"' +
    attrFields(span.attributes, span.droppedAttributesCount);
  if (ev.length) {
    // a loop, not `listField` (map and join): events are on the hot path, and measured faster so
    s += ',"events":[';
    for (let i = 0; i < ev.length; i++) {
      const e = ev[i];
      s +=
        (i ? ',{"timeUnixNano":"' : '{"timeUnixNano":"') +
        toNanoString(e.time) +
        '","name":' +
        str(e.name) +
        attrFields(e.attributes, e.droppedAttributesCount) +
        '}';
    }
    s += ']';
  }
  return (
    s +
    intField('droppedEventsCount', span.droppedEventsCount) +
    listField(
      'links',
      span.links,
      (l) => ids(l.context) + attrFields(l.attributes, l.droppedAttributesCount) + ',"flags":' + flags(l.context.traceFlags, l.context.isRemote) + '}',
    ) +
    intField('droppedLinksCount', span.droppedLinksCount) +
    (st.code || st.message ? ',"status":' + obj(strField('message', st.message) + intField('code', st.code)) : '') +
    '}'
  );
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
 * page. See {@link OTLPExporterConfig} for the options and {@link OtlpExporter} for the details.
 *
 * @example
 * ```ts
 * new TracerProvider({
 *   spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ endpoint: 'https://otel.example.com' }))],
 * });
 * ```
 */
export class OTLPTraceExporter extends OtlpExporter<ReadableSpan> implements SpanExporter {
  /** @param config - where and how to send */
  constructor(config?: OTLPExporterConfig) {
    super(config, 'traces', encodeTraces);
  }
}

/**
 * otelite/exporters/console: prints spans for development.
 * @packageDocumentation
 */
import type { ExportResult, ReadableSpan, SpanExporter } from '../../trace/sdk-types';

const KINDS = ['INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUS = ['UNSET', 'OK', 'ERROR'];

/** A span as {@link ConsoleSpanExporter} prints it: plain fields, readable ids, times in ms. */
export interface ConsoleSpan {
  /** The span's name. */
  name: string;
  /** INTERNAL, SERVER, CLIENT, PRODUCER or CONSUMER. */
  kind: string;
  /** Hex trace id. */
  traceId: string;
  /** Hex span id. */
  id: string;
  /** Hex parent span id. */
  parentId?: string;
  /** Start, ISO 8601. */
  start: string;
  /** Duration in milliseconds (three decimals). */
  durationMs: number;
  /** UNSET, OK or ERROR, with the message. */
  status: string;
  /** The span's attributes. */
  attributes: ReadableSpan['attributes'];
  /** Events with their offset from the span's start. */
  events: { name: string; atMs: number; attributes: ReadableSpan['attributes'] }[];
  /** Linked span ids. */
  links: string[];
  /** The tracer's name and version. */
  scope: string;
}

/** Turns a span into the object {@link ConsoleSpanExporter} prints. */
export function toConsoleSpan(s: ReadableSpan): ConsoleSpan {
  const sc = s.spanContext();
  const round = (ms: number): number => Math.round(ms * 1e3) / 1e3;
  const scope = s.instrumentationScope;
  return {
    name: s.name,
    kind: KINDS[s.kind] ?? String(s.kind),
    traceId: sc.traceId,
    id: sc.spanId,
    parentId: s.parentSpanContext?.spanId,
    start: new Date(s.startTime).toISOString(),
    durationMs: round(s.endTime - s.startTime),
    status: STATUS[s.status.code] + (s.status.message ? `: ${s.status.message}` : ''),
    attributes: s.attributes,
    events: s.events.map((e) => ({ name: e.name, atMs: round(e.time - s.startTime), attributes: e.attributes })),
    links: s.links.map((l) => `${l.context.traceId}-${l.context.spanId}`),
    scope: scope.name + (scope.version ? '@' + scope.version : ''),
  };
}

/**
 * Prints each span with `console.log`: a one-line summary followed by the span as an object,
 * which a browser console shows expandable and Node prints in full.
 */
export class ConsoleSpanExporter implements SpanExporter {
  /** {@inheritDoc SpanExporter.export} */
  export(spans: ReadableSpan[], done: (r: ExportResult) => void): void {
    try {
      for (const s of spans) {
        const c = toConsoleSpan(s);
        console.log(`otelite span ${c.name} (${c.kind}, ${c.durationMs} ms, ${c.status})`, c);
      }
      done({ code: 0 });
    } catch (error) {
      done({ code: 1, error: error as Error });
    }
  }
  /** {@inheritDoc SpanExporter.shutdown} */
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

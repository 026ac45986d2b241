/**
 * The development collector: an OTLP/HTTP JSON receiver (gzip, beacons, every payload checked
 * against the OTLP schema; the e2e tests' receiver) plus a web page that shows what arrived:
 * traces as waterfalls, web vitals and logs. In memory, CORS open to pages on localhost.
 * `npm start` runs it with the demo; `npx otelite-receiver` runs it alone.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startReceiver, type Receiver } from '../test/e2e/harness/receiver';
import { flattenLogs, flattenMetrics, flattenSpans, type Value } from '../test/e2e/harness/otlp-json';

const KINDS = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUS = ['UNSET', 'OK', 'ERROR'];
/** OTLP nanoseconds (decimal string) → epoch ms with µs precision. */
const ms = (s?: string): number => (s ? Number(BigInt(s) / 1000n) / 1000 : 0);
/** Attribute values as JSON can carry them (bigints as strings). */
const plain = (a: Record<string, Value>): Record<string, unknown> =>
  JSON.parse(JSON.stringify(a, (_k, v) => (typeof v == 'bigint' ? String(v) : v)));

/** A span as the page and the text waterfall use it: times in epoch ms. */
export interface ViewSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: string;
  service: string;
  scope: string;
  start: number;
  end: number;
  duration: number;
  status: string;
  statusMessage?: string;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
  events: { name: string; at: number; attributes: Record<string, unknown> }[];
}

/** One trace: its spans, and a summary for the list. */
export interface ViewTrace {
  traceId: string;
  spans: ViewSpan[];
  /** the root span's name (or the earliest span's, when the root has not arrived) */
  root: string;
  services: string[];
  start: number;
  duration: number;
  /** some span's parent has not arrived (yet) */
  partial: boolean;
}

/** The spans the receiver has, grouped by trace, newest trace first. */
export function traces(r: Receiver): ViewTrace[] {
  const by = new Map<string, ViewSpan[]>();
  for (const s of r.spans()) {
    const start = ms(s.startTimeUnixNano);
    const end = ms(s.endTimeUnixNano);
    const v: ViewSpan = {
      traceId: s.traceId,
      spanId: s.spanId,
      parentSpanId: s.parentSpanId || undefined,
      name: s.name,
      kind: KINDS[s.kind ?? 0] ?? String(s.kind),
      service: String(s.resource['service.name'] ?? 'unknown_service'),
      scope: s.scope.name ?? '',
      start,
      end,
      duration: end - start,
      status: STATUS[s.status?.code ?? 0] ?? 'UNSET',
      statusMessage: s.status?.message,
      attributes: plain(s.attrs),
      resource: plain(s.resource),
      events: (s.events ?? []).map((e) => ({
        name: e.name,
        at: ms(e.timeUnixNano) - start,
        attributes: Object.fromEntries((e.attributes ?? []).map((kv) => [kv.key, Object.values(kv.value ?? {})[0]])),
      })),
    };
    const list = by.get(s.traceId);
    if (list) list.push(v);
    else by.set(s.traceId, [v]);
  }
  const out: ViewTrace[] = [];
  for (const [traceId, spans] of by) {
    const ids = new Set(spans.map((s) => s.spanId));
    const start = Math.min(...spans.map((s) => s.start));
    const roots = spans.filter((s) => !s.parentSpanId || !ids.has(s.parentSpanId)).sort((a, b) => a.start - b.start);
    const services: string[] = [];
    for (const s of [...spans].sort((a, b) => a.start - b.start)) if (!services.includes(s.service)) services.push(s.service);
    out.push({
      traceId,
      spans,
      root: (roots.find((s) => !s.parentSpanId) ?? roots[0]).name,
      services,
      start,
      duration: Math.max(...spans.map((s) => s.end)) - start,
      partial: spans.some((s) => s.parentSpanId && !ids.has(s.parentSpanId)),
    });
  }
  return out.sort((a, b) => b.start - a.start);
}

/** Web vitals (the `browser.web_vital` events) and every log record, newest first. */
export function vitalsAndLogs(r: Receiver) {
  const all = r.logs();
  const vitals = all
    .filter((l) => l.eventName == 'browser.web_vital')
    .map((l) => ({
      time: ms(l.timeUnixNano || l.observedTimeUnixNano),
      name: String(l.attrs['browser.web_vital.name'] ?? '').toUpperCase(),
      value: Number(l.attrs['browser.web_vital.value']),
      rating: String(l.attrs['browser.web_vital.rating'] ?? ''),
      navigationType: String(l.attrs['browser.web_vital.navigation_type'] ?? ''),
      service: String(l.resource['service.name'] ?? ''),
      session: String(l.attrs['session.id'] ?? ''),
    }))
    .reverse();
  const logs = all
    .map((l) => ({
      time: ms(l.timeUnixNano || l.observedTimeUnixNano),
      severity: l.severityText || (l.severityNumber ? String(l.severityNumber) : ''),
      eventName: l.eventName ?? '',
      body:
        l.attrs['exception.message'] !== undefined
          ? `${l.attrs['exception.type'] ?? 'Error'}: ${l.attrs['exception.message']}`
          : l.value !== undefined
            ? typeof l.value == 'string'
              ? l.value
              : JSON.stringify(plain({ v: l.value }).v)
            : '',
      service: String(l.resource['service.name'] ?? ''),
      traceId: l.traceId ?? '',
      spanId: l.spanId ?? '',
      attributes: plain(l.attrs),
    }))
    .sort((a, b) => b.time - a.time);
  return { vitals, logs };
}

/** The metrics that arrived, latest point of each stream (name + attributes), for a summary. */
export function metricSummary(r: Receiver) {
  const latest = new Map<string, { name: string; service: string; type: string; unit: string; attributes: Record<string, unknown>; value: string }>();
  for (const m of r.metrics()) {
    for (const p of m.points) {
      const value =
        p.count !== undefined ? `count ${p.count}, sum ${+(p.sum ?? 0).toFixed(3)}` : String(p.asDouble ?? p.asInt ?? '');
      const attributes = plain(p.attrs);
      const service = String(m.resource['service.name'] ?? '');
      latest.set(service + m.name + JSON.stringify(attributes), { name: m.name, service, type: m.type ?? '', unit: m.unit ?? '', attributes, value });
    }
  }
  return [...latest.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** A trace as indented text with bars, for terminals. */
export function textWaterfall(spans: ViewSpan[], width = 40): string {
  const ids = new Set(spans.map((s) => s.spanId));
  const start = Math.min(...spans.map((s) => s.start));
  const total = Math.max(Math.max(...spans.map((s) => s.end)) - start, 0.001);
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number): void => {
    for (const s of spans
      .filter((x) => (x.parentSpanId && ids.has(x.parentSpanId) ? x.parentSpanId : undefined) === parent)
      .sort((a, b) => a.start - b.start)) {
      const from = Math.min(width - 1, Math.floor(((s.start - start) / total) * width));
      const len = Math.max(1, Math.round((s.duration / total) * width));
      const bar = ' '.repeat(from) + '█'.repeat(Math.min(len, width - from));
      const label = `${'  '.repeat(depth)}${s.name} [${s.service} ${s.kind}]`;
      lines.push(`${label.padEnd(56).slice(0, 56)} |${bar.padEnd(width)}| ${s.duration.toFixed(1).padStart(7)} ms`);
      walk(s.spanId, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines.join('\n');
}

/** `3 spans`, `1 log record`: what one export carried. */
export function exportSummary(signal: string, n: number, errors: string[] = []): string {
  const what = signal == 'traces' ? 'span' : signal == 'logs' ? 'log record' : 'metric';
  return `${n} ${what}${n == 1 ? '' : 's'}${errors.length ? ` (${errors.length} schema errors: ${errors[0]})` : ''}`;
}

/** Where the page's files are: demo/ui beside this file, or beside the bundle's source. */
const UI = process.env.OTELITE_UI_DIR || join(dirname(fileURLToPath(import.meta.url)), 'ui');
const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript', css: 'text/css', svg: 'image/svg+xml' };
/** Requests kept at most (a dev tool left running must not grow without bound). */
const KEEP = 20_000;

/** Options of {@link startCollector}. */
export interface CollectorOptions {
  /** default 4318, the OTLP/HTTP port */
  port?: number;
  /** default 127.0.0.1 */
  host?: string;
  /** the page's files (default demo/ui) */
  uiDir?: string;
  /** called for every export that arrived */
  onExport?: (signal: string, items: number, errors: string[]) => void;
}

/**
 * Starts the collector: OTLP/HTTP at `/v1/{traces,metrics,logs}` with CORS open to pages on
 * localhost and 127.0.0.1 (any port), the page at `/`, the data it shows at `/api/telemetry`,
 * and `POST /api/clear` to forget everything.
 */
export async function startCollector(o: CollectorOptions = {}): Promise<Receiver> {
  const uiDir = o.uiDir ?? UI;
  let r: Receiver | undefined;
  r = await startReceiver({
    port: o.port ?? 4318,
    host: o.host,
    cors: { origins: (origin) => /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(origin), credentials: true, maxAge: 600 },
    onRequest(q) {
      if (!r) return;
      if (r.requests.length > KEEP) r.requests.splice(0, KEEP / 2);
      if (r.received.length > KEEP) r.received.splice(0, KEEP / 2);
      if (q.signal && q.method == 'POST' && o.onExport) {
        const flat = q.signal == 'traces' ? flattenSpans : q.signal == 'logs' ? flattenLogs : flattenMetrics;
        o.onExport(q.signal, flat(q.body, q).length, q.errors);
      }
    },
    fallback(req, res) {
      const url = new URL(req.url || '/', 'http://x');
      if (!r) return false;
      if (req.method == 'POST' && url.pathname == '/api/clear') {
        r.reset();
        res.writeHead(204).end();
        return true;
      }
      if (req.method != 'GET') return false;
      if (url.pathname == '/api/telemetry') {
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify({ traces: traces(r), ...vitalsAndLogs(r), metrics: metricSummary(r), errors: r.errors().slice(-50) }));
        return true;
      }
      const file = url.pathname == '/' ? 'index.html' : url.pathname.startsWith('/ui/') ? url.pathname.slice(4) : '';
      if (!/^[\w-]+\.\w+$/.test(file)) return false;
      try {
        const body = readFileSync(join(uiDir, file));
        res.writeHead(200, { 'content-type': TYPES[file.split('.').pop()!] || 'application/octet-stream', 'cache-control': 'no-store' });
        res.end(body);
        return true;
      } catch {
        return false;
      }
    },
  });
  return r;
}

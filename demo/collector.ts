/**
 * The development collector: the test receiver (OTLP/HTTP JSON, gzip, beacons, schema check)
 * plus a web page that shows what arrived, as waterfalls, web vitals and logs. `npm start`
 * runs it; `npx otelite-receiver` runs it alone.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startReceiver, type Receiver } from '../test/e2e/harness/receiver';
import type { FlatSpan } from '../test/e2e/harness/otlp-json';

const KINDS = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUS = ['UNSET', 'OK', 'ERROR'];
const ns = (s?: string): number => Number(BigInt(s || '0') / 1000n) / 1000;

/** A span as the page and the text waterfall use it: times in epoch ms. */
export interface ViewSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: string;
  service: string;
  start: number;
  end: number;
  duration: number;
  status: string;
  attributes: Record<string, unknown>;
  events: { name: string; at: number }[];
}

/** Spans grouped by trace, newest trace first. */
export function traces(r: Receiver): { traceId: string; spans: ViewSpan[] }[] {
  const by = new Map<string, ViewSpan[]>();
  for (const s of r.spans() as FlatSpan<unknown>[]) {
    const start = ns(s.startTimeUnixNano);
    const end = ns(s.endTimeUnixNano);
    const v: ViewSpan = {
      traceId: s.traceId,
      spanId: s.spanId,
      parentSpanId: s.parentSpanId || undefined,
      name: s.name,
      kind: KINDS[s.kind ?? 0],
      service: String(s.resource['service.name'] ?? 'unknown'),
      start,
      end,
      duration: end - start,
      status: STATUS[s.status?.code ?? 0],
      attributes: s.attrs,
      events: (s.events || []).map((e) => ({ name: e.name, at: ns(e.timeUnixNano) - start })),
    };
    by.set(s.traceId, [...(by.get(s.traceId) || []), v]);
  }
  return [...by]
    .map(([traceId, spans]) => ({ traceId, spans }))
    .sort((a, b) => Math.max(...b.spans.map((s) => s.start)) - Math.max(...a.spans.map((s) => s.start)));
}

/** What the page shows besides traces. */
function vitalsAndLogs(r: Receiver) {
  const vitals = r
    .logs()
    .filter((l) => l.eventName == 'browser.web_vital' || l.attrs['browser.web_vital.name'])
    .map((l) => ({
      name: String(l.attrs['browser.web_vital.name']),
      value: Number(l.attrs['browser.web_vital.value']),
      rating: String(l.attrs['browser.web_vital.rating'] ?? ''),
      service: String(l.resource['service.name'] ?? ''),
      page: String(l.attrs['url.full'] ?? ''),
    }));
  const logs = r.logs().map((l) => ({
    time: ns(l.timeUnixNano || l.observedTimeUnixNano),
    severity: l.severityText || String(l.severityNumber ?? ''),
    eventName: l.eventName || String(l.attrs['event.name'] ?? ''),
    message: String(l.attrs['exception.message'] ?? l.value ?? ''),
    service: String(l.resource['service.name'] ?? ''),
    traceId: l.traceId,
  }));
  return { vitals, logs };
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
      const from = Math.floor(((s.start - start) / total) * width);
      const len = Math.max(1, Math.round((s.duration / total) * width));
      const bar = ' '.repeat(from) + '█'.repeat(Math.min(len, width - from));
      const label = `${'  '.repeat(depth)}${s.name} [${s.service} ${s.kind}]`;
      lines.push(`${label.padEnd(56).slice(0, 56)} |${bar.padEnd(width)}| ${s.duration.toFixed(1)} ms`);
      walk(s.spanId, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines.join('\n');
}

const UI = join(dirname(fileURLToPath(import.meta.url)), 'ui');
const TYPES: Record<string, string> = { html: 'text/html', js: 'text/javascript', css: 'text/css' };

/**
 * Starts the collector on `port` (4318, the OTLP/HTTP default) with CORS open to pages on
 * localhost and 127.0.0.1, the waterfall page at `/` and the data it shows at `/api/telemetry`.
 */
export async function startCollector(port = 4318, uiDir = UI): Promise<Receiver> {
  let r: Receiver | undefined;
  r = await startReceiver({
    port,
    cors: { origins: (o) => /^https?:\/\/(localhost|127\.0\.0\.1)(:\d+)?$/.test(o), credentials: true, maxAge: 600 },
    fallback(req, res) {
      const url = new URL(req.url || '/', 'http://x');
      if (req.method != 'GET' || !r) return false;
      if (url.pathname == '/api/telemetry') {
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify({ traces: traces(r), ...vitalsAndLogs(r) }));
        return true;
      }
      const file = url.pathname == '/' ? 'index.html' : url.pathname.startsWith('/ui/') ? url.pathname.slice(4) : '';
      if (!/^[\w.-]+$/.test(file)) return false;
      try {
        const body = readFileSync(join(uiDir, file));
        res.writeHead(200, { 'content-type': TYPES[file.split('.').pop()!] || 'application/octet-stream' });
        res.end(body);
        return true;
      } catch {
        return false;
      }
    },
  });
  return r;
}

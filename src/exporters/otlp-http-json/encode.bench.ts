/**
 * Encoding cost: otelite's `encodeTraces` against opentelemetry-js's `JsonTraceSerializer`
 * (the `@opentelemetry/otlp-transformer` that `@opentelemetry/exporter-trace-otlp-http` uses)
 * on the same 512-span batch, in the same process.
 *
 *   npx vitest bench --run --project unit src/exporters/otlp-http-json/encode.bench.ts
 *
 * Both sides produce what goes on the wire: otel-js's `serializeRequest` returns UTF-8 bytes, so
 * the comparable figure is ours made bytes the way the exporter makes them (`utf8` in gzip.ts:
 * the uncompressed path and page exit). (With gzip, the default, the exporter hands the text to
 * `Blob`, which encodes it natively on the way into `CompressionStream`: the "string" row plus
 * that native pass.) Besides vitest's table (wall time), alternating blocks print CPU-time
 * medians, the ratios and bytes per span.
 *
 * Fairness: both sides get the same spans (names, attributes, events, status, times, resource,
 * scope), each made by its own SDK's tracer. The blocks re-encode one batch, long-lived by then,
 * with its ids written out: the best case. In an app every span is encoded once, soon after it
 * ended, and an otelite span writes its hex ids on its first `spanContext()` read (see
 * `RecordingSpan.spanContext`), normally the exporter's, where otel-js pays for its ids when the
 * span starts: the "first encode" row measures that case for both (fresh batches).
 */
import { createRequire } from 'node:module';
import { bench, describe } from 'vitest';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan as OtelSpan } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes as otelResource } from '@opentelemetry/resources';
import { TracerProvider } from '../../trace/provider';
import { resourceFromAttributes } from '../../trace/resource';
import type { ReadableSpan, SpanProcessor } from '../../trace/sdk-types';
import type { Attributes } from '../../lib/types';
import { encodeTraces } from './traces';
import { utf8 } from './gzip';

const require = createRequire(import.meta.url);
const transformer = createRequire(require.resolve('@opentelemetry/exporter-trace-otlp-http'))(
  '@opentelemetry/otlp-transformer',
) as { JsonTraceSerializer: { serializeRequest(spans: OtelSpan[]): Uint8Array } };
const { JsonTraceSerializer } = transformer;

const N = 512;
const T0 = Date.now() - 60_000;

/** The attributes of span `i`: a typical browser fetch span (strings, ints, a double, a bool). */
const attrsOf = (i: number): Attributes => ({
  'http.request.method': i % 3 ? 'GET' : 'POST',
  'url.full': `https://api.example.com/v1/items/${i}?page=${i % 7}`,
  'server.address': 'api.example.com',
  'server.port': 443,
  'http.response.status_code': i % 17 ? 200 : 503,
  'http.response.body.size': 1000 + i * 13,
  'network.protocol.version': '2',
  'app.cache.hit_ratio': 0.25 + i / 10_000,
  'app.cached': i % 2 == 0,
});

const RES = { 'service.name': 'shop-web', 'service.version': '1.4.2', 'deployment.environment.name': 'prod' };

/** Drives either SDK's tracer with the same calls and times. */
function record(tracer: {
  startSpan(n: string, o: { kind: number; startTime: number; attributes: Attributes }, ctx?: unknown): {
    addEvent(n: string, a: Attributes, t: number): unknown;
    setStatus(s: { code: number; message?: string }): unknown;
    end(t: number): void;
  };
}): void {
  for (let i = 0; i < N; i++) {
    const t = T0 + i * 3.141;
    const s = tracer.startSpan(i % 3 ? 'GET' : 'POST', { kind: 2, startTime: t, attributes: attrsOf(i) });
    s.addEvent('fetchStart', {}, t + 0.1);
    s.addEvent('responseStart', {}, t + 20.5);
    s.addEvent('responseEnd', { 'http.response.body.size': 1000 + i }, t + 31.25);
    if (i % 17 == 0) s.setStatus({ code: 2, message: 'HTTP 503' });
    s.end(t + 32);
  }
}

function otelSpans(): OtelSpan[] {
  const mem = new InMemorySpanExporter();
  const p = new BasicTracerProvider({ resource: otelResource(RES), spanProcessors: [new SimpleSpanProcessor(mem)] });
  record(p.getTracer('@opentelemetry/instrumentation-fetch', '0.223.0') as never);
  return mem.getFinishedSpans();
}

function oteliteSpans(): ReadableSpan[] {
  const out: ReadableSpan[] = [];
  const collect: SpanProcessor = {
    onStart() {},
    onEnd: (s) => void out.push(s),
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  const p = new TracerProvider({ resource: resourceFromAttributes(RES), spanProcessors: [collect] });
  record(p.getTracer('@opentelemetry/instrumentation-fetch', '0.223.0') as never);
  return out;
}

const theirs = otelSpans();
const ours = oteliteSpans();
const oursBytes = (): Uint8Array => utf8(encodeTraces(ours));
const theirsBytes = (): Uint8Array => JsonTraceSerializer.serializeRequest(theirs);

/**
 * CPU ms of the first encode (to bytes) of fresh spans, for both SDKs: a new batch is recorded
 * right before each encode, as in an app, where every span is encoded once (otelite's then also
 * writes out the span ids, and both meet young objects that the collector must move). Median of
 * 21, alternating.
 */
function firstEncode(): [number, number] {
  const o: number[] = [];
  const t: number[] = [];
  for (let i = 0; i < 21; i++) {
    const a = oteliteSpans();
    o.push(cpuPerCall(() => utf8(encodeTraces(a)), 1));
    const b = otelSpans();
    t.push(cpuPerCall(() => JsonTraceSerializer.serializeRequest(b), 1));
  }
  const median = (x: number[]): number => x.sort((p, q) => p - q)[10];
  return [median(o), median(t)];
}

/**
 * CPU milliseconds per call of `f`, over `rounds` calls: process CPU time rather than wall time,
 * so that a busy machine (other processes preempting this one) skews the comparison less.
 */
function cpuPerCall(f: () => unknown, rounds: number): number {
  const c = process.cpuUsage();
  for (let r = 0; r < rounds; r++) f();
  const d = process.cpuUsage(c);
  return (d.user + d.system) / 1e3 / rounds;
}

{
  // warm up, then alternate blocks so that no variant gets a quieter machine than another
  const flatString = (): number => encodeTraces(ours).indexOf('\0'); // indexOf flattens the rope
  const variants: Record<string, () => unknown> = { bytes: oursBytes, string: flatString, otel: theirsBytes };
  for (let i = 0; i < 50; i++) for (const f of Object.values(variants)) f();
  const runs: Record<string, number[]> = { bytes: [], string: [], otel: [] };
  // the order rotates: a block pays for the garbage the block before it left (measured ~15% on
  // whichever variant always ran second), so no variant may always follow the same one
  const names = Object.keys(variants);
  for (let k = 0; k < 21; k++)
    for (let i = 0; i < names.length; i++) {
      const v = names[(i + k) % names.length];
      runs[v].push(cpuPerCall(variants[v], 10));
    }
  // median, and the second lowest block: on a shared machine the low end is the least disturbed
  const at = (v: string, i: number): number => runs[v].sort((a, b) => a - b)[i];
  const row = (v: string): string =>
    `${at(v, 10).toFixed(3)} ms (low ${at(v, 1).toFixed(3)})  ratio ${(at('otel', 10) / at(v, 10)).toFixed(2)}x (low ${(at('otel', 1) / at(v, 1)).toFixed(2)}x)`;
  const first = firstEncode();
  const bo = oursBytes().length / N;
  const bt = theirsBytes().length / N;
  console.log(
    `\nencode ${N} spans, CPU ms per call, median of 21 alternating blocks of 10 calls:\n` +
      `  otel-js JsonTraceSerializer.serializeRequest (bytes): ${at('otel', 10).toFixed(3)} ms (low ${at('otel', 1).toFixed(3)})\n` +
      `  otelite encodeTraces + TextEncoder (bytes):          ${row('bytes')}\n` +
      `  otelite encodeTraces, flat string (what Blob/gzip take): ${row('string')}\n` +
      `  first encode of fresh spans (otelite + their ids / otel-js): ${first.map((x) => x.toFixed(3) + ' ms').join(' / ')}\n` +
      `bytes per span: otelite ${bo.toFixed(1)}, otel-js ${bt.toFixed(1)} (${((bo / bt) * 100).toFixed(1)}%)\n`,
  );
}

describe(`encode ${N} spans to OTLP JSON bytes`, () => {
  bench('otelite encodeTraces + TextEncoder', () => void oursBytes(), { time: 1500 });
  bench('otel-js JsonTraceSerializer.serializeRequest', () => void theirsBytes(), { time: 1500 });
});

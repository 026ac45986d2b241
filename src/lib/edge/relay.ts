/**
 * The OTLP relay both edge adapters offer as `relay(config)`: it receives what browsers export
 * (JSON, gzip with or without `Content-Encoding`, the beacon transport's `text/plain` gzip),
 * answers CORS for the configured origins only, refuses what is not OTLP JSON or is too large,
 * adds the collector's secret headers and forwards to the collector. Pages then carry no API
 * key, and in beacon mode need no CORS preflight.
 * @packageDocumentation
 */
import { context } from '../../context/api';
import { ROOT_CONTEXT } from '../../context/context';
import { report } from '../diag';
import { suppressTracing } from '../suppress';
import { keyValues, type EnvReader } from '../config';

/** Options of `relay()`. Every key is optional. */
export interface RelayConfig {
  /**
   * The collector's base URL; data goes to `{endpoint}/v1/{signal}`. Default:
   * `OTEL_EXPORTER_OTLP_ENDPOINT`, else `http://localhost:4318`.
   */
  endpoint?: string;
  /**
   * Headers added to every forwarded request: the collector's API key and the like. Merged over
   * `OTEL_EXPORTER_OTLP_HEADERS` (`k=v,k2=v2`). On Cloudflare, pass a function of `env` to take
   * them from secrets: `relay((env) => ({ headers: { 'x-api-key': env.COLLECTOR_KEY } }))`.
   */
  headers?: Record<string, string>;
  /**
   * Page origins allowed to send (`https://shop.example.com`): a list, a predicate, or `'*'`
   * for any. Default: the relay's own origin only. Requests from other origins get 403 and no
   * CORS headers; requests without an `Origin` (not from a browser) are accepted only with `'*'`.
   * The check stops other sites' pages, not scripts, which can send any `Origin`: put a rate
   * limit in front of a public relay.
   */
  origins?: '*' | readonly string[] | ((origin: string) => boolean);
  /** Largest body accepted, on the wire and after gunzip (default 1 MiB); more gets 413. */
  maxBodyBytes?: number;
  /** How data is forwarded: `gzip` (default) or `none`. */
  compression?: 'gzip' | 'none';
  /** Signals relayed (default all: `traces`, `metrics`, `logs`); others get 404. */
  signals?: readonly ('traces' | 'metrics' | 'logs')[];
  /** How long the collector may take before the relay answers 504 (default 10000 ms). */
  timeoutMillis?: number;
}

/** The key of an OTLP JSON request of each signal. */
const TOP: Record<string, string> = { traces: 'resourceSpans', metrics: 'resourceMetrics', logs: 'resourceLogs' };
const PATH = /\/v1\/(traces|metrics|logs)\/?$/;

/** Reads a body stream up to `max` bytes; undefined when it holds more (the rest is cancelled). */
async function read(s: ReadableStream<Uint8Array> | null, max: number): Promise<Uint8Array | undefined> {
  const parts: Uint8Array[] = [];
  let n = 0;
  if (s) {
    const r = s.getReader();
    for (;;) {
      const { done, value } = await r.read();
      if (done) break;
      if ((n += value.length) > max) {
        r.cancel().catch(() => {});
        return;
      }
      parts.push(value);
    }
  }
  const out = new Uint8Array(n);
  n = 0;
  for (const p of parts) out.set(p, (n += p.length) - p.length);
  return out;
}

const stream = (b: Uint8Array, t: CompressionStream | DecompressionStream): ReadableStream<Uint8Array> =>
  new Blob([b as BlobPart]).stream().pipeThrough(t as unknown as TransformStream<Uint8Array, Uint8Array>);

/**
 * The relay handler: `(request, env) => response`. `configOf` turns the adapter's `env` into a
 * config (called once, at the first request); `envOf` reads `OTEL_*` variables from it.
 */
export function createRelay<E>(
  configOf: (env: E) => RelayConfig | undefined,
  envOf: (env: E) => EnvReader,
): (request: Request, env: E) => Promise<Response> {
  let c: Required<Omit<RelayConfig, 'origins'>> & Pick<RelayConfig, 'origins'>;

  return async (req, env) => {
    // CORS headers for this request's origin, or undefined when it is not allowed
    let cors: Record<string, string> | undefined;
    const answer = (status: number, message?: string, headers?: HeadersInit, body?: BodyInit | null): Response => {
      const h = new Headers(headers);
      for (const k in cors) h.set(k, cors[k]);
      if (message !== undefined) {
        // the OTLP/HTTP error body: a google.rpc.Status in JSON
        h.set('content-type', 'application/json');
        body = JSON.stringify({ code: status == 413 ? 8 : 3, message: 'otelite relay: ' + message });
      }
      return new Response(body, { status, headers: h });
    };
    try {
      if (!c) {
        const given = configOf(env) || {};
        const get = envOf(env);
        c = {
          endpoint: (given.endpoint || get('OTEL_EXPORTER_OTLP_ENDPOINT') || 'http://localhost:4318').replace(/\/+$/, ''),
          headers: { ...keyValues(get('OTEL_EXPORTER_OTLP_HEADERS'), 'OTEL_EXPORTER_OTLP_HEADERS'), ...given.headers },
          origins: given.origins,
          maxBodyBytes: given.maxBodyBytes || 1 << 20,
          compression: given.compression || 'gzip',
          signals: given.signals || ['traces', 'metrics', 'logs'],
          timeoutMillis: given.timeoutMillis || 10_000,
        };
      }
      const url = new URL(req.url);
      const origin = req.headers.get('origin');
      const o = c.origins;
      if (
        o == '*' ||
        (origin &&
          (typeof o == 'function' ? o(origin) : o ? o.includes(origin) : origin == url.origin))
      ) {
        // the origin echoed, with credentials allowed: beacons of a non-safelisted type send them
        cors = origin
          ? { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true', vary: 'Origin' }
          : {};
      }
      const m = PATH.exec(url.pathname);
      const signal = m && c.signals.includes(m[1] as 'traces') ? m[1] : undefined;
      if (req.method == 'OPTIONS') {
        return !cors
          ? answer(403, 'origin not allowed')
          : signal
            ? answer(204, undefined, {
                'access-control-allow-methods': 'POST',
                'access-control-allow-headers': 'content-type, content-encoding',
                'access-control-max-age': '86400',
              })
            : answer(404, 'no such signal');
      }
      if (!cors) return answer(403, `origin ${origin || '(none)'} not allowed`);
      if (!signal) return answer(404, 'POST OTLP JSON to /v1/traces, /v1/metrics or /v1/logs');
      if (req.method != 'POST') return answer(405, 'use POST', { allow: 'POST, OPTIONS' });

      // a Blob without a type has no Content-Type; a beacon's string or Blob is text/plain
      const type = (req.headers.get('content-type') || '').split(';')[0].trim().toLowerCase();
      if (type && type != 'application/json' && type != 'text/plain') {
        return answer(415, `Content-Type ${type} not relayed: send OTLP JSON (application/json, or text/plain for beacons)`);
      }
      const enc = (req.headers.get('content-encoding') || '').trim().toLowerCase();
      if (enc && enc != 'gzip' && enc != 'identity') return answer(415, `Content-Encoding ${enc} not supported`);
      const max = c.maxBodyBytes;
      const too = (): Response => answer(413, `body over ${max} bytes`);
      if (+(req.headers.get('content-length') || 0) > max) return too();
      const raw = await read(req.body, max);
      if (!raw) return too();
      // beacons cannot set Content-Encoding: gzip is recognised by its magic bytes
      const gz = raw[0] == 0x1f && raw[1] == 0x8b;
      if (enc == 'gzip' && !gz) return answer(400, 'Content-Encoding gzip, but the body is not gzip');
      let json = raw;
      if (gz) {
        try {
          const out = await read(stream(raw, new DecompressionStream('gzip')), max);
          if (!out) return too();
          json = out;
        } catch {
          return answer(400, 'the gzip body does not decompress');
        }
      }
      let body: unknown;
      try {
        body = JSON.parse(new TextDecoder().decode(json));
      } catch {
        return answer(400, 'the body is not JSON');
      }
      const key = TOP[signal];
      if (
        !body ||
        typeof body != 'object' ||
        Array.isArray(body) ||
        Object.keys(body).some((k) => k != key) ||
        ((body as Record<string, unknown>)[key] !== undefined && !Array.isArray((body as Record<string, unknown>)[key]))
      ) {
        return answer(400, `not an OTLP JSON ${signal} request (expected {"${key}":[...]})`);
      }

      // forward: what came gzip goes on as it came; the rest is compressed here
      const zip = c.compression == 'gzip';
      const sent =
        zip && !gz ? await new Response(stream(json, new CompressionStream('gzip'))).arrayBuffer() : zip ? raw : json;
      const headers: Record<string, string> = { ...c.headers, 'content-type': 'application/json' };
      if (zip) headers['content-encoding'] = 'gzip';
      let r: Response;
      try {
        // untraced: the fetch instrumentation, if on, leaves the relay's own requests alone
        r = await context.with(suppressTracing(ROOT_CONTEXT), () =>
          fetch(`${c.endpoint}/v1/${signal}`, {
            method: 'POST',
            headers,
            body: sent as BodyInit,
            signal: AbortSignal.timeout(c.timeoutMillis),
          }),
        );
      } catch (e) {
        const timeout = (e as Error)?.name == 'TimeoutError';
        return timeout ? answer(504, 'the collector did not answer in time') : answer(502, 'the collector is unreachable');
      }
      // the collector's answer as it gave it: status, partialSuccess body, Retry-After
      const rh: Record<string, string> = { 'content-type': r.headers.get('content-type') || 'application/json' };
      const ra = r.headers.get('retry-after');
      if (ra) rh['retry-after'] = ra;
      const data = await r.arrayBuffer();
      return answer(r.status, undefined, rh, r.status == 204 || r.status == 205 || r.status == 304 ? null : data);
    } catch (e) {
      report(0, 'relay failed', e);
      return answer(500, 'internal error');
    }
  };
}

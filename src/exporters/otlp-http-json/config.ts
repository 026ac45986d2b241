import { warnConfig } from '../../lib/diag';

/** The three OTLP signals; each has its own path, `/v1/{signal}`. */
export type OtlpSignal = 'traces' | 'metrics' | 'logs';

/**
 * Options of every otelite OTLP/HTTP JSON exporter (traces, metrics, logs). Keys follow
 * DESIGN.md's vocabulary; the edge adapters fill them from `OTEL_EXPORTER_OTLP_*` variables.
 */
export interface OTLPExporterConfig {
  /**
   * The full URL of this signal, used as is (`https://collector.example.com/v1/traces`).
   * Wins over `endpoint`.
   */
  url?: string;
  /**
   * The collector's base URL; `/v1/traces`, `/v1/metrics` or `/v1/logs` is appended
   * (`OTEL_EXPORTER_OTLP_ENDPOINT`). Default `http://localhost:4318`.
   */
  endpoint?: string;
  /**
   * Extra request headers (`OTEL_EXPORTER_OTLP_HEADERS`), e.g. an API key. In a browser each
   * one must be allowed by the collector's CORS config; ignored in beacon mode, which cannot
   * send headers (use the relay to add secrets).
   */
  headers?: Record<string, string>;
  /** `'gzip'` (default) or `'none'` (`OTEL_EXPORTER_OTLP_COMPRESSION`). */
  compression?: 'gzip' | 'none';
  /**
   * `'fetch'` (default): `POST` with `Content-Type: application/json`, what an OpenTelemetry
   * Collector accepts. `'beacon'`: `navigator.sendBeacon` with a `text/plain` body (gzip bytes,
   * uncompressed at page exit): no CORS preflight and survives unload, but the receiver must
   * accept `text/plain` (otelite's relay does; the Collector does not).
   */
  transport?: 'fetch' | 'beacon';
  /** How long one request may take before it is aborted and counts as failed (10000 ms). */
  timeoutMillis?: number;
  /** Requests of this exporter in flight at once, outside page exit (2). */
  concurrencyLimit?: number;
}

/** A config with every option checked and defaulted. */
export interface ResolvedConfig {
  /** Signal URL. */
  u: string;
  /** Extra headers. */
  h: Record<string, string>;
  /** gzip? */
  z: boolean;
  /** beacon mode? */
  b: boolean;
  /** timeout, ms */
  t: number;
  /** concurrency limit */
  c: number;
}

function pos(v: number | undefined, key: string, d: number): number {
  if (v === undefined) return d;
  if (typeof v == 'number' && v > 0) return v;
  warnConfig(key, v, d);
  return d;
}

function oneOf<T extends string>(v: T | undefined, key: string, ok: readonly T[]): T {
  if (v === undefined || ok.includes(v)) return v ?? ok[0];
  warnConfig(key, v, ok[0]);
  return ok[0];
}

/** Checks `c` (one `console.warn` per bad key, safe defaults) and resolves the URL of `signal`. */
export function resolveConfig(c: OTLPExporterConfig = {}, signal: OtlpSignal): ResolvedConfig {
  let u = c.url;
  if (u !== undefined && typeof u != 'string') {
    warnConfig('url', u, undefined);
    u = undefined;
  }
  if (!u) {
    let e = c.endpoint;
    if (e !== undefined && typeof e != 'string') warnConfig('endpoint', e, (e = 'http://localhost:4318'));
    u = (e || 'http://localhost:4318').replace(/\/+$/, '') + '/v1/' + signal;
  }
  return {
    u,
    h: c.headers && typeof c.headers == 'object' ? c.headers : {},
    z: oneOf(c.compression, 'compression', ['gzip', 'none']) == 'gzip',
    b: oneOf(c.transport, 'transport', ['fetch', 'beacon']) == 'beacon',
    t: pos(c.timeoutMillis, 'timeoutMillis', 10000),
    c: pos(c.concurrencyLimit, 'concurrencyLimit', 2),
  };
}

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

/** Checks `c` (one `console.warn` per bad key, safe defaults) and resolves the URL of `signal`. */
export function resolveConfig(c: OTLPExporterConfig = {}, signal: OtlpSignal): ResolvedConfig {
  // one checker for every key: absent → default; valid → itself; invalid → warn, default
  const get = <V>(k: keyof OTLPExporterConfig, ok: (v: never) => unknown, d: V): V => {
    const v = c[k];
    if (v === undefined) return d;
    if (ok(v as never)) return v as V;
    warnConfig(k, v, d);
    return d;
  };
  const str = (v: unknown): boolean => typeof v == 'string';
  const pos = (v: unknown): boolean => typeof v == 'number' && v > 0;
  return {
    u:
      get('url', str, '') ||
      get('endpoint', str, 'http://localhost:4318').replace(/\/+$/, '') + '/v1/' + signal,
    h: get('headers', (v) => v && typeof v == 'object', {}),
    z: get<string>('compression', (v) => v == 'gzip' || v == 'none', 'gzip') == 'gzip',
    b: get<string>('transport', (v) => v == 'fetch' || v == 'beacon', 'fetch') == 'beacon',
    t: get('timeoutMillis', pos, 1e4),
    c: get('concurrencyLimit', pos, 2),
  };
}

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
   * The collector's base URL, an http(s) URL or a path (`/otel`, on the page's origin);
   * `/v1/traces`, `/v1/metrics` or `/v1/logs` is appended (`OTEL_EXPORTER_OTLP_ENDPOINT`).
   * Default `http://localhost:4318`. The distros (`init`, the snippet, the edge wrappers) check
   * it: one that is given but is neither exports nothing, with a warning, rather than going to
   * the default. The exporter itself takes what it is given.
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
  /**
   * How long after its first attempt an export may still be retried (60000 ms); a retry that
   * would start later drops the data instead. On Cloudflare Workers, where `ctx.waitUntil` work
   * is cancelled about 30 s after the response, use about 20000 so that a flush ends inside its
   * request. (An attempt the runtime killed is noticed anyway, at the next export or flush.)
   */
  maxRetryElapsedMillis?: number;
}

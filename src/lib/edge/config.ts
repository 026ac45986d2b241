/**
 * The configuration both edge adapters share: DESIGN.md's vocabulary, with every key the config
 * object leaves out filled from the matching `OTEL_*` variable (the worker's `env` on Cloudflare,
 * `Deno.env` on Deno). Runtime-neutral: the adapter hands in a function that reads one variable.
 * @packageDocumentation
 */
import type { UrlMatcher } from '../../instrumentations/lib/types';
import type { TextMapPropagator } from '../../trace/propagation/types';
import type { Sampler } from '../../trace/sampler';
import type { SpanExporter } from '../../trace/sdk-types';
import { warnConfig } from '../diag';
import type { Attributes } from '../types';

/** Reads one environment variable; undefined when it is unset or cannot be read. */
export type EnvReader = (key: string) => string | undefined;

/** Sampler names of `OTEL_TRACES_SAMPLER`. */
export type SamplerName =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';

/**
 * Configuration of an edge handler wrapper (`instrument`). Every key is optional; a key left out
 * is read from the `OTEL_*` variable named beside it, then defaults.
 */
export interface EdgeConfig {
  /** Resource `service.name` (`OTEL_SERVICE_NAME`). Default `unknown_service`. */
  serviceName?: string;
  /** Extra resource attributes (`OTEL_RESOURCE_ATTRIBUTES`, `k=v,k2=v2`, values percent-encoded). */
  resourceAttributes?: Attributes;
  /**
   * The collector's base URL; spans go to `{endpoint}/v1/traces` (`OTEL_EXPORTER_OTLP_ENDPOINT`;
   * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is used as the full URL when set). Default
   * `http://localhost:4318`.
   */
  endpoint?: string;
  /** Extra export headers, e.g. the collector's API key (`OTEL_EXPORTER_OTLP_HEADERS`, `k=v,k2=v2`). */
  headers?: Record<string, string>;
  /** `gzip` (default) or `none` (`OTEL_EXPORTER_OTLP_COMPRESSION`). */
  compression?: 'gzip' | 'none';
  /** A sampler, or its name (`OTEL_TRACES_SAMPLER`). Default `parentbased_always_on`. */
  sampler?: Sampler | SamplerName;
  /** The ratio of the `traceidratio` samplers (`OTEL_TRACES_SAMPLER_ARG`), 0..1. Default 1. */
  samplerArg?: number;
  /**
   * Propagators, by name or as objects (`OTEL_PROPAGATORS`): `tracecontext`, `baggage`, `none`.
   * Default `['tracecontext', 'baggage']`. B3 and Jaeger live in their own entry points, so that
   * a worker does not pay for them: pass `new B3Propagator()` from `otelite/propagators/b3`.
   */
  propagators?: readonly ('tracecontext' | 'baggage' | 'none' | TextMapPropagator)[];
  /**
   * Outgoing `fetch` URLs that receive trace headers. Default: every URL (a server-side
   * service continues its trace everywhere, as OpenTelemetry's server instrumentations do);
   * give a list to keep `traceparent`, `tracestate` and `baggage` away from third parties.
   */
  propagateTo?: UrlMatcher | readonly UrlMatcher[];
  /** Outgoing `fetch` URLs not traced at all (`OTEL_WEB_EXCLUDED_URLS`: comma-separated regexes). */
  ignoreUrls?: UrlMatcher | readonly UrlMatcher[];
  /**
   * Which instrumentations run (`OTEL_WEB_DISABLED_INSTRUMENTATIONS=fetch` turns `fetch` off).
   * Default: `{ fetch: true }`.
   */
  instrumentations?: { fetch?: boolean };
  /** Turns everything off: the handler runs as if not wrapped (`OTEL_SDK_DISABLED=true`). */
  disabled?: boolean;
  /** Where spans go instead of the OTLP/HTTP JSON exporter (e.g. a `ConsoleSpanExporter`). */
  exporter?: SpanExporter;
  /**
   * Whether the SERVER span continues the caller's trace (`traceparent`, `tracestate`,
   * `baggage` of the request). Default true. A public endpoint may say false (or decide per
   * request): its span then starts a new trace, with a link to the caller's span.
   */
  acceptRemoteContext?: boolean | ((request: Request) => boolean);
  /**
   * Adds `Server-Timing: traceparent;desc="00-{traceId}-{spanId}-{flags}"` to responses so that
   * the page's document-load span joins this trace: `'html'` (default) for `text/html`
   * responses, `true` for all, `false` for none. Nothing is added when the response already
   * names a `traceparent` in its `Server-Timing`.
   */
  serverTiming?: boolean | 'html';
  /**
   * Records `url.query` on SERVER spans (default true). Signed-URL secrets (`Signature`, `sig`,
   * `X-Goog-Signature`, `AWSAccessKeyId`) are always redacted; say false when queries carry
   * personal data.
   */
  captureQuery?: boolean;
  /** The route template of a request (`/users/:id`), as `http.route` and in the span name. */
  route?: (request: Request) => string | undefined;
}

/** The options that shape SERVER spans, resolved. */
export interface ServerOptions {
  /** accept remote context */
  a: boolean | ((request: Request) => boolean);
  /** Server-Timing mode */
  t: boolean | 'html';
  /** capture url.query */
  q: boolean;
  /** route */
  r?: (request: Request) => string | undefined;
}

/**
 * Parses `k=v,k2=v2` (the format of `OTEL_RESOURCE_ATTRIBUTES` and `OTEL_EXPORTER_OTLP_HEADERS`:
 * keys and values percent-decoded, OWS trimmed). A malformed list is discarded as a whole with a
 * warning, as the SDK environment specification asks.
 */
export function parseList(key: string, raw: string | undefined): Record<string, string> | undefined {
  if (!raw) return;
  const out: Record<string, string> = {};
  try {
    for (const part of raw.split(',')) {
      if (!part.trim()) continue;
      const i = part.indexOf('=');
      const k = decodeURIComponent(part.slice(0, i).trim());
      if (i < 1 || !k) throw 0;
      out[k] = decodeURIComponent(part.slice(i + 1).trim());
    }
    return out;
  } catch {
    warnConfig(key, raw, undefined);
  }
}

const truthy = (v: string | undefined): boolean | undefined => (v ? v.trim().toLowerCase() == 'true' : undefined);

/** `OTEL_WEB_EXCLUDED_URLS`: comma-separated regexes; a bad one is skipped with a warning. */
function regexes(raw: string | undefined): RegExp[] | undefined {
  if (!raw) return;
  const out: RegExp[] = [];
  for (const s of raw.split(',')) {
    try {
      if (s.trim()) out.push(new RegExp(s.trim()));
    } catch {
      warnConfig('OTEL_WEB_EXCLUDED_URLS', s, 'nothing (entry skipped)');
    }
  }
  return out;
}

/**
 * `config` with every key it leaves out read from the environment. Config values win; variables
 * only fill gaps. Values are checked where they are used (the exporter, the sampler factory).
 */
export function withEnv(config: EdgeConfig, env: EnvReader): EdgeConfig {
  const c: EdgeConfig = { ...config };
  const num = env('OTEL_TRACES_SAMPLER_ARG');
  c.serviceName ??= env('OTEL_SERVICE_NAME');
  c.resourceAttributes ??= parseList('OTEL_RESOURCE_ATTRIBUTES', env('OTEL_RESOURCE_ATTRIBUTES'));
  c.endpoint ??= env('OTEL_EXPORTER_OTLP_ENDPOINT');
  c.headers ??= parseList('OTEL_EXPORTER_OTLP_HEADERS', env('OTEL_EXPORTER_OTLP_HEADERS'));
  c.compression ??= env('OTEL_EXPORTER_OTLP_COMPRESSION')?.trim().toLowerCase() as EdgeConfig['compression'];
  c.sampler ??= env('OTEL_TRACES_SAMPLER') as SamplerName | undefined;
  c.samplerArg ??= num ? +num : undefined;
  c.propagators ??= env('OTEL_PROPAGATORS')?.split(',').map((s) => s.trim().toLowerCase()) as EdgeConfig['propagators'];
  c.ignoreUrls ??= regexes(env('OTEL_WEB_EXCLUDED_URLS'));
  c.instrumentations ??= env('OTEL_WEB_DISABLED_INSTRUMENTATIONS')?.includes('fetch') ? { fetch: false } : undefined;
  c.disabled ??= truthy(env('OTEL_SDK_DISABLED'));
  return c;
}

/** An `env` object's string values as an {@link EnvReader} (Cloudflare bindings; non-strings ignored). */
export const objectEnv =
  (env: unknown): EnvReader =>
  (k) => {
    const v = env && typeof env == 'object' ? (env as Record<string, unknown>)[k] : undefined;
    return typeof v == 'string' ? v : undefined;
  };

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
import { endpoint, keyValues, list, patterns, withEnv, type EnvReader } from '../config';
import type { Attributes } from '../types';

export type { EnvReader } from '../config';

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
   * `http://localhost:4318`; a value that is not an http(s) URL exports nothing (with a warning;
   * a path is accepted, as in a page, but a server has no origin to resolve it against).
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
   * `X-Goog-Signature`, `AWSAccessKeyId`, the SigV4 `X-Amz-*` ones) are always redacted; say false when queries carry
   * personal data.
   */
  captureQuery?: boolean;
  /** The route template of a request (`/users/:id`), as `http.route` and in the span name. */
  route?: (request: Request) => string | undefined;
}

/** The options that shape SERVER spans, resolved. */
export interface ServerOptions {
  /** accept remote context */
  acceptRemoteContext: boolean | ((request: Request) => boolean);
  /** Server-Timing mode */
  serverTiming: boolean | 'html';
  /** capture url.query */
  captureQuery: boolean;
  /** route */
  route?: (request: Request) => string | undefined;
}

/** A parsed edge config: the {@link EdgeConfig} keys, parsed and defaulted. */
export interface ResolvedEdge extends ServerOptions {
  /** resource attributes, `service.name` included */
  resourceAttributes: Attributes;
  /** exporter options */
  endpoint?: string;
  /** exporter headers */
  headers: Record<string, string>;
  /** exporter compression */
  compression?: 'gzip' | 'none';
  /** a sampler, or its name */
  sampler?: string | Sampler;
  /** its ratio */
  samplerArg?: number | string;
  /** propagator names and objects */
  propagators: (string | TextMapPropagator)[];
  /** outgoing URLs that get trace headers */
  propagateTo: UrlMatcher | readonly UrlMatcher[];
  /** outgoing URLs not traced */
  ignoreUrls?: UrlMatcher | readonly UrlMatcher[];
  /** whether outgoing fetch is traced */
  fetch: boolean;
  /** everything off */
  disabled: boolean;
  /** where spans go instead of OTLP */
  exporter?: SpanExporter;
}

/**
 * `config` with every key it leaves out read from the environment (config values win; variables
 * only fill gaps, see `withEnv`), parsed as the web distro parses them (`lib/config`). The values
 * are checked where they are used, each with one warning and a safe default: the exporter checks
 * its options, `samplerFromName` the sampler, `propagatorFrom` the propagators, the fetch
 * instrumentation `propagateTo` and `ignoreUrls`. A worker carries no more than that (the web
 * distro's full table costs about 0.2 KB gzip more), but for the endpoint (`endpoint`, the web
 * distro's check) and one list of the keys: a key the config has and {@link EdgeConfig} does
 * not gets the web distro's warning (`withEnv` with its `keys`, `unknownNames`).
 */
export function resolveEdge(config: EdgeConfig, env: EnvReader): ResolvedEdge {
  // EdgeConfig's keys besides those of OTEL_* variables, and the exporter's number options,
  // which reach it too (see the SDK): other keys get a warning
  const c = withEnv(config, env, 'propagateTo exporter acceptRemoteContext serverTiming captureQuery route timeoutMillis concurrencyLimit maxRetryElapsedMillis');
  return {
    ...c,
    resourceAttributes: { ...keyValues(c.resourceAttributes, 'resourceAttributes'), ...(c.serviceName && { 'service.name': c.serviceName }) },
    headers: keyValues(c.headers, 'headers'),
    // (not checked when the traces URL is given: it wins, see the SDK, and the warning would lie)
    endpoint: (env('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ? c.endpoint : endpoint(c.endpoint, 'endpoint')) as string | undefined,
    // enumerations are case-insensitive (the SDK environment spec); the exporter checks the value
    compression: (c.compression && String(c.compression).trim().toLowerCase()) as ResolvedEdge['compression'],
    propagators: list(c.propagators || 'tracecontext,baggage'),
    // a server continues its trace to every URL unless told otherwise (/^/ matches all)
    // `/re/flags` strings made RegExps as the web distro makes them; the fetch instrumentation
    // checks the rest
    propagateTo: c.propagateTo === undefined ? /^/ : (patterns(c.propagateTo, 'propagateTo') as UrlMatcher[]),
    ignoreUrls: patterns(c.ignoreUrls, 'ignoreUrls') as UrlMatcher[],
    fetch: c.instrumentations?.fetch !== false,
    // a boolean variable is true only when it says "true", in any case (the SDK environment spec)
    disabled: String(c.disabled).trim().toLowerCase() == 'true',
    acceptRemoteContext: c.acceptRemoteContext ?? true,
    serverTiming: c.serverTiming ?? 'html',
    captureQuery: c.captureQuery ?? true,
  };
}

/** An `env` object's string values as an {@link EnvReader} (Cloudflare bindings; non-strings ignored). */
export const objectEnv =
  (env: unknown): EnvReader =>
  (k) => {
    // a primitive `env` has no OTEL_* members either
    const v = (env as Record<string, unknown> | undefined)?.[k];
    return typeof v == 'string' ? v : undefined;
  };

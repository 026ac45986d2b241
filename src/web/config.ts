import { check, COMMON, flag, instrumentations, INSTRUMENTATIONS, is, isFunction, list, oneOf } from '../lib/config';
import { redactUrl, SECRET_PARAMS, secretQuery } from '../lib/redact';
import type { Attributes } from '../lib/types';
import type { ContextManager } from '../context/types';
import type { DocumentLoadOptions } from '../instrumentations/document-load/document-load';
import type { ErrorsInstrumentationOptions } from '../instrumentations/errors/errors';
import type { HttpInstrumentationOptions, UrlMatcher } from '../instrumentations/lib/types';
import type { Sampler } from '../trace/sampler';
import type { WebVitalsOptions } from './lazy';
import type { SessionOptions } from './session';

/** Names of the instrumentations the web distro runs. */
export type InstrumentationName = (typeof INSTRUMENTATIONS)[number];

/**
 * The options of each instrumentation. `propagateTo` and `ignoreUrls` default to the top-level
 * ones and take the same forms (a `/re/flags` string is a RegExp, a string may list several).
 */
export interface InstrumentationOptions {
  /** See `fetchInstrumentation`. */
  fetch?: HttpInstrumentationOptions;
  /** See `xhrInstrumentation`. */
  xhr?: HttpInstrumentationOptions;
  /** See `documentLoadInstrumentation`. */
  'document-load'?: DocumentLoadOptions;
  /** See {@link WebVitalsOptions}. */
  'web-vitals'?: WebVitalsOptions;
  /** See `errorsInstrumentation`. */
  errors?: ErrorsInstrumentationOptions;
}

/**
 * Every instrumentation of the distro, in the order they are enabled (the shared list itself: an
 * alias of it would cost the snippet a variable, 14 B gzip).
 */
export { INSTRUMENTATIONS as ALL };

/**
 * Configuration of `init`, in DESIGN.md's vocabulary. Every key is optional.
 *
 * In the snippet every key with a string, number, boolean or list value has a `data-*` form on
 * its `<script>` tag, the key in kebab-case (`data-service-name`, `data-endpoint`,
 * `data-propagate-to`, `data-disabled-instrumentations`, ...): lists are comma-separated, a
 * `/.../flags` entry of `data-propagate-to` or `data-ignore-urls` is a regular expression,
 * `data-headers` and `data-resource-attributes` are `k=v,k2=v2`, a bare `data-disabled` or
 * `data-debug` means true. Functions and objects (`redactUrl`, `contextManager`, options of one
 * instrumentation) go through `window.oteliteConfig`, which wins over the attributes.
 */
export interface WebConfig {
  /** `service.name` of the resource. */
  serviceName?: string;
  /** More resource attributes, as an object or `k=v,k2=v2` (values percent-decoded). */
  resourceAttributes?: Attributes | string;
  /**
   * The collector's base URL, an http(s) URL or a path: signals go to `/v1/traces`, `/v1/metrics`,
   * `/v1/logs` (`http://localhost:4318`). A value that is neither exports nothing (with a warning).
   */
  endpoint?: string;
  /** Extra export headers, as an object or `k=v,k2=v2`. Never secrets: a page's visitors can read them. */
  headers?: Record<string, string> | string;
  /** `gzip` (default) or `none`. */
  compression?: 'gzip' | 'none';
  /** `fetch` (default) or `beacon` (for otelite's relay: no CORS preflight; the Collector does not accept it). */
  transport?: 'fetch' | 'beacon';
  /** A sampler, or its OTEL name: `parentbased_always_on` (default), `always_on`, `always_off`, `traceidratio`, `parentbased_always_off`, `parentbased_traceidratio`. */
  sampler?: string | Sampler;
  /** The ratio of the ratio samplers, 0..1 (default 1). */
  samplerArg?: number | string;
  /** `tracecontext,baggage` (default); `b3`, `b3multi` and `jaeger` are loaded on demand; `none`. */
  propagators?: string | string[];
  /**
   * URLs besides the page's own origin whose requests get trace headers: an origin or URL
   * prefix, or a RegExp (see `UrlMatcher`). The server must allow `traceparent` in its CORS
   * preflight answer.
   */
  propagateTo?: UrlMatcher | UrlMatcher[];
  /** URLs not traced at all (fetch, XHR, resources of the page load). */
  ignoreUrls?: UrlMatcher | UrlMatcher[];
  /**
   * Which instrumentations run (all by default): a list of names (`'fetch,xhr'`), or an object
   * of name → `true`, `false` or that instrumentation's options
   * (`{ 'web-vitals': { attribution: true }, xhr: false }`; names left out run with defaults).
   */
  instrumentations?: string | InstrumentationName[] | { [K in InstrumentationName]?: boolean | InstrumentationOptions[K] };
  /** Instrumentations not to run (`OTEL_WEB_DISABLED_INSTRUMENTATIONS`): `'xhr,errors'`. */
  disabledInstrumentations?: string | InstrumentationName[];
  /**
   * Metrics temporality (`OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`): `cumulative`
   * (default), `delta` or `lowmemory`, for the page's metrics and the web-vitals histograms.
   */
  temporalityPreference?: 'cumulative' | 'delta' | 'lowmemory';
  /** Everything becomes a no-op (`OTEL_SDK_DISABLED`). */
  disabled?: boolean | string;
  /**
   * `session.id` on all telemetry: on by default, kept in `sessionStorage` (`'session'`); `'local'`
   * keeps it in `localStorage` (shared by the origin's tabs); `false` turns sessions off; an
   * object sets the storage and the expiry.
   */
  session?: boolean | string | SessionOptions;
  /**
   * Query parameters whose values are replaced by `REDACTED` in `url.full`, besides the
   * semantic conventions' defaults (`AWSAccessKeyId`, `Signature`, `sig`, `X-Goog-Signature`, `X-Amz-Signature`, `X-Amz-Credential`, `X-Amz-Security-Token`).
   */
  redactQueryParams?: string | string[];
  /**
   * Called with every `url.full` that spans and log records carry, after the built-in redaction
   * (credentials and signed query parameters); what it returns is recorded instead.
   */
  redactUrl?: (url: string) => string;
  /** The context manager (default: the stack manager; see the README for which to pick). */
  contextManager?: ContextManager;
  /** Prints otelite's diagnostics to the console (`true`: debug level). */
  debug?: boolean | string;
}

/** A checked config: what the setup uses (the {@link WebConfig} keys, their values checked). */
export interface Resolved {
  /** the resource attributes, `service.name` included */
  resourceAttributes: Attributes;
  /** exporter options: the Resolved config is the exporters' config too */
  endpoint?: string;
  /** exporter headers */
  headers: Record<string, string>;
  /** exporter compression */
  compression?: 'gzip' | 'none';
  /** exporter transport */
  transport?: 'fetch' | 'beacon';
  /** metrics temporality (the metrics exporters' option) */
  temporalityPreference?: string;
  /** a sampler, or its name */
  sampler?: string | Sampler;
  /** the sampler's ratio, checked where the sampler is made */
  samplerArg?: number | string;
  /** propagator names */
  propagators: string[];
  /** checked URL matchers */
  propagateTo: UrlMatcher[];
  /** checked URL matchers */
  ignoreUrls: UrlMatcher[];
  /** the options of the instrumentations that run, each with its URL options checked (the top-level ones where it has none) */
  instrumentations: Partial<Record<InstrumentationName, object>>;
  /** session options, or false */
  session: SessionOptions | false;
  /** the whole `url.full` redaction */
  redactUrl: (url: string) => string;
  /** the context manager to register */
  contextManager?: ContextManager;
  /** diagnostics to the console */
  debug: boolean;
  /** everything a no-op */
  disabled: boolean;
}

/**
 * The `url.full` redaction: credentials become `REDACTED:REDACTED` and the values of the listed
 * query parameters `REDACTED` (as the HTTP semantic conventions ask), then `hook` (when given)
 * has the last word. A hook that throws or returns no string gives `REDACTED`: when in doubt,
 * record nothing.
 */
export function redactor(params: string[], hook?: (url: string) => string): (url: string) => string {
  let q: RegExp | undefined;
  return (url) => {
    // the pattern is made at the first URL, off the snippet's task
    url = redactUrl(url, (q ||= secretQuery(params)));
    if (!hook) return url;
    try {
      const r = hook(url);
      return typeof r == 'string' ? r : 'REDACTED';
    } catch {
      return 'REDACTED';
    }
  };
}

/** How each key of {@link WebConfig} is checked: DESIGN.md's shared keys, then the distro's own. */
const TABLE = {
  ...COMMON,
  transport: /* @__PURE__ */ oneOf('fetch,beacon'),
  temporalityPreference: /* @__PURE__ */ oneOf('cumulative,delta,lowmemory'),
  // an object, a storage name, or a flag: true is {} (the defaults), false off, else undefined
  session: (v: unknown) => (v && typeof v == 'object' ? v : v == 'local' || v == 'session' ? { storage: v } : flag(v) && {}),
  redactQueryParams: list,
  redactUrl: isFunction,
  contextManager: /* @__PURE__ */ is((v: ContextManager) => typeof v.active == 'function'),
  debug: flag,
  // Other tools' data-* attributes on the snippet's tag, taken without a warning (`list` never
  // says a string is bad): Next.js's <Script> adds data-nscript to every script it renders, and
  // Cloudflare asks for data-cfasync="false" to keep Rocket Loader off a script; a warning on
  // every page view there would teach people to ignore otelite's warnings. (8 B gzip for the
  // two; other tools' attributes keep the warning: each name costs bytes in every snippet.)
  nscript: list,
  cfasync: list,
};

/**
 * Checks a config: one `console.warn` for each bad value (naming the key, the value and the
 * default used instead) or unknown key, and safe defaults. Never throws for bad input.
 */
export function resolve(config: WebConfig): Resolved {
  const c = check<Resolved & { serviceName?: string; disabledInstrumentations: string[]; redactQueryParams: string[] }>(config, TABLE, {
    session: {},
    disabled: false,
    debug: false,
  });
  if (c.serviceName) c.resourceAttributes['service.name'] = c.serviceName;
  c.instrumentations = instrumentations(c.instrumentations, c.disabledInstrumentations, INSTRUMENTATIONS, c);
  c.redactUrl = redactor([...SECRET_PARAMS, ...c.redactQueryParams], c.redactUrl);
  return c;
}

import { redactUrl, SECRET_PARAMS, secretQuery } from '../lib/redact';
import { warnConfig } from '../lib/diag';
import { isAttributeValue } from '../lib/attributes';
import type { Attributes } from '../lib/types';
import type { ContextManager } from '../context/types';
import type { OTLPExporterConfig } from '../exporters/otlp-http-json/config';
import type { DocumentLoadOptions } from '../instrumentations/document-load/document-load';
import type { ErrorsInstrumentationOptions } from '../instrumentations/errors/errors';
import type { HttpInstrumentationOptions, UrlMatcher } from '../instrumentations/lib/types';
import { httpUrl } from '../instrumentations/lib/url';
import type { Sampler } from '../trace/sampler';
import type { WebVitalsOptions } from './lazy';
import type { SessionOptions } from './session';

/** Names of the instrumentations the web distro runs. */
export type InstrumentationName = 'fetch' | 'xhr' | 'document-load' | 'web-vitals' | 'errors';

/** The options of each instrumentation (`propagateTo` and `ignoreUrls` default to the top-level ones). */
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

/** Every instrumentation of the distro, in the order they are enabled. */
export const ALL: InstrumentationName[] = ['fetch', 'xhr', 'document-load', 'web-vitals', 'errors'];

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
  /** The collector's base URL: signals go to `/v1/traces`, `/v1/metrics`, `/v1/logs` (`http://localhost:4318`). */
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
   * semantic conventions' defaults (`AWSAccessKeyId`, `Signature`, `sig`, `X-Goog-Signature`).
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

/** A checked config: what the setup uses. */
export interface Resolved {
  /** resource attributes */
  r: Attributes;
  /** exporter config */
  x: OTLPExporterConfig;
  /** sampler, or its name */
  s?: string | Sampler;
  /** sampler arg */
  a?: number | string;
  /** propagator names */
  p: string[];
  /** propagateTo */
  pt: UrlMatcher[];
  /** ignoreUrls */
  iu: UrlMatcher[];
  /** options of the instrumentations that run */
  i: Partial<Record<InstrumentationName, object>>;
  /** session options, or false */
  n: SessionOptions | false;
  /** url.full redaction */
  u: (url: string) => string;
  /** context manager */
  c?: ContextManager;
  /** debug */
  d: boolean;
  /** disabled: everything a no-op */
  o: boolean;
}

/** Splits a comma-separated list (arrays pass through). */
export const list = (v: unknown): string[] =>
  Array.isArray(v) ? v : typeof v == 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : [];

/** `true` for true, 'true', '1', '' (a bare data attribute); `false` for false, 'false', '0'; else undefined. */
export const flag = (v: unknown): boolean | undefined =>
  v === true || v === '' || v === 'true' || v === '1' ? true : v === false || v === 'false' || v === '0' ? false : undefined;

/** Parses `k=v,k2=v2` (values percent-decoded, as OTEL_RESOURCE_ATTRIBUTES specifies); checks objects. */
export function keyValues(key: string, v: unknown, ok: (x: unknown) => boolean): Record<string, never> {
  const out: Record<string, unknown> = {};
  if (v && typeof v == 'object' && !Array.isArray(v)) {
    for (const k in v) {
      const x = (v as Record<string, unknown>)[k];
      if (ok(x)) out[k] = x;
      else warnConfig(key + '.' + k, x, 'skipped');
    }
  } else if (typeof v == 'string') {
    for (const pair of list(v)) {
      const i = pair.indexOf('=');
      try {
        if (i < 1) throw 0;
        out[pair.slice(0, i).trim()] = decodeURIComponent(pair.slice(i + 1).trim());
      } catch {
        warnConfig(key, pair, 'skipped');
      }
    }
  } else if (v !== undefined) warnConfig(key, v, {});
  return out as Record<string, never>;
}

/**
 * URL matchers from strings (`/re/flags` is a RegExp), RegExps or lists of them. Strings must be
 * http(s) URLs (relative ones resolve against the page), as the instrumentations require: a bad
 * entry is reported here, once, and left out.
 */
export function matchers(key: string, v: unknown): UrlMatcher[] {
  const out: UrlMatcher[] = [];
  for (const m of v instanceof RegExp ? [v] : list(v)) {
    try {
      const re = typeof m == 'string' && /^\/(.+)\/([a-z]*)$/.exec(m);
      const x = m instanceof RegExp ? m : re ? new RegExp(re[1], re[2]) : httpUrl(m) && m;
      if (!x) throw 0;
      out.push(x);
    } catch {
      warnConfig(key, m, 'skipped');
    }
  }
  return out;
}


/**
 * The `url.full` redaction: credentials become `REDACTED:REDACTED` and the values of the listed
 * query parameters `REDACTED` (as the HTTP semantic conventions ask), then `hook` (when given)
 * has the last word. A hook that throws or returns no string gives `REDACTED`: when in doubt,
 * record nothing.
 */
export function redactor(params: string[], hook?: (url: string) => string): (url: string) => string {
  const q = secretQuery(params);
  return (url) => {
    url = redactUrl(url, q);
    if (!hook) return url;
    try {
      const r = hook(url);
      return typeof r == 'string' ? r : 'REDACTED';
    } catch {
      return 'REDACTED';
    }
  };
}

/** The keys {@link WebConfig} has; any other key is a typo worth a warning. */
const KEYS =
  'serviceName,resourceAttributes,endpoint,headers,compression,transport,sampler,samplerArg,propagators,propagateTo,ignoreUrls,instrumentations,disabledInstrumentations,disabled,session,redactQueryParams,redactUrl,contextManager,debug'.split(
    ',',
  );

/**
 * Checks a config: one `console.warn` for each bad value (naming the key, the value and the
 * default used instead) or unknown key, and safe defaults. Never throws for bad input.
 */
export function resolve(c: WebConfig): Resolved {
  const str = (v: unknown): boolean => typeof v == 'string' && v != '';
  // absent → default; valid → itself; invalid → warn, default
  const get = <V>(k: keyof WebConfig, ok: (v: unknown) => unknown, d?: V): V | undefined => {
    const v = c[k];
    if (v === undefined) return d;
    if (ok(v)) return v as V;
    warnConfig(k, v, d);
    return d;
  };
  for (const k in c) if (!KEYS.includes(k)) warnConfig('config key', k, 'nothing (unknown key)');

  const r: Attributes = keyValues('resourceAttributes', c.resourceAttributes, isAttributeValue);
  const name = get<string>('serviceName', str);
  if (name) r['service.name'] = name;

  // the instrumentations: a list of names, or an object of name → boolean | options
  const ch = c.instrumentations;
  const obj = ch && typeof ch == 'object' && !Array.isArray(ch) ? (ch as Record<string, unknown>) : undefined;
  const off = list(c.disabledInstrumentations);
  const named = obj ? Object.keys(obj) : list(ch);
  for (const n of [...named, ...off]) if (!ALL.includes(n as InstrumentationName)) warnConfig('instrumentations', n, ALL);
  const i: Resolved['i'] = {};
  for (const n of ALL) {
    let o: unknown = obj ? (obj[n] ?? true) : ch === undefined || named.includes(n);
    if (typeof o == 'string') o = flag(o);
    if (o && !off.includes(n)) i[n] = typeof o == 'object' ? o : {};
  }

  let n: SessionOptions | false = {};
  const s = c.session;
  if (s && typeof s == 'object') n = s;
  else if (s == 'local' || s == 'session') n = { storage: s };
  else if (s !== undefined && flag(s) === undefined) warnConfig('session', s, 'session');
  else if (flag(s) === false) n = false;

  const bool = (k: 'disabled' | 'debug'): boolean => {
    const f = flag(c[k]);
    if (c[k] !== undefined && f === undefined) warnConfig(k, c[k], false);
    return !!f;
  };
  const cm = get<ContextManager>('contextManager', (v) => typeof (v as ContextManager).active == 'function');

  return {
    r,
    x: {
      endpoint: get('endpoint', (v) => str(v) && httpUrl(v)),
      headers: keyValues('headers', c.headers, (v) => typeof v == 'string'),
      compression: get('compression', (v) => v == 'gzip' || v == 'none'),
      transport: get('transport', (v) => v == 'fetch' || v == 'beacon'),
    },
    s: get('sampler', (v) => str(v) || typeof (v as Sampler).shouldSample == 'function'),
    a: c.samplerArg,
    p: c.propagators === undefined ? ['tracecontext', 'baggage'] : list(c.propagators),
    pt: matchers('propagateTo', c.propagateTo),
    iu: matchers('ignoreUrls', c.ignoreUrls),
    i,
    n,
    u: redactor(
      [...SECRET_PARAMS, ...list(c.redactQueryParams)],
      get<(u: string) => string>('redactUrl', (v) => typeof v == 'function'),
    ),
    c: cm,
    d: bool('debug'),
    o: bool('disabled'),
  };
}

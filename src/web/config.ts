import { warnConfig } from '../lib/diag';
import type { Attributes } from '../lib/types';
import type { ContextManager } from '../context/types';
import type { HttpInstrumentationOptions, UrlMatcher } from '../instrumentations/lib/types';
import type { Sampler } from '../trace/sampler';
import type { SessionOptions } from './session';

/** Names of the instrumentations the web distro runs. */
export type InstrumentationName = 'fetch' | 'xhr' | 'document-load' | 'web-vitals' | 'errors';

/**
 * Configuration of {@link init}, in DESIGN.md's vocabulary. In the snippet every key has a
 * `data-*` form on its `<script>` tag (`data-service-name`, `data-endpoint`,
 * `data-propagate-to`, `data-disabled-instrumentations`, ...): lists are comma-separated, and a
 * `/.../` entry of `data-propagate-to` or `data-ignore-urls` is a regular expression.
 */
export interface WebConfig {
  /** `service.name` of the resource. */
  serviceName?: string;
  /** More resource attributes, as an object or `k=v,k2=v2` (values percent-decoded). */
  resourceAttributes?: Attributes | string;
  /** The collector's base URL: signals go to `/v1/traces`, `/v1/metrics`, `/v1/logs`. */
  endpoint?: string;
  /** Extra export headers, as an object or `k=v,k2=v2`. */
  headers?: Record<string, string> | string;
  /** `gzip` (default) or `none`. */
  compression?: 'gzip' | 'none';
  /** `fetch` (default) or `beacon` (for otelite's relay: no preflight). */
  transport?: 'fetch' | 'beacon';
  /** A sampler, or its OTEL name: `parentbased_always_on` (default), `always_on`, `always_off`, `traceidratio`, `parentbased_always_off`, `parentbased_traceidratio`. */
  sampler?: string | Sampler;
  /** The ratio of the ratio samplers (default 1). */
  samplerArg?: number | string;
  /** `tracecontext,baggage` (default); `b3`, `b3multi`, `jaeger` are loaded on demand; `none`. */
  propagators?: string | string[];
  /** URLs besides the page's origin that get trace headers (see the fetch instrumentation). */
  propagateTo?: UrlMatcher | UrlMatcher[] | string;
  /** URLs not traced at all. */
  ignoreUrls?: UrlMatcher | UrlMatcher[] | string;
  /** Which instrumentations run (all by default): a list of names, or an object of name → `false` or options. */
  instrumentations?: string | InstrumentationName[] | Partial<Record<InstrumentationName, boolean | object>>;
  /** Instrumentations not to run (`OTEL_WEB_DISABLED_INSTRUMENTATIONS`). */
  disabledInstrumentations?: string | InstrumentationName[];
  /** Everything becomes a no-op. */
  disabled?: boolean | string;
  /** `session.id` on all telemetry (default on, `sessionStorage`); `false` to turn it off. */
  session?: boolean | string | SessionOptions;
  /** Called with every `url.full` the instrumentations record, after the built-in redaction; returns what is kept. */
  redactUrl?: (url: string) => string;
  /** The context manager (default: the stack manager; see the README for which to pick). */
  contextManager?: ContextManager;
}

/** Splits a comma-separated list (arrays pass through). */
export const list = (v: unknown): string[] =>
  Array.isArray(v) ? v : typeof v == 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : [];

/** Parses `k=v,k2=v2` (values percent-decoded, as OTEL_RESOURCE_ATTRIBUTES specifies); objects pass through. */
export function keyValues(key: string, v: unknown): Record<string, string> {
  if (v && typeof v == 'object') return v as Record<string, string>;
  const out: Record<string, string> = {};
  for (const pair of list(v)) {
    const i = pair.indexOf('=');
    try {
      if (i < 1) throw 0;
      out[pair.slice(0, i).trim()] = decodeURIComponent(pair.slice(i + 1).trim());
    } catch {
      warnConfig(key, pair, 'skipped');
    }
  }
  return out;
}

/** URL matchers from strings (`/re/flags` is a RegExp), RegExps or lists of them. */
export function matchers(key: string, v: unknown): UrlMatcher[] {
  const out: UrlMatcher[] = [];
  for (const m of v instanceof RegExp ? [v] : list(v)) {
    if (m instanceof RegExp) out.push(m);
    else {
      const re = /^\/(.+)\/([a-z]*)$/.exec(m);
      try {
        out.push(re ? new RegExp(re[1], re[2]) : m);
      } catch {
        warnConfig(key, m, 'skipped');
      }
    }
  }
  return out;
}

/** The options of each instrumentation that runs; absent = not running. */
export function instrumentationOptions(
  c: WebConfig,
  http: HttpInstrumentationOptions,
): Partial<Record<InstrumentationName, object>> {
  const all: InstrumentationName[] = ['fetch', 'xhr', 'document-load', 'web-vitals', 'errors'];
  const chosen = c.instrumentations;
  const off = list(c.disabledInstrumentations);
  const out: Partial<Record<InstrumentationName, object>> = {};
  for (const n of all) {
    let o: unknown = true;
    if (chosen && typeof chosen == 'object' && !Array.isArray(chosen)) o = chosen[n] ?? true;
    else if (chosen !== undefined) o = list(chosen).includes(n);
    if (o && !off.includes(n)) out[n] = { ...http, ...(typeof o == 'object' ? o : {}) };
  }
  for (const n of [...list(chosen && typeof chosen == 'object' && !Array.isArray(chosen) ? Object.keys(chosen) : chosen), ...off]) {
    if (!all.includes(n as InstrumentationName)) warnConfig('instrumentations', n, all);
  }
  return out;
}

/** `true` for true, 'true', '1', '' (a bare data attribute). */
export const flag = (v: unknown): boolean => v === true || v === '' || v === 'true' || v === '1';

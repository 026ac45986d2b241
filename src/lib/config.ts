/**
 * DESIGN.md's configuration vocabulary, parsed one way for every distro: the web distro (`init`,
 * the snippet's `data-*` attributes) and the edge adapters (config objects and `OTEL_*`
 * variables, see {@link withEnv}). The web distro checks every key against {@link COMMON} (plus
 * its own keys) with {@link check}; the edge adapters parse with the same helpers and leave the
 * checks to where the values are used (exporter, sampler, propagators), which a worker carries
 * anyway, but for unknown keys ({@link unknownNames}, as `check` does) and {@link endpoint}.
 * A bad value gets one `console.warn` naming the key and the value, and a safe default.
 * @packageDocumentation
 */
import type { UrlMatcher } from '../instrumentations/lib/types';
import { isUrlOrPath, list as urls } from '../instrumentations/lib/url';
import { W3CBaggagePropagator } from '../trace/propagation/baggage';
import { CompositePropagator } from '../trace/propagation/composite';
import { W3CTraceContextPropagator } from '../trace/propagation/trace-context';
import type { TextMapPropagator } from '../trace/propagation/types';
import { isAttributeValue } from './attributes';
import { warnConfig } from './diag';

/** Reads one environment variable; undefined when it is unset or cannot be read. */
export type EnvReader = (key: string) => string | undefined;

/** Every instrumentation name the `instrumentations` keys know (each distro runs those it has), in the order the web distro enables them. */
export const INSTRUMENTATIONS: ('fetch' | 'xhr' | 'document-load' | 'web-vitals' | 'errors')[] = ['fetch', 'xhr', 'document-load', 'web-vitals', 'errors'];

/**
 * Splits a comma-separated list, trimmed, empty members dropped (arrays pass through): the one
 * splitter of `data-*` attributes, `window.oteliteConfig` strings and `OTEL_*` variables. A comma
 * inside braces or brackets does not split: it belongs to a regular expression's quantifier or
 * class (`/^https:\/\/h:91[0-9]{1,2}\//`, `/[^,]+/`), which would otherwise become two members
 * that match nothing. (Told by what follows the comma: a `}` or `]` before any `{`, `[`, `=` or
 * `/`. So a `k=v` member (headers, resource attributes) or a `/re/` one after the comma always
 * splits, whatever brackets its value has; the bare expressions of `OTEL_WEB_EXCLUDED_URLS`,
 * which have no slashes to tell them by, stay whole; and it costs a third of the bytes of
 * finding where a `/re/flags` member ends. A comma outside brackets still splits, also in an
 * expression: `/a,b/` becomes a path `/a` and `b/`, which `matchers` warns about.)
 */
export const list = (v: unknown): string[] =>
  Array.isArray(v) ? v : typeof v == 'string' ? v.split(/,(?![^{[=/]*[}\]])/).map((s) => s.trim()).filter(Boolean) : [];

/**
 * `true` for true, 1, `'true'` (any case), `'1'` and `''` (a bare data attribute); `false` for
 * false, 0, `'false'`, `'0'`; else undefined.
 */
export const flag = (v: unknown): boolean | undefined => {
  const s = typeof v == 'string' ? v.trim().toLowerCase() : v;
  // (`==` makes true 1 and false 0: the booleans need no case of their own)
  return s === '' || s == 'true' || s == 1 ? true : s == 'false' || s == 0 ? false : undefined;
};

/**
 * A `k=v,k2=v2` string (the format of `OTEL_RESOURCE_ATTRIBUTES` and `OTEL_EXPORTER_OTLP_HEADERS`:
 * keys and values percent-decoded, blanks trimmed) as an object; an object as it is. A malformed
 * string is discarded as a whole, as the SDK environment specification asks, with one warning;
 * so is anything else. See {@link checkedValues} for objects.
 */
export function keyValues(v: unknown, key: string): Record<string, never> {
  const out: Record<string, string> = {};
  if (v && typeof v == 'object' && !Array.isArray(v)) return v as Record<string, never>;
  if (v !== undefined) {
    try {
      if (typeof v != 'string') throw 0;
      for (const p of list(v)) {
        const i = p.indexOf('=');
        const k = decodeURIComponent(p.slice(0, i).trim());
        if (i < 1 || !k) throw 0;
        out[k] = decodeURIComponent(p.slice(i + 1).trim());
      }
    } catch {
      warnConfig(key, v, {});
      return {};
    }
  }
  return out as Record<string, never>;
}

/** {@link keyValues}, as a copy without the values that fail `ok` (each warned about). */
export const checkedValues =
  (ok: (x: unknown) => boolean = (x) => typeof x == 'string'): Check =>
  (v, key) => {
    const out: Record<string, unknown> = { ...keyValues(v, key) };
    for (const k in out) {
      if (!ok(out[k])) {
        warnConfig(key + '.' + k, out[k], 'skipped');
        delete out[k];
      }
    }
    return out;
  };

/**
 * URL patterns from RegExps and strings, or a list or comma-separated string of them, as the
 * config gives them: a `/re/flags` string (the way to write a RegExp where only strings fit:
 * data attributes, `OTEL_WEB_EXCLUDED_URLS`, JSON) becomes that RegExp, a bad expression is
 * reported, once, and left out. Other strings stay as they are: {@link matchers} checks them
 * as URLs, the edge leaves that to the fetch instrumentation. A string that starts with `//` is
 * a protocol-relative URL (`//cdn.example/x`), never an expression (none starts with a `/`
 * unescaped): read as one it would match that text anywhere in any URL.
 */
export const patterns = (v: unknown, key: string): unknown[] =>
  (v instanceof RegExp ? [v] : list(v)).flatMap((m) => {
    const re = typeof m == 'string' && /^\/([^/].*)\/([a-z]*)$/.exec(m);
    try {
      return [re ? new RegExp(re[1], re[2]) : m];
    } catch {
      warnConfig(key, m, 'skipped');
      return [];
    }
  });

/**
 * URL matchers: {@link patterns}, checked as the instrumentations check them (`list` of
 * instrumentations/lib/url: strings become absolute http(s) URLs, paths resolve against the
 * page), a bad entry reported, once, and left out. So is a string that is neither an http(s)
 * URL nor a path ({@link isUrlOrPath}): `api.example.com` or `127.0.0.1:9102` is a relative path
 * to the URL parser, a prefix under the page's own URL that no request to that host matches.
 * (It is not read as `https://` and `http://` that host: trace headers go only where the config
 * says, and guessing a scheme, plain http included, is not saying it; writing the origin is.
 * At the edge `resolveEdge` leaves strings to the fetch instrumentation, where a relative one
 * resolves only in Deno run with `--location`.)
 */
export const matchers = (v: unknown, key: string): UrlMatcher[] =>
  urls(
    key,
    patterns(v, key).filter((m) => typeof m != 'string' || isUrlOrPath(m) || warnConfig(key, m, 'skipped')),
  );

/**
 * Checks one key's value (undefined when absent): returns what to use, or undefined when the
 * value is bad (then {@link check} warns) or absent.
 */
export type Check = (v: unknown, key: string) => unknown;

/** A check that keeps the values `test` passes. */
export const is =
  (test: (v: never) => unknown): Check =>
  (v) =>
    v !== undefined && test(v as never) ? v : undefined;

/** A check of an enumeration: one of the comma-separated `names`, in any case. */
export const oneOf =
  (names: string): Check =>
  (v) =>
    names.split(',').find((n) => n == String(v).trim().toLowerCase());

/** A check for a function (a hook). */
export const isFunction: Check = /* @__PURE__ */ is((v) => typeof v == 'function');

/** Values kept as they are. */
const any: Check = (v) => v;

/**
 * The `endpoint` check of both distros (the web table's and `resolveEdge`'s): an http(s) URL or
 * a path (on the page's origin) as it is; absent, undefined (the exporters' default,
 * http://localhost:4318, the OTLP spec's, for a local collector). One that is given but is
 * neither becomes `''`, which exports nothing, with a warning saying so; not the default, which
 * on a page is each visitor's own machine, where whatever listens would get the page's telemetry
 * and its `headers` (an API key?), and where nothing listens every export fails; on a server it
 * is as unlikely to be what was meant. A base URL that ends in a signal's path (`/v1/traces`,
 * or `/v1/trace`: a full signal URL) stays a base URL, as the spec says, with a warning that shows
 * the URLs it makes. Checked here, once per config, rather than in each exporter (a page has
 * three; the exporter fixture stays as small).
 */
export const endpoint: Check = (v, key) => {
  if (v === undefined || isUrlOrPath(v)) {
    if (/\/v1\/(trace|metric|log)s?\/*$/.test(v!)) warnConfig(key, v, v!.replace(/\/+$/, '') + '/v1/{signal}');
    return v;
  }
  warnConfig(key, v, 'no export');
  return '';
};

/** The keys every distro knows, and how each is checked. */
export const COMMON: Record<string, Check> = {
  serviceName: /* @__PURE__ */ is((v) => typeof v == 'string' && v),
  resourceAttributes: /* @__PURE__ */ checkedValues(isAttributeValue),
  endpoint,
  headers: /* @__PURE__ */ checkedValues(),
  compression: /* @__PURE__ */ oneOf('gzip,none'),
  sampler: /* @__PURE__ */ is((v: { shouldSample?: unknown }) => typeof v == 'string' || typeof v.shouldSample == 'function'),
  // checked where the sampler is made (its range depends on the sampler)
  samplerArg: any,
  propagators: (v) => (v === undefined ? ['tracecontext', 'baggage'] : list(v)),
  propagateTo: matchers,
  ignoreUrls: matchers,
  instrumentations: any,
  disabledInstrumentations: list,
  disabled: flag,
};

/**
 * One warning for each of `names` that `known` does not have (a typo, most likely), which is
 * ignored: config keys (`key` is `'config key'`: the web distro's {@link check} and the edge
 * adapters' config say it the same way) and instrumentation names.
 */
export const unknownNames = (key: string, names: string[], known: string[]): void => {
  for (const n of names) if (!known.includes(n)) warnConfig(key, n, 'ignored');
};

/**
 * `c` checked against `table`: an object with every key of the table, each value as its check
 * returned it, or `defaults`' value for the key when that was undefined. A bad value gets one
 * warning naming the key, the value and the default (`"default"` when the default is the one of
 * what uses the value: `unknown_service` or `resourceAttributes`' `service.name`, `gzip`, the
 * stack context manager...); so does a key `c` has and the table does not (see
 * {@link unknownNames}). Never throws for bad values.
 */
export function check<T>(c: object, table: Record<string, Check>, defaults: Record<string, unknown> = { disabled: false }): T {
  const out: Record<string, unknown> = {};
  unknownNames('config key', Object.keys(c), Object.keys(table));
  for (const k in table) {
    const v = (c as Record<string, unknown>)[k];
    const r = table[k](v, k);
    if (v !== undefined && r === undefined) warnConfig(k, v, defaults[k] ?? 'default');
    out[k] = r ?? defaults[k];
  }
  return out as T;
}

/**
 * The instrumentations that run, each with its options: `instrumentations` is a list of names
 * (`'fetch,xhr'`) or an object of name → `true`, `false` or options (names left out run);
 * `disabledInstrumentations` turns names off. Only names in `names` come back, each with a copy
 * of its options in which `propagateTo` and `ignoreUrls` are {@link matchers} as the top-level
 * keys are (a warning names `fetch.propagateTo`, ...), or `top`'s (checked) when it has none.
 */
export function instrumentations(
  ch: unknown,
  off: string[],
  names: string[],
  top: { propagateTo?: unknown; ignoreUrls?: unknown } = {},
): Record<string, object> {
  const obj = (ch && typeof ch == 'object' && !Array.isArray(ch) && ch) as Record<string, unknown> | false;
  const named = obj ? Object.keys(obj) : list(ch);
  const out: Record<string, Record<string, unknown>> = {};
  // each unknown name under the key that gave it
  unknownNames('instrumentations', named, INSTRUMENTATIONS);
  unknownNames('disabledInstrumentations', off, INSTRUMENTATIONS);
  for (const n of names) {
    const o = obj ? (flag(obj[n]) ?? obj[n] ?? true) : ch === undefined || named.includes(n);
    if (o && !off.includes(n)) {
      const x: Record<string, unknown> = (out[n] = { ...(typeof o == 'object' && o) });
      for (const k of ['propagateTo', 'ignoreUrls'] as const) x[k] = k in x ? matchers(x[k], n + '.' + k) : top[k];
    }
  }
  return out;
}

/**
 * The propagator that the names say (`OTEL_PROPAGATORS`: `tracecontext`, `baggage`, `none`;
 * any case), with propagator objects taken as they are. Other names go to `other`, which
 * returns undefined for names it does not know either: those are skipped with a warning.
 */
export function propagatorFrom(
  names: readonly (string | TextMapPropagator)[],
  other?: (name: string) => TextMapPropagator | undefined,
): TextMapPropagator {
  const ps: TextMapPropagator[] = [];
  for (const x of names) {
    const n = typeof x == 'string' ? x.toLowerCase() : '';
    const p =
      typeof x == 'object' ? x : n == 'tracecontext' ? new W3CTraceContextPropagator() : n == 'baggage' ? new W3CBaggagePropagator() : other?.(n);
    if (p) ps.push(p);
    else if (n != 'none') warnConfig('propagators', x, 'skipped');
  }
  return new CompositePropagator({ propagators: ps });
}

/**
 * `config` with every key it leaves out (undefined or null) filled from the `OTEL_*` variable of
 * that key, as the raw string the config would take; empty variables count as unset (the spec).
 * Two variables come parsed, as their config keys could not tell them from other strings:
 * `OTEL_WEB_EXCLUDED_URLS` (comma-separated regular expressions: `/re/` strings, which
 * {@link patterns} makes RegExps, a bad one skipped with a warning) and
 * `OTEL_WEB_DISABLED_INSTRUMENTATIONS` (the named ones turned off). With `keys` (the config's
 * other keys, space-separated), a key of `config` that is neither one of the table's nor in
 * `keys` gets the unknown-key warning ({@link unknownNames}; the table's names are shared, bytes
 * a worker would otherwise carry twice).
 */
export function withEnv<C extends object>(config: C, env: EnvReader, keys?: string): C {
  const c = { ...config } as Record<string, unknown>;
  // the OTEL_* variables (less the prefix) and the keys they fill, in pairs (made here, not at
  // import: a bundle that does not call this function does not carry the table)
  const ENV = (
    'SERVICE_NAME serviceName RESOURCE_ATTRIBUTES resourceAttributes EXPORTER_OTLP_ENDPOINT endpoint ' +
    'EXPORTER_OTLP_HEADERS headers EXPORTER_OTLP_COMPRESSION compression TRACES_SAMPLER sampler ' +
    'TRACES_SAMPLER_ARG samplerArg PROPAGATORS propagators WEB_EXCLUDED_URLS ignoreUrls ' +
    'WEB_DISABLED_INSTRUMENTATIONS instrumentations SDK_DISABLED disabled'
  ).split(' ');
  if (keys) unknownNames('config key', Object.keys(config), ENV.concat(keys.split(' ')));
  for (let i = 0; i < ENV.length; i += 2) {
    const v = env('OTEL_' + ENV[i]);
    const k = ENV[i + 1]!;
    if (v)
      c[k] ??=
        k == 'ignoreUrls'
          ? // regular expressions, written as the config writes them (see `patterns`)
            // (a leading "/" escaped: `//…` reads as a protocol-relative URL)
            list(v).map((s) => '/' + s.replace(/^\//, '\\/') + '/')
          : k == 'instrumentations'
            ? Object.fromEntries(list(v).map((n) => [n, false]))
            : v;
  }
  return c as C;
}

/**
 * DESIGN.md's configuration vocabulary, parsed and checked one way for every distro: the web
 * distro (`init`, the snippet's `data-*` attributes) and the edge adapters (config objects and
 * `OTEL_*` variables). One table says how each key is checked; a bad value gets one
 * `console.warn` naming the key and the value, and the safe default.
 * @packageDocumentation
 */
import type { UrlMatcher } from '../instrumentations/lib/types';
import { httpUrl } from '../instrumentations/lib/url';
import { W3CBaggagePropagator } from '../trace/propagation/baggage';
import { CompositePropagator } from '../trace/propagation/composite';
import { W3CTraceContextPropagator } from '../trace/propagation/trace-context';
import type { TextMapPropagator } from '../trace/propagation/types';
import { isAttributeValue } from './attributes';
import { warnConfig } from './diag';

/** Reads one environment variable; undefined when it is unset or cannot be read. */
export type EnvReader = (key: string) => string | undefined;

/** Every instrumentation name the `instrumentations` keys know (each distro runs those it has). */
export const INSTRUMENTATIONS = ['fetch', 'xhr', 'document-load', 'web-vitals', 'errors'];

/** Splits a comma-separated list, trimmed, empty members dropped (arrays pass through). */
export const list = (v: unknown): string[] =>
  Array.isArray(v) ? v : typeof v == 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : [];

/**
 * `true` for true, 1, `'true'` (any case), `'1'` and `''` (a bare data attribute); `false` for
 * false, 0, `'false'`, `'0'`; else undefined.
 */
export const flag = (v: unknown): boolean | undefined => {
  const s = typeof v == 'string' ? v.trim().toLowerCase() : v;
  return s === true || s === '' || s == 'true' || s == 1 ? true : s === false || s == 'false' || s == 0 ? false : undefined;
};

/**
 * A `k=v,k2=v2` string (the format of `OTEL_RESOURCE_ATTRIBUTES` and `OTEL_EXPORTER_OTLP_HEADERS`:
 * keys and values percent-decoded, blanks trimmed) or an object whose values pass `ok`. A
 * malformed string is discarded as a whole, as the SDK environment specification asks; an
 * object loses only its bad entries. One warning for each.
 */
export function keyValues(key: string, v: unknown, ok: (x: unknown) => boolean = (x) => typeof x == 'string'): Record<string, never> {
  const out: Record<string, unknown> = {};
  if (v && typeof v == 'object' && !Array.isArray(v)) {
    for (const k in v) {
      const x = (v as Record<string, unknown>)[k];
      if (ok(x)) out[k] = x;
      else warnConfig(key + '.' + k, x, 'skipped');
    }
  } else if (v !== undefined) {
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

/**
 * URL matchers from strings (`/re/flags` is a RegExp), RegExps, or a list or comma-separated
 * string of them. Strings must be http(s) URLs (relative ones resolve against the page): a bad
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
 * Checks one key's value: returns what to use. Gets the value (undefined when absent) and the
 * key (for its warning).
 */
export type Check = (v: unknown, key: string) => unknown;

/**
 * A check from a test that returns the value to use, or undefined when `v` is bad: then one
 * warning and `d`. An absent value is `d` without a warning.
 */
export const checked =
  (test: (v: never) => unknown, d?: unknown): Check =>
  (v, k) => {
    if (v === undefined) return d;
    const r = test(v as never);
    if (r === undefined) warnConfig(k, v, d);
    return r ?? d;
  };

/** `test` as a check that keeps `v` when `test` passes. */
export const when = (test: (v: never) => unknown, d?: unknown): Check => checked((v) => (test(v) ? v : undefined), d);

/** A check of an enumeration: one of the comma-separated `names`, any case. */
export const oneOf = (names: string, d?: unknown): Check =>
  checked((v: unknown) => {
    const s = typeof v == 'string' ? v.trim().toLowerCase() : '';
    return s && names.split(',').includes(s) ? s : undefined;
  }, d);

/** A check for an object with a method `m` (a sampler, a context manager...). */
export const hasMethod = (m: string): Check => when((v: Record<string, unknown>) => typeof v[m] == 'function');

/** A check for a function (a hook). */
export const isFunction: Check = when((v) => typeof v == 'function');

/** Values kept as they are. */
const any: Check = (v) => v;

/** The keys every distro knows and how each is checked. */
export const COMMON: Record<string, Check> = {
  serviceName: when((v) => typeof v == 'string' && v),
  resourceAttributes: (v, k) => keyValues(k, v, isAttributeValue),
  endpoint: when((v) => typeof v == 'string' && v && httpUrl(v)),
  headers: (v, k) => keyValues(k, v),
  compression: oneOf('gzip,none'),
  sampler: when((v: { shouldSample?: unknown }) => typeof v == 'string' || typeof v.shouldSample == 'function'),
  // checked where the sampler is made (its range depends on the sampler)
  samplerArg: any,
  propagators: (v) => (v === undefined ? ['tracecontext', 'baggage'] : list(v)),
  propagateTo: (v, k) => matchers(k, v),
  ignoreUrls: (v, k) => matchers(k, v),
  instrumentations: any,
  disabledInstrumentations: list,
  disabled: checked(flag, false),
};

/**
 * `c` checked against `table`: an object with every key of the table, each value as its check
 * returned it. Keys `c` has and the table does not are typos worth a warning. Never throws for
 * bad values.
 */
export function check<T>(c: object, table: Record<string, Check>): T {
  const out: Record<string, unknown> = {};
  for (const k in c) if (!(k in table)) warnConfig('config key', k, 'nothing (unknown key)');
  for (const k in table) out[k] = table[k]((c as Record<string, unknown>)[k], k);
  return out as T;
}

/**
 * The instrumentations that run, each with its options: `instrumentations` is a list of names
 * (`'fetch,xhr'`) or an object of name → `true`, `false` or options (names left out run);
 * `disabledInstrumentations` turns names off. Only names in `names` come back.
 */
export function instrumentations(ch: unknown, off: string[], names: string[]): Record<string, object> {
  const obj = ch && typeof ch == 'object' && !Array.isArray(ch) ? (ch as Record<string, unknown>) : undefined;
  const named = obj ? Object.keys(obj) : list(ch);
  for (const n of [...named, ...off]) if (!INSTRUMENTATIONS.includes(n)) warnConfig('instrumentations', n, names);
  const out: Record<string, object> = {};
  for (const n of names) {
    let o: unknown = obj ? (obj[n] ?? true) : ch === undefined || named.includes(n);
    if (typeof o == 'string') o = flag(o);
    if (o && !off.includes(n)) out[n] = typeof o == 'object' ? o : {};
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
 * The `OTEL_*` variables (less the prefix) and the config keys they fill, in pairs: the SDK
 * environment specification's names and DESIGN.md's.
 */
const ENV = (
  'SERVICE_NAME serviceName RESOURCE_ATTRIBUTES resourceAttributes EXPORTER_OTLP_ENDPOINT endpoint ' +
  'EXPORTER_OTLP_HEADERS headers EXPORTER_OTLP_COMPRESSION compression TRACES_SAMPLER sampler ' +
  'TRACES_SAMPLER_ARG samplerArg PROPAGATORS propagators WEB_EXCLUDED_URLS ignoreUrls ' +
  'WEB_DISABLED_INSTRUMENTATIONS instrumentations SDK_DISABLED disabled'
).split(' ');

/**
 * `config` with every key it leaves out (undefined or null) filled from the `OTEL_*` variable of
 * that key, as the raw string the config would take; empty variables count as unset (the spec).
 * `OTEL_WEB_EXCLUDED_URLS` is a list of regular expressions; `OTEL_WEB_DISABLED_INSTRUMENTATIONS`
 * turns the named ones off.
 */
export function withEnv<C extends object>(config: C, env: EnvReader): C {
  const c = { ...config } as Record<string, unknown>;
  for (let i = 0; i < ENV.length; i += 2) {
    const v = env('OTEL_' + ENV[i]);
    const k = ENV[i + 1];
    if (v)
      c[k] ??=
        k == 'ignoreUrls'
          ? list(v).map((s) => '/' + s + '/')
          : k == 'instrumentations'
            ? Object.fromEntries(list(v).map((n) => [n, false]))
            : v;
  }
  return c as C;
}

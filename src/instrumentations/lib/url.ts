import { warnConfig } from '../../lib/diag';
import { BROWSER } from '../../lib/platform';
import type { HttpInstrumentationOptions, UrlMatcher } from './types';

/** The globals read here, each possibly missing (workers have no document, edge runtimes no location). */
const G = globalThis as { document?: { baseURI?: string }; location?: { href?: string; origin?: string } };

/**
 * `x` as an absolute URL when it is an http(s) one (only those are traced). Relative URLs
 * resolve as fetch and XHR resolve them: against the document's base URL (which honours
 * `<base href>`) or, in a worker, the worker's location; in Deno against `--location` when it
 * is given (workerd has none: there, as in Deno without it, fetch rejects a relative URL).
 */
export function httpUrl(x: unknown): URL | undefined {
  try {
    const s = '' + (x as string);
    // an absolute URL needs no base, and parsing one costs as much as the URL (hot path)
    const u = new URL(s, /^https?:\/\//i.test(s) ? undefined : (BROWSER && G.document?.baseURI) || G.location?.href);
    if (/^https?:$/.test(u.protocol)) return u;
  } catch {
    // not a URL: the runtime rejects the request itself
  }
  return undefined;
}

/** Checked `propagateTo` and `ignoreUrls` lists. */
export interface UrlRules {
  /**
   * propagateTo, and the page's (or worker's) origin, read once: a document's origin never
   * changes, and Location's getters run security checks on every access, a cost the hot path
   * would pay per request. An opaque origin (`null`) never matches an http(s) URL. Not at the
   * edge (the edge build): Deno has a `location` when run with `--location`, but a server has
   * no page whose origin would make a URL safe for trace headers; there only propagateTo
   * decides (its default, every URL, is the adapters'; `[]` must mean none, as otelite/deno
   * asks when Deno's own telemetry injects).
   */
  p: UrlMatcher[];
  /** ignoreUrls */
  i: UrlMatcher[];
  /** redactUrl */
  x?: (url: string) => string;
  /**
   * whether the runtime reports resource timing (browsers, Node; not Deno nor workerd): read at
   * the first request, not at setup (page start-up; measured ~0.03 ms in Chromium)
   */
  t?: boolean;
}

/**
 * Whether `s` starts as an http(s) URL with a host or a path does (`/api`, `//host`): the
 * strings that name a URL on their own, unlike `api.example.com` or `127.0.0.1:4318`, relative
 * paths to the URL parser, or `https://` and `https:// x`, which no request can go to. (Its
 * prefix only: a malformed rest fails where it is used, in the URL parser or fetch.)
 */
export const isUrlOrPath = (s: unknown): s is string => typeof s == 'string' && /^(https?:)?\/\/[^\s/?#]|^\/(?!\/)/i.test(s);

/**
 * One option as a list: RegExps as they are, strings as normalised absolute URLs without a
 * trailing slash (so that {@link matches} can check the boundary after them); anything else is
 * reported and skipped.
 */
export const list = (key: string, v: unknown): UrlMatcher[] =>
  ([] as unknown[]).concat(v ?? []).flatMap((m): UrlMatcher[] => {
    const u = typeof m == 'string' && httpUrl(m);
    if (m instanceof RegExp) return [m];
    if (u) return [u.href.replace(/\/$/, '')];
    warnConfig(key, m, 'skipped');
    return [];
  });

/** Checks the options once, warning about each unusable entry. */
export const urlRules = (o: HttpInstrumentationOptions | null | undefined): UrlRules => ({
  p: list('propagateTo', o?.propagateTo).concat((BROWSER && G.location?.origin) || []),
  i: list('ignoreUrls', o?.ignoreUrls),
  x: o?.redactUrl,
});

/**
 * Whether `href` matches one of `ms` (see {@link UrlMatcher}): a string as a prefix followed by
 * a boundary (`/`, `?`, `#` or the end), a RegExp anywhere (search() neither reads nor leaves
 * lastIndex, unlike test() on a /g RegExp).
 */
export const matches = (ms: UrlMatcher[], href: string): boolean =>
  ms.some((m) => (typeof m == 'string' ? href.startsWith(m) && '/?#'.includes(href[m.length] || '/') : href.search(m) >= 0));

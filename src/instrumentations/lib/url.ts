import { warnConfig } from '../../lib/diag';
import type { HttpInstrumentationOptions, UrlMatcher } from './types';

/** The globals read here, each possibly missing (workers have no document, edge runtimes no location). */
const G = globalThis as { document?: { baseURI?: string }; location?: { href?: string; origin?: string } };

/**
 * `x` as an absolute URL when it is an http(s) one (only those are traced). Relative URLs
 * resolve as fetch and XHR resolve them: against the document's base URL (which honours
 * `<base href>`) or, in a worker, the worker's location; in Deno and workerd there is neither.
 */
export function httpUrl(x: unknown): URL | undefined {
  try {
    const s = '' + (x as string);
    // an absolute URL needs no base, and parsing one costs as much as the URL (hot path)
    const u = new URL(s, /^https?:\/\//i.test(s) ? undefined : G.document?.baseURI || G.location?.href);
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
   * would pay per request. An opaque origin (`null`) never matches an http(s) URL.
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
 * One option as a list: RegExps as they are, strings as normalised absolute URLs without a
 * trailing slash (so that {@link matches} can check the boundary after them); anything else is
 * reported and skipped.
 */
export const list = (key: string, v: unknown): UrlMatcher[] =>
  ([] as unknown[]).concat(v ?? []).flatMap((m): UrlMatcher[] => {
    const u = typeof m == 'string' && httpUrl(m);
    if (m instanceof RegExp) return [m];
    if (u) return [u.href.replace(/\/$/, '')];
    warnConfig(key, m, 'nothing');
    return [];
  });

/** Checks the options once, warning about each unusable entry. */
export const urlRules = (o: HttpInstrumentationOptions): UrlRules => ({
  p: list('propagateTo', o.propagateTo).concat(G.location?.origin || []),
  i: list('ignoreUrls', o.ignoreUrls),
  x: o.redactUrl,
});

/**
 * Whether `href` matches one of `ms` (see {@link UrlMatcher}): a string as a prefix followed by
 * a boundary (`/`, `?`, `#` or the end), a RegExp anywhere (search() neither reads nor leaves
 * lastIndex, unlike test() on a /g RegExp).
 */
export const matches = (ms: UrlMatcher[], href: string): boolean =>
  ms.some((m) => (typeof m == 'string' ? href.startsWith(m) && '/?#'.includes(href[m.length] || '/') : href.search(m) >= 0));

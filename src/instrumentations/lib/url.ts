import { warnConfig } from '../../lib/diag';
import type { HttpInstrumentationOptions, UrlMatcher } from './types';

type Where = { document?: { baseURI?: string }; location?: { href?: string; origin?: string } };

/**
 * The URL relative request URLs resolve against, as fetch and XHR resolve them: the document's
 * base URL (which honours `<base href>`) or, in a worker, the worker's location. Undefined where
 * there is none (Deno without `--location`, workerd); older Deno throws on `location` access.
 */
export function baseUrl(): string | undefined {
  try {
    const g = globalThis as Where;
    return g.document?.baseURI || g.location?.href;
  } catch {
    return undefined;
  }
}

/** The page's (or worker's) origin; undefined without a location or for an opaque origin. */
function pageOrigin(): string | undefined {
  try {
    const o = (globalThis as Where).location?.origin;
    return o == 'null' ? undefined : o;
  } catch {
    return undefined;
  }
}

/** `x` as an absolute URL when it is an http(s) one; only those are traced. */
export function httpUrl(x: unknown): URL | undefined {
  try {
    const u = new URL(x as string, baseUrl());
    if (u.protocol == 'http:' || u.protocol == 'https:') return u;
  } catch {
    // not a URL: the runtime rejects the request itself
  }
  return undefined;
}

/** Checked `propagateTo` and `ignoreUrls` lists. */
export interface UrlRules {
  /** propagateTo */
  p: UrlMatcher[];
  /** ignoreUrls */
  i: UrlMatcher[];
}

function list(key: string, v: unknown): UrlMatcher[] {
  const out: UrlMatcher[] = [];
  for (const m of v == null ? [] : Array.isArray(v) ? v : [v]) {
    const u = typeof m == 'string' && httpUrl(m);
    if (m instanceof RegExp || u) out.push(u ? u.href : m);
    else warnConfig(key, m, 'nothing (entry skipped)');
  }
  return out;
}

/** Checks the options once, warning about each unusable entry. */
export const urlRules = (o: HttpInstrumentationOptions): UrlRules => ({
  p: list('propagateTo', o.propagateTo),
  i: list('ignoreUrls', o.ignoreUrls),
});

/** Whether `href` matches one of `ms` (see {@link UrlMatcher}). */
export function matches(ms: UrlMatcher[], href: string): boolean {
  for (const m of ms) {
    if (typeof m != 'string') {
      // search() ignores and restores lastIndex, unlike test() on a /g RegExp
      if (href.search(m) >= 0) return true;
    } else if (href.startsWith(m)) {
      const c = href[m.length];
      if (!c || m.endsWith('/') || '/?#'.includes(c)) return true;
    }
  }
  return false;
}

/** Whether `u` may receive trace headers: same-origin, or allowed by `propagateTo`. */
export const mayPropagate = (r: UrlRules, u: URL): boolean => u.origin == pageOrigin() || matches(r.p, u.href);

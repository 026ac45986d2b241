import { context } from '../../context/api';
import { report } from '../../lib/diag';
import { VERSION } from '../../lib/version';
import { trace } from '../../trace/api';
import type { TextMapSetter } from '../../trace/propagation/types';
import { done, inject, start, type Timed } from '../lib/http';
import type { HttpInstrumentationOptions, Instrumentation } from '../lib/types';
import { urlRules } from '../lib/url';

/** What fetch gets as headers when we add ours: a plain object, or Headers (see `traced`). */
type Hs = Record<string, string> | Headers;

/**
 * Whether `x` is undefined or a plain object, with or without a prototype (not a class
 * instance, not a Request). Throws for null (fetch rejects null headers; the caller checks for
 * a null init).
 */
const plain = (x: unknown): boolean => x === undefined || ((p) => !p || p == Object.prototype)(Object.getPrototypeOf(x));

/** Whether `h` has header `k` (lowercase), whatever the case of its name. */
const has = (h: Hs, k: string): boolean =>
  h instanceof Headers ? h.has(k) : Object.keys(h).some((n) => n.toLowerCase() == k);

/** Adds a header unless the caller set it: a caller's own baggage (say) wins. */
const SETTER: TextMapSetter<Hs> = {
  set: (h, k, v) => has(h, k) || (h instanceof Headers ? h.set(k, v) : (h[k] = v)),
};

/**
 * The fetch instrumentation: one CLIENT span per `fetch()` call, trace headers for same-origin
 * URLs and those `propagateTo` allows. Works wherever there is a global `fetch`: browsers
 * (windows and workers), Deno, Cloudflare Workers.
 *
 * The call stays the caller's: the promise settles with the same value or rejection, the
 * arguments go through untouched unless headers are added: then fetch gets a copy of `init`
 * (a plain object) with new `headers`. A `Request` is never mutated nor read; its body goes to
 * the runtime exactly as without instrumentation. A response body is never cloned or read. The
 * span ends when the response headers arrive (in browsers: at the end of the body, with the
 * network phases of its resource timing entry, when that entry comes within a second).
 *
 * ```ts
 * fetchInstrumentation({ propagateTo: ['https://api.example.com'] }).enable();
 * ```
 */
export function fetchInstrumentation(options?: HttpInstrumentationOptions | null): Instrumentation {
  const rules = urlRules(options);
  const tracer = trace.getTracer('otelite/fetch', VERSION);
  let orig: typeof fetch;
  let on = false;
  let placed = false;

  function traced(this: unknown, input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const args = arguments as unknown as Parameters<typeof fetch>;
    let w: Timed | undefined | false | 0;
    let req: Request | undefined;
    let sent = init;
    let hs: HeadersInit | undefined;
    try {
      if (on && input instanceof Request) req = input;
      // fetch() without arguments rejects: not a request to trace
      w = on && args.length && start(rules, tracer, 'fetch', '' + (init?.method ?? req?.method ?? 'GET'), req ? req.url : input);
      // Left alone: a service worker's pass-through Request (it has a destination; a new one
      // would lose it, and a navigation its mode), and an init that is not a plain object (a
      // class instance, a Request as init): no copy of it would behave the same everywhere.
      // Headers as fetch builds them: init's replace the Request's. A plain object (or none)
      // goes to fetch as a plain object copy (measured ~1 µs cheaper per call than Headers);
      // any other form as a Headers copy, which keeps every value of a repeated name (several
      // Set-Cookie values stay several; bad ones throw here, and then again in fetch, which
      // rejects as it would untraced).
      const h =
        w &&
        w.p &&
        !req?.destination &&
        (init == null || plain(init)) &&
        ((hs = init?.headers !== undefined ? init.headers : req?.headers), (plain(hs) ? (Object.assign({}, hs) as Record<string, string>) : new Headers(hs)));
      if (h && !has(h, 'traceparent')) {
        inject(w as Timed, h, SETTER);
        // a copy (the caller's init stays as it was) of own members, as every fetch wrapper
        // below us reads them
        sent = { ...init, headers: h };
        // Any init resets a Request's referrer and policy (Fetch, new Request() step 14):
        // carry them over when the caller passed none (init is a plain object or nothing).
        if (req && !Object.keys(init || 0).length) {
          sent.referrer = req.referrer;
          sent.referrerPolicy = req.referrerPolicy;
        }
      }
    } catch (e) {
      report(3, 'fetch', e);
    }
    // not traced: the original call, arguments and all
    if (!w) return orig.apply(this, args);
    const t = w;
    const fail = (e: unknown): void =>
      // an abort with a non-Error reason rejects with that very reason
      done(t, 0, (e as Error)?.name || ((init?.signal || req?.signal)?.aborted ? 'AbortError' : '_OTHER'), (e as Error)?.message);
    let p: Promise<Response>;
    try {
      p = context.with(t.c, orig, this, input, sent);
    } catch (e) {
      fail(e);
      throw e;
    }
    try {
      // The caller's continuation of the very promise fetch returned: same value, same
      // rejection, and a rejection nobody handles is still reported as unhandled.
      return p.then(
        (r) => (done(t, r.status), r),
        (e) => {
          fail(e);
          throw e;
        },
      );
    } catch {
      // not a promise (a stub fetch): hand back what it returned
      done(t, 0);
      return p;
    }
  }

  return {
    name: 'fetch',
    enable() {
      try {
        if (!placed && typeof fetch == 'function') {
          orig = fetch;
          globalThis.fetch = traced;
          placed = true;
        }
        on = true;
      } catch (e) {
        // no fetch, or a read-only one
        report(1, 'fetch', e);
      }
    },
    disable() {
      on = false;
      if (placed && globalThis.fetch === traced) {
        globalThis.fetch = orig;
        placed = false;
      }
    },
  };
}

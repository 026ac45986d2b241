import { context } from '../../context/api';
import { report } from '../../lib/diag';
import { VERSION } from '../../lib/version';
import { trace } from '../../trace/api';
import type { TextMapSetter } from '../../trace/propagation/types';
import { done, inject, start, type Timed } from '../lib/http';
import type { HttpInstrumentationOptions, Instrumentation } from '../lib/types';
import { urlRules } from '../lib/url';

/**
 * Adds a header unless the caller set it: a caller's own baggage (say) wins. traceparent is
 * known to be absent (checked before), which saves a lookup on the hot path.
 */
const SETTER: TextMapSetter<Headers> = { set: (h, k, v) => (k == 'traceparent' || !h.has(k)) && h.set(k, v) };

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
export function fetchInstrumentation(options: HttpInstrumentationOptions = {}): Instrumentation {
  const rules = urlRules(options);
  const tracer = trace.getTracer('otelite/fetch', VERSION);
  let orig: typeof fetch;
  let on = false;
  let placed = false;

  function traced(this: unknown, input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    let w: Timed | undefined;
    let req: Request | false = false;
    let sent = init;
    try {
      req = on && input instanceof Request && input;
      const method = init && init.method !== undefined ? '' + init.method : req ? req.method : 'GET';
      // fetch() without arguments rejects: not a request to trace
      w = on && arguments.length ? start(rules, tracer, 'fetch', method, req ? req.url : input) : undefined;
      // Left alone: a service worker's pass-through Request (it has a destination; a new one
      // would lose it, and a navigation its mode), and an init that is not a plain object (a
      // class instance, a Request as init): no copy of it would behave the same everywhere.
      const proto = init && Object.getPrototypeOf(init);
      if (w && w.p && !(req && req.destination) && (!proto || proto == Object.prototype)) {
        // headers as fetch builds them: init's replace the Request's (bad ones throw here, and
        // then again in fetch, which rejects as it would untraced)
        const h = new Headers(init && init.headers !== undefined ? init.headers : req ? req.headers : undefined);
        if (!h.has('traceparent')) {
          inject(w, h, SETTER);
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
      }
    } catch (e) {
      report(3, 'fetch', e);
    }
    // not traced: the original call, arguments and all
    // eslint-disable-next-line prefer-rest-params
    if (!w) return orig.apply(this, arguments as unknown as Parameters<typeof fetch>);
    const t = w;
    const signal = (init && init.signal) || (req && req.signal);
    const fail = (e: unknown): void =>
      // an abort with a non-Error reason rejects with that very reason
      done(t, 0, (e && (e as Error).name) || (signal && signal.aborted ? 'AbortError' : '_OTHER'), e && (e as Error).message);
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

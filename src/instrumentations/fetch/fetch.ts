import { context } from '../../context/api';
import type { Context } from '../../context/types';
import { report } from '../../lib/diag';
import { isTracingSuppressed } from '../../lib/suppress';
import { VERSION } from '../../lib/version';
import { setSpan, trace } from '../../trace/api';
import { propagation } from '../../trace/propagation/api';
import type { TextMapSetter } from '../../trace/propagation/types';
import { outcome, startHttpSpan } from '../lib/http';
import { settle, track, type Timed } from '../lib/timing';
import type { HttpInstrumentationOptions, Instrumentation } from '../lib/types';
import { httpUrl, matches, mayPropagate, urlRules } from '../lib/url';

/** Adds a header unless the caller set it: a caller's own `traceparent` (or baggage) wins. */
const SETTER: TextMapSetter<Headers> = { set: (h, k, v) => h.has(k) || h.set(k, v) };

type Fetch = typeof fetch;

/**
 * The fetch instrumentation: one CLIENT span per `fetch()` call, trace headers for same-origin
 * URLs and those `propagateTo` allows. Works wherever there is a global `fetch`: browsers
 * (windows and workers), Deno, Cloudflare Workers.
 *
 * The call stays the caller's: the promise settles with the same value or rejection, the
 * arguments go through untouched unless headers are added: then fetch gets a copy of `init`
 * (a plain object) with new `headers`.
 * A `Request` is never mutated nor read; its body goes to the runtime exactly as without
 * instrumentation. A response body is never cloned or read. The span ends when the response
 * headers arrive (in browsers: at the end of the body, with the network phases of its
 * resource timing entry, when that entry comes within a second).
 *
 * ```ts
 * const fi = fetchInstrumentation({ propagateTo: ['https://api.example.com'] });
 * fi.enable();
 * ```
 */
export function fetchInstrumentation(options: HttpInstrumentationOptions = {}): Instrumentation {
  const rules = urlRules(options);
  const tracer = trace.getTracer('otelite/fetch', VERSION);
  let orig: Fetch;
  let on = false;
  let placed = false;

  function traced(this: unknown, input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    let ctx: Context;
    let w: Timed | undefined;
    let req: Request | undefined;
    let sent = init;
    try {
      if (on && !isTracingSuppressed((ctx = context.active()))) {
        req = typeof Request == 'function' && input instanceof Request ? input : undefined;
        const u = httpUrl(req ? req.url : input);
        if (u && !matches(rules.i, u.href)) {
          // Headers as fetch would build them: init's replace the Request's. Left alone: a
          // service worker's pass-through Request (it has a destination; a new one would lose
          // it, and a navigation its mode), and an init that is not a plain object (a class
          // instance, a Request as init): no copy of it would behave the same everywhere.
          const proto = init && Object.getPrototypeOf(init);
          const h =
            mayPropagate(rules, u) && !(req && req.destination) && (!proto || proto == Object.prototype)
              ? new Headers(init && init.headers !== undefined ? init.headers : req && req.headers)
              : undefined;
          const span = startHttpSpan(
            tracer,
            init && init.method !== undefined ? String(init.method) : req ? req.method : 'GET',
            u,
            ctx,
          );
          ctx = setSpan(ctx, span);
          if (h && !h.has('traceparent')) {
            propagation.inject(ctx, h, SETTER);
            // A copy: the caller's init stays as it was. Own members only, as every fetch
            // wrapper below us reads them.
            sent = { ...init, headers: h };
            // Any init resets a Request's referrer and policy (Fetch, new Request() step 14):
            // carry them over when the caller passed none.
            if (req && empty(init)) {
              sent.referrer = req.referrer;
              sent.referrerPolicy = req.referrerPolicy;
            }
          }
          w = track(span, u.href, 'fetch');
        }
      }
    } catch (e) {
      report(3, 'fetch not traced', e);
    }
    // not traced: the original call, arguments and all
    // eslint-disable-next-line prefer-rest-params
    if (!w) return orig.apply(this, arguments as unknown as Parameters<Fetch>);
    const t = w;
    const signal = (init && init.signal) || (req && req.signal);
    const fail = (e: unknown): void => {
      try {
        // an abort with a non-Error reason rejects with that very reason
        const type = (e && (e as Error).name) || (signal && signal.aborted ? 'AbortError' : '_OTHER');
        outcome(t.s, 0, type, e && (e as Error).message);
        settle(t);
      } catch (x) {
        report(0, 'fetch span failed', x);
      }
    };
    let p: Promise<Response>;
    try {
      p = context.with(ctx!, orig, this, input, sent);
    } catch (e) {
      fail(e);
      throw e;
    }
    try {
      // The caller's continuation of the very promise fetch returned: same value, same
      // rejection, and a rejection nobody handles is still reported as unhandled.
      return p.then(
        (r) => {
          try {
            outcome(t.s, r.status);
            settle(t, r.url);
          } catch (x) {
            report(0, 'fetch span failed', x);
          }
          return r;
        },
        (e) => {
          fail(e);
          throw e;
        },
      );
    } catch {
      // not a promise (a stub fetch): hand back what it returned
      settle(t);
      return p;
    }
  }

  return {
    name: 'fetch',
    enable() {
      if (on || typeof fetch != 'function') return;
      try {
        if (!placed) {
          orig = fetch;
          globalThis.fetch = traced;
          placed = true;
        }
        on = true;
      } catch (e) {
        report(0, 'fetch is not patchable', e);
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

/** Whether `o` has no enumerable member (undefined is empty): fetch's "init is empty". */
function empty(o?: object): boolean {
  for (const _ in o) return false;
  return true;
}

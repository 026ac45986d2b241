import { context } from '../../context/api';
import { report } from '../../lib/diag';
import { isTracingSuppressed } from '../../lib/suppress';
import { VERSION } from '../../lib/version';
import { setSpan, trace } from '../../trace/api';
import { propagation } from '../../trace/propagation/api';
import { outcome, startHttpSpan } from '../lib/http';
import { settle, track, type Timed } from '../lib/timing';
import type { HttpInstrumentationOptions, Instrumentation } from '../lib/types';
import { httpUrl, matches, mayPropagate, urlRules } from '../lib/url';

type Fn = (this: XMLHttpRequest, ...args: unknown[]) => unknown;
type Methods = { open: Fn; setRequestHeader: Fn; send: Fn };

/** What the instrumentation knows of one XMLHttpRequest between `open()` and the end. */
interface State {
  /** method */
  m: string;
  /** URL, when http(s) */
  u?: URL;
  /** the caller set `traceparent` */
  p?: boolean;
  /** the request in flight */
  t?: Timed;
  /** error type from the abort, error or timeout event */
  e?: string;
}

/** The failure events, as the exception names a synchronous request throws. */
const FAILURES: Record<string, string> = { abort: 'AbortError', error: 'NetworkError', timeout: 'TimeoutError' };
const EVENTS = ['abort', 'error', 'timeout', 'loadend'];

/**
 * The XMLHttpRequest instrumentation: one CLIENT span per `send()`, trace headers for
 * same-origin URLs and those `propagateTo` allows, never over a `traceparent` the caller set.
 *
 * It patches `open`, `setRequestHeader` and `send` of `XMLHttpRequest.prototype` and follows
 * each request with capture-phase listeners for `abort`, `error`, `timeout` and `loadend` on the
 * request itself (never on `upload`, whose listeners would force a CORS preflight). Nothing is
 * dispatched, read or changed: `readyState`, events and their order, `on*` handlers,
 * `responseType` and synchronous requests behave as without it.
 *
 * ```ts
 * xhrInstrumentation({ propagateTo: [/^https:\/\/api\.example\.com\//] }).enable();
 * ```
 */
export function xhrInstrumentation(options: HttpInstrumentationOptions = {}): Instrumentation {
  const rules = urlRules(options);
  const tracer = trace.getTracer('otelite/xhr', VERSION);
  const states = new WeakMap<XMLHttpRequest, State>();
  let orig: Methods;
  let proto: Methods;
  let on = false;
  let placed = false;
  // the original: a patched setRequestHeader would note our traceparent as the caller's
  const setter = { set: (x: XMLHttpRequest, k: string, v: string) => orig.setRequestHeader.call(x, k, v) };

  function end(x: XMLHttpRequest, s: State, error?: string): void {
    const t = s.t;
    if (t) {
      s.t = undefined;
      const status = x.status;
      outcome(t.s, status, error || s.e || (status ? 0 : '_OTHER'));
      settle(t, x.responseURL);
    }
  }

  function onEvent(this: XMLHttpRequest, e: Event): void {
    const s = states.get(this);
    if (s) {
      if (e.type == 'loadend') end(this, s);
      else s.e = FAILURES[e.type];
    }
  }

  const patched: Methods = {
    open() {
      const s = states.get(this);
      // re-opened in flight: the old request is gone, with no event (unless it was complete)
      if (s) end(this, s, this.readyState == 4 ? '' : 'AbortError');
      // eslint-disable-next-line prefer-rest-params
      const r = orig.open.apply(this, arguments as unknown as unknown[]);
      // the URL resolves now, against the base URL of this moment, as open() resolves it
      states.set(this, { m: String(arguments[0]), u: httpUrl(arguments[1]) });
      return r;
    },
    setRequestHeader(name) {
      // eslint-disable-next-line prefer-rest-params
      const r = orig.setRequestHeader.apply(this, arguments as unknown as unknown[]);
      const s = states.get(this);
      if (s && String(name).toLowerCase() == 'traceparent') s.p = true;
      return r;
    },
    send() {
      const s = states.get(this);
      let ctx = context.active();
      try {
        if (on && s && s.u && !s.t && this.readyState == 1 && !isTracingSuppressed(ctx) && !matches(rules.i, s.u.href)) {
          const span = startHttpSpan(tracer, s.m, s.u, ctx);
          ctx = setSpan(ctx, span);
          if (!s.p && mayPropagate(rules, s.u)) {
            // setRequestHeader appends: so only when the caller set no traceparent
            propagation.inject(ctx, this, setter);
          }
          s.e = undefined;
          // capture phase: runs before the page's own listeners, whatever they do to the event
          for (const type of EVENTS) this.addEventListener(type, onEvent, true);
          s.t = track(span, s.u.href, 'xmlhttprequest');
        }
      } catch (e) {
        report(3, 'xhr not traced', e);
      }
      // eslint-disable-next-line prefer-rest-params
      if (!s || !s.t) return orig.send.apply(this, arguments as unknown as unknown[]);
      try {
        // eslint-disable-next-line prefer-rest-params
        const r = context.with(ctx, orig.send, this, ...(arguments as unknown as unknown[]));
        // a synchronous request is complete here (its loadend, when fired, ended it already)
        if (this.readyState == 4) end(this, s);
        return r;
      } catch (e) {
        // synchronous failures throw (NetworkError, TimeoutError...) instead of firing events
        end(this, s, (e as Error)?.name || '_OTHER');
        throw e;
      }
    },
  };

  return {
    name: 'xhr',
    enable() {
      if (on || typeof XMLHttpRequest != 'function') return;
      if (!placed) {
        proto = XMLHttpRequest.prototype as unknown as Methods;
        orig = { open: proto.open, setRequestHeader: proto.setRequestHeader, send: proto.send };
        Object.assign(proto, patched);
        placed = true;
      }
      on = true;
    },
    disable() {
      on = false;
      // all or nothing: a wrapper someone put on top of one of them must keep working
      if (placed && proto.open === patched.open && proto.send === patched.send && proto.setRequestHeader === patched.setRequestHeader) {
        Object.assign(proto, orig);
        placed = false;
      }
    },
  };
}

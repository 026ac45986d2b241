import { context } from '../../context/api';
import { report } from '../../lib/diag';
import { VERSION } from '../../lib/version';
import { trace } from '../../trace/api';
import { done, inject, start, type Timed } from '../lib/http';
import type { HttpInstrumentationOptions, Instrumentation } from '../lib/types';
import { urlRules } from '../lib/url';

type Fn = (this: XMLHttpRequest, ...args: unknown[]) => unknown;
type Methods = { open: Fn; setRequestHeader: Fn; send: Fn };

/** What the instrumentation knows of one XMLHttpRequest between `open()` and the end. */
interface State {
  /** method */
  m: string;
  /** URL as given to open() */
  u: unknown;
  /** the caller set `traceparent` */
  p?: boolean;
  /** the request in flight */
  t?: Timed;
  /** error type from the abort, error or timeout event */
  e?: string;
}

/**
 * The events followed: the failures, as the exception names a synchronous request throws, and
 * the end.
 */
const EVENTS: Record<string, string> = { abort: 'AbortError', error: 'NetworkError', timeout: 'TimeoutError', loadend: '' };

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
export function xhrInstrumentation(options?: HttpInstrumentationOptions | null): Instrumentation {
  const rules = urlRules(options);
  const tracer = trace.getTracer('otelite/xhr', VERSION);
  const states = new WeakMap<XMLHttpRequest, State>();
  let orig: Methods;
  let proto: Methods;
  let on = false;
  let placed = false;
  // setRequestHeader appends: so only when the caller set no traceparent, and through the
  // original, which does not note it as the caller's
  const setter = { set: (x: XMLHttpRequest, k: string, v: string) => orig.setRequestHeader.call(x, k, v) };

  /** Ends the request's span, if it has one in flight. */
  function end(x: XMLHttpRequest, s: State, error?: string): void {
    const t = s.t;
    if (t) {
      s.t = undefined;
      const status = x.status;
      // status 0 without an event: a failure we saw no event of
      done(t, status, error || s.e || (!status && '_OTHER'));
    }
  }

  function onEvent(this: XMLHttpRequest, e: Event): void {
    const s = states.get(this);
    const k = EVENTS[e.type];
    if (s) {
      if (k) s.e = k;
      else end(this, s);
    }
  }

  const patched: Methods = {
    open(method, url) {
      const s = states.get(this);
      // re-opened in flight: the old request is gone, with no event (unless it was complete)
      if (s) end(this, s, this.readyState == 4 ? '' : 'AbortError');
      // eslint-disable-next-line prefer-rest-params
      const r = orig.open.apply(this, arguments as unknown as unknown[]);
      states.set(this, { m: '' + method, u: url });
      return r;
    },
    setRequestHeader(name) {
      // eslint-disable-next-line prefer-rest-params
      const r = orig.setRequestHeader.apply(this, arguments as unknown as unknown[]);
      const s = states.get(this);
      if (s && /^traceparent$/i.test('' + name)) s.p = true;
      return r;
    },
    send() {
      const s = states.get(this);
      let t: Timed | undefined | false;
      try {
        // open() resolved the URL against the base URL of its time: so be it (a base that
        // changed since is too rare to be worth the bytes). Not traced: a send() the original
        // rejects (not opened, or sent already).
        t = on && s && !s.t && this.readyState == 1 && start(rules, tracer, 'xmlhttprequest', s.m, s.u);
        if (t) {
          // followed first: whatever fails after, the span ends with the request
          s!.t = t;
          // capture phase: runs before the page's own listeners, whatever they do to the event
          for (const type in EVENTS) this.addEventListener(type, onEvent, true);
          if (!s!.p && t.p) inject(t, this, setter);
        }
      } catch (e) {
        report(3, 'xhr', e);
      }
      // eslint-disable-next-line prefer-rest-params
      const args = arguments as unknown as unknown[];
      if (!t) return orig.send.apply(this, args);
      try {
        const r = context.with(t.c, orig.send, this, ...args);
        // a synchronous request is complete here (its loadend, when fired, ended it already)
        if (this.readyState == 4) end(this, s!);
        return r;
      } catch (e) {
        // synchronous failures throw (NetworkError, TimeoutError...) instead of firing events
        end(this, s!, (e as Error)?.name || '_OTHER');
        throw e;
      }
    },
  };

  return {
    name: 'xhr',
    enable() {
      try {
        if (!placed) {
          proto = XMLHttpRequest.prototype as unknown as Methods;
          orig = { open: proto.open, setRequestHeader: proto.setRequestHeader, send: proto.send };
          Object.assign(proto, patched);
          placed = true;
        }
        on = true;
      } catch (e) {
        // no XMLHttpRequest here (service workers, edge runtimes)
        report(2, 'xhr', e);
      }
    },
    disable() {
      on = false;
      // all or nothing: a wrapper someone put on top of one of them must keep working
      if (placed && proto.open == patched.open && proto.send == patched.send && proto.setRequestHeader == patched.setRequestHeader) {
        Object.assign(proto, orig);
        placed = false;
      }
    },
  };
}

import { redactUrl } from '../../lib/redact';
import { context } from '../../context/api';
import type { Context } from '../../context/types';
import { report } from '../../lib/diag';
import { globals } from '../../lib/global';
import { isExiting, onPageExit } from '../../lib/page-exit';
import { BROWSER } from '../../lib/platform';
import { isTracingSuppressed } from '../../lib/suppress';
import { now } from '../../lib/time';
import type { Attributes } from '../../lib/types';
import { setSpan } from '../../trace/api';
import type { TextMapPropagator, TextMapSetter } from '../../trace/propagation/types';
import type { Span, Tracer } from '../../trace/types';
import type { HttpInstrumentationOptions } from './types';
import { httpUrl, matches, type UrlRules } from './url';

/*
 * The life of an HTTP CLIENT span, shared by the fetch and XHR instrumentations: start with the
 * attributes of the stable HTTP semantic conventions
 * (https://github.com/open-telemetry/semantic-conventions/blob/main/docs/http/http-spans.md),
 * record the outcome, and in browsers add the network phases of the request's
 * PerformanceResourceTiming entry before ending.
 */

/**
 * The methods fetch and XHR upper-case before sending (the Fetch standard's "normalize"); with
 * CONNECT, PATCH and TRACE, the methods the conventions know (case-sensitive).
 */
const NORMALIZED = /^(DELETE|GET|HEAD|OPTIONS|POST|PUT)$/i;

/**
 * The phases reported as span events, in order (the names otel-js's web timing events use).
 */
const PHASES = [
  'fetchStart',
  'domainLookupStart',
  'domainLookupEnd',
  'connectStart',
  'secureConnectionStart',
  'connectEnd',
  'requestStart',
  'responseStart',
  'responseEnd',
] as const;

/** A traced request, from {@link start} to {@link done}. */
export interface Timed {
  /** span */
  s: Span;
  /** the context with the span, for the original call */
  c: Context;
  /** whether the URL may receive trace headers */
  p: boolean;
  /** URL, as resource timing names it (also after redirects, fragment included) */
  u: string;
  /** initiator type of its entry: `fetch` or `xmlhttprequest` */
  i: string;
  /** start, `performance.now()` */
  t: number;
  /** end, epoch ms; set once answered or failed */
  e?: number;
  /** its timing entry */
  r?: PerformanceResourceTiming;
}

/**
 * Requests waiting for their entry (only where the runtime reports resource timing). An answered
 * request waits at most a second: the browser adds the entry when the response body is complete,
 * so a body still streaming (or never read) after that long ends the span without network timing
 * rather than holding it open. At most 500 requests wait at a time: beyond, spans end without
 * network timing (bounded memory).
 */
const waiting = new Set<Timed>();
let observer: PerformanceObserver | undefined;
let hooked: unknown;

/**
 * Starts the CLIENT span of a request to `x` (any URL form; relative ones resolve against the
 * page) as a child of the active context, unless it is not traced: tracing suppressed (the
 * exporters' own requests), not http(s), or in `ignoreUrls`. The span has what samplers need
 * at start: `http.request.method` (`_OTHER` plus `http.request.method_original` and span name
 * `HTTP` for a method the conventions do not know), `url.full` (credentials and signed-URL secrets redacted, then
 * {@link HttpInstrumentationOptions.redactUrl}), `server.address` and `server.port` (required:
 * the scheme's default port when the URL has none). Call it right before the request goes out.
 */
export function start(rules: UrlRules, tracer: Tracer, initiator: string, method: string, x: unknown): Timed | undefined {
  const ctx = context.active();
  const u = !isTracingSuppressed(ctx) && httpUrl(x);
  const href = u && u.href;
  if (!href || matches(rules.i, href)) return;
  // the method as it goes on the wire: fetch and XHR upper-case these six, and only these
  const known = /^(CONNECT|PATCH|TRACE)$/.test(method) || (NORMALIZED.test(method) && (method = method.toUpperCase()));
  const full = redactUrl(href);
  const a: Attributes = {
    'http.request.method': known ? method : '_OTHER',
    'url.full': rules.x ? rules.x(full) : full,
    // canonical (the URL parser lowercased the host, dropped a default port); IPv6 unbracketed
    'server.address': u.hostname.replace(/[[\]]/g, ''),
    'server.port': +u.port || (href[4] == 's' ? 443 : 80),
  };
  if (!known) a['http.request.method_original'] = method;
  const s = tracer.startSpan(known ? method : 'HTTP', { kind: 2, attributes: a }, ctx);
  const w: Timed = { s, c: setSpan(ctx, s), p: matches(rules.p, href), u: href, i: initiator, t: performance.now() };
  // (`BROWSER &&`: the edge build, where no runtime reports resource timing, drops the waiting)
  if (BROWSER && (rules.t ??= !!globalThis.PerformanceObserver?.supportedEntryTypes?.includes('resource')) && waiting.size < 500) {
    if (!waiting.size) (observer ||= new PerformanceObserver(onEntries)).observe({ type: 'resource' });
    // a page going away cannot wait: end what is answered, for the exit flush to send
    hooked ||= onPageExit(() => waiting.forEach((w) => w.e && finish(w)), true);
    waiting.add(w);
  }
  return w;
}

/**
 * Writes the trace headers of `w`'s span into `carrier` through the registered propagator
 * (nothing when none is registered).
 */
export const inject = <C>(w: Timed, carrier: C, setter: TextMapSetter<C>): void =>
  (globals().p as TextMapPropagator<C> | undefined)?.inject(w.c, carrier, setter);

/**
 * Records how a request ended: the response status (0: none was received) and, for a failure,
 * `error.type` (the status code for 4xx/5xx, else the given exception name) with status Error
 * and `message` as its description. No exception event: the conventions advise against one for
 * an error returned to the caller.
 */
export function outcome(s: Span, status: number, error?: unknown, message?: unknown): void {
  if (status) s.setAttribute('http.response.status_code', status);
  if (status >= 400) error = status;
  if (error) {
    s.setAttribute('error.type', '' + error);
    s.setStatus({ code: 2, message: message as string });
  }
}

/**
 * Adds the network phases of `r` to `s` as events and sets `network.protocol.version`; returns
 * `responseEnd` in epoch ms.
 */
export function networkTiming(s: Span, r: PerformanceResourceTiming): number {
  const o = performance.timeOrigin;
  const f = r.fetchStart;
  // Only phases that took place after fetchStart: a reused connection or cached DNS answer
  // leaves its phases at fetchStart, and cross-origin entries without Timing-Allow-Origin give
  // 0 for all but fetchStart and responseEnd (hidden, not instantaneous).
  PHASES.forEach((n, k) => (r[n] > f || !k) && s.addEvent(n, o + r[n]));
  // 'http/1.1' → '1.1', 'h2' → '2', 'h3' → '3'; empty (hidden cross-origin) → not set
  const m = /^(?:http\/|h)(\d[\d.]*)/.exec(r.nextHopProtocol);
  if (m) s.setAttribute('network.protocol.version', m[1]);
  return o + r.responseEnd;
}

/**
 * The request is over: the response headers came (`status`) or it failed (`status` 0, `error`
 * the exception's name, `message` its message). Records the {@link outcome} and ends the span:
 * at once after a failure (no response, no entry) or where there is no resource timing to wait
 * for, else when its entry comes, at the latest a second later.
 */
export function done(w: Timed, status: number, error?: unknown, message?: unknown): void {
  try {
    outcome(w.s, status, error, message);
    w.e = now();
    // (the edge build keeps the `else` only: nothing waits there)
    if (BROWSER && waiting.has(w)) {
      if (w.r || error || isExiting()) finish(w);
      // a timer per wait (~1-3 µs, next to a request's tens): smaller than one shared sweeper;
      // in Node it may keep the process up to a second longer (not a target runtime)
      else setTimeout(finish, 1000, w);
    } else w.s.end(w.e);
  } catch (e) {
    report(0, 'http', e);
  }
}

/**
 * Matches entries to waiting requests: same initiator, same URL, started no earlier than the
 * request; of several candidates (the same URL requested twice) the latest-started one, which
 * is the entry's own request: the last one, as they wait in the order they started.
 */
function onEntries(list: PerformanceObserverEntryList): void {
  for (const r of list.getEntries() as PerformanceResourceTiming[]) {
    let best: Timed | undefined;
    for (const w of waiting) if (!w.r && w.i == r.initiatorType && w.u == r.name && w.t <= r.startTime) best = w;
    if (best) {
      best.r = r;
      if (best.e) finish(best);
    }
  }
}

/** Ends the span of a waiting request, with the network phases of its entry when it has one. */
function finish(w: Timed): void {
  // not waiting: ended already (a timer after the entry or the page exit)
  if (waiting.delete(w)) {
    // nothing waits: no observer
    if (!waiting.size) observer!.disconnect();
    // the body is complete at responseEnd: end there when later (the conventions allow both)
    w.s.end(w.r ? Math.max(w.e!, networkTiming(w.s, w.r)) : w.e);
  }
}

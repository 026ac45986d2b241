import { isExiting, onPageExit } from '../../lib/page-exit';
import { now } from '../../lib/time';
import type { Span } from '../../trace/types';

/**
 * How long an answered request waits for its resource timing entry (ms). The browser adds the
 * entry when the response body is complete, so a body still streaming (or never read) after
 * that long ends the span without network timing rather than holding it open.
 */
const WAIT = 1000;

/** The phases reported as span events, in order (the names otel-js's web timing events use). */
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

/** A traced request whose span ends through {@link settle}. */
export interface Timed {
  /** span */
  s: Span;
  /** URL */
  u: string;
  /** final URL after redirects */
  f?: string;
  /** initiator type of its entry: `fetch` or `xmlhttprequest` */
  i: string;
  /** start, `performance.now()` */
  t: number;
  /** end, epoch ms; set once answered or failed */
  e?: number;
  /** its timing entry */
  r?: PerformanceResourceTiming;
  /** the wait timer */
  x?: ReturnType<typeof setTimeout>;
}

/** Requests waiting for their entry (only where the runtime reports resource timing). */
const waiting: Timed[] = [];
let observer: PerformanceObserver | undefined;
let hooked = false;

/** Resource timing exists in browsers (windows and workers) and Node; not in Deno or workerd. */
function hasTiming(): boolean {
  try {
    return PerformanceObserver.supportedEntryTypes.includes('resource');
  } catch {
    return false;
  }
}

/**
 * Matches entries to waiting requests: same initiator, same URL (as requested or after
 * redirects), started no earlier than the request; of several candidates (the same URL
 * requested twice) the latest-started one, which is the entry's own request.
 */
function onEntries(list: PerformanceObserverEntryList): void {
  for (const r of list.getEntries() as PerformanceResourceTiming[]) {
    let best: Timed | undefined;
    for (const w of waiting) {
      if (!w.r && w.i == r.initiatorType && (w.u == r.name || w.f == r.name) && w.t <= r.startTime && !(best && best.t > w.t))
        best = w;
    }
    if (best) {
      best.r = r;
      if (best.e) finish(best);
    }
  }
}

/** Ends the span, with the network phases of its entry when it has one. */
function finish(w: Timed): void {
  clearTimeout(w.x);
  const i = waiting.indexOf(w);
  if (i >= 0) {
    waiting.splice(i, 1);
    if (!waiting.length) observer!.disconnect();
  }
  const r = w.r;
  const s = w.s;
  let end = w.e!;
  if (r) {
    const o = performance.timeOrigin;
    for (const n of PHASES) {
      const v = r[n];
      // Zero means "did not happen" or "hidden": cross-origin entries without
      // Timing-Allow-Origin keep only fetchStart and responseEnd. A reused connection or a
      // cached DNS answer gives an empty phase, not worth an event.
      if (
        v > 0 &&
        (n[0] != 'd' || r.domainLookupEnd > r.domainLookupStart) &&
        (!/^(c|s)/.test(n) || r.connectEnd > r.connectStart)
      )
        s.addEvent(n, o + v);
    }
    // 'http/1.1' → '1.1', 'h2' → '2', 'h3' → '3'; empty (hidden cross-origin) → not set
    const m = /^(?:http\/|h)(\d[\d.]*)/.exec(r.nextHopProtocol);
    if (m) s.setAttribute('network.protocol.version', m[1]);
    // the body is complete at responseEnd: end there if later (the conventions allow either)
    end = Math.max(end, o + r.responseEnd);
  }
  s.end(end);
}

/** Starts following a request; call right before it is sent. */
export function track(s: Span, url: string, initiator: string): Timed {
  const w: Timed = { s, u: url, i: initiator, t: performance.now() };
  if (hasTiming()) {
    if (!waiting.length) {
      (observer ||= new PerformanceObserver(onEntries)).observe({ type: 'resource' });
      if (!hooked) {
        hooked = true;
        // a page going away cannot wait: end what is answered so the exit flush has it
        onPageExit(() => waiting.slice().forEach((w) => w.e && finish(w)));
      }
    }
    waiting.push(w);
  }
  return w;
}

/**
 * The request is over (response headers came, or it failed): its span ends now where there is
 * no resource timing to wait for, else when its entry comes, at the latest after {@link WAIT}.
 */
export function settle(w: Timed, finalUrl?: string): void {
  if (w.e) return;
  w.e = now();
  w.f = finalUrl;
  if (w.r || isExiting() || waiting.indexOf(w) < 0) finish(w);
  else {
    w.x = setTimeout(finish, WAIT, w);
    // Node: a wait must not keep the process alive
    (w.x as { unref?: () => void }).unref?.();
  }
}

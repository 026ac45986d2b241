import { ROOT_CONTEXT } from '../../context/context';
import { numberOption, report } from '../../lib/diag';
import { onPageExit } from '../../lib/page-exit';
import type { Attributes } from '../../lib/types';
import { VERSION } from '../../lib/version';
import { setSpan, setSpanContext, trace } from '../../trace/api';
import { parseTraceParent } from '../../trace/propagation/trace-context';
import type { Context } from '../../context/types';
import type { SpanContext } from '../../trace/types';
import { redactUrl } from '../../lib/redact';
import { networkTiming, outcome } from '../lib/http';
import type { Instrumentation, UrlMatcher } from '../lib/types';
import { list, matches } from '../lib/url';

/** Options of {@link documentLoadInstrumentation}. */
export interface DocumentLoadOptions {
  /** Resources not reported (no `resourceFetch` span, not counted). */
  ignoreUrls?: UrlMatcher | readonly UrlMatcher[];
  /**
   * Rewrites each `url.full` (document and resources) after the built-in redaction (credentials
   * and signed-URL secrets), as the fetch and XHR instrumentations' option of the same name.
   * A throwing function leaves the span without `url.full` (and is reported).
   */
  redactUrl?: (url: string) => string;
  /**
   * `resourceFetch` spans at most (default 250, the browser's default resource timing buffer).
   * Resources over the cap are counted in the `documentLoad` span's
   * `otelite.document_load.resources_dropped` attribute.
   */
  maxResourceSpans?: number;
}

/** The attribute counting the resources over the cap. */
export const RESOURCES_DROPPED = 'otelite.document_load.resources_dropped';

/** Navigation Timing milestones reported as events of `documentLoad` (otel-js's names). */
const MILESTONES = [
  'fetchStart',
  'unloadEventStart',
  'unloadEventEnd',
  'domInteractive',
  'domContentLoadedEventStart',
  'domContentLoadedEventEnd',
  'domComplete',
  'loadEventStart',
  'loadEventEnd',
] as const;

/**
 * Initiator types left out: requests made by scripts with fetch, XHR and `sendBeacon` are what the
 * fetch and XHR instrumentations trace (with their real parent), and the exporters use them too.
 */
const SCRIPTED = /^(fetch|xmlhttprequest|beacon)$/;

const navEntry = (): PerformanceNavigationTiming | undefined =>
  performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;

/**
 * The server span the page was served in: a `Server-Timing: traceparent;desc="00-…"` entry of
 * the navigation response (what otelite's edge wrappers send), else a
 * `<meta name="traceparent" content="00-…">` in the document.
 */
function serverParent(nav: PerformanceNavigationTiming): SpanContext | undefined {
  const st = (nav.serverTiming || []).find((e) => e.name == 'traceparent');
  const meta = document.querySelector<HTMLMetaElement>('meta[name=traceparent]');
  return (st && parseTraceParent(st.description)) || (meta && parseTraceParent(meta.content)) || undefined;
}

/**
 * The document-load instrumentation: once the page has loaded, a `documentLoad` span (navigation
 * start to the end of the `load` event) with a `documentFetch` child (the HTML document) and a
 * `resourceFetch` child per resource the page loaded (images, scripts, styles, fonts, frames;
 * fetch/XHR/beacon requests are the fetch and XHR instrumentations' business), built from
 * Navigation Timing and Resource Timing with explicit times and the milestones and network phases
 * as events.
 *
 * Nothing runs on the critical path: resource entries are collected by a buffered
 * `PerformanceObserver` (so that more than the browser's 250 buffered entries can be counted),
 * and the spans are made in an idle callback after `load`, or at page exit if that comes first.
 * When the server joined its trace to the page (`Server-Timing: traceparent;desc=…` or
 * `<meta name="traceparent">`), `documentLoad` is a child of the server span.
 *
 * ```ts
 * documentLoadInstrumentation({ ignoreUrls: [/\/analytics\//] }).enable();
 * ```
 */
export function documentLoadInstrumentation(options?: DocumentLoadOptions | null): Instrumentation {
  options ||= {};
  const ignore = list('ignoreUrls', options.ignoreUrls);
  const redact = options.redactUrl;
  const cap = numberOption(options, 'maxResourceSpans', 250, 0);
  const tracer = trace.getTracer('otelite/document-load', VERSION);
  let on = false;
  let done = false;
  /** no resource observer: read the buffer at collection time */
  let buf = false;
  let kept: PerformanceResourceTiming[] = [];
  let dropped = 0;
  let obs: PerformanceObserver | undefined;
  let off: (() => void) | undefined;

  /** Keeps the resources of the page load, up to the cap; counts the rest. */
  function take(list: PerformanceEntryList): void {
    const end = navEntry()?.loadEventEnd;
    for (const r of list as PerformanceResourceTiming[]) {
      // after load: not part of the page load; data:, blob:, about: are no network fetches
      if (SCRIPTED.test(r.initiatorType) || (end && r.startTime > end) || !/^https?:/.test(r.name) || matches(ignore, r.name))
        continue;
      if (kept.length < cap) kept.push(r);
      else dropped++;
    }
  }

  /** `url.full` of an entry's (absolute, serialised) URL; undefined (not set) when `redactUrl` throws. */
  function full(name: string): string | undefined {
    try {
      const u = redactUrl(name);
      return redact ? redact(u) : u;
    } catch (e) {
      report(1, 'redactUrl', e);
    }
  }

  /** One span for a fetch of the document (`nav`) or of a resource; ends at its `responseEnd`. */
  function fetchSpan(name: string, r: PerformanceResourceTiming, ctx: Context): void {
    const a: Attributes = { 'url.full': full(r.name) };
    // 0: served from the cache or hidden (cross-origin without Timing-Allow-Origin)
    if (r.encodedBodySize) a['http.response.body.size'] = r.encodedBodySize;
    // redirects included; the navigation's startTime is 0 (the previous page's unload)
    const s = tracer.startSpan(name, { attributes: a, startTime: performance.timeOrigin + (r.startTime || r.redirectStart || r.fetchStart) }, ctx);
    // as HTTP client spans: 4xx and 5xx are errors typed by their code; 0 (a cross-origin
    // response without CORS, or a browser without responseStatus) is unknown, not set
    outcome(s, r.responseStatus || 0);
    s.end(networkTiming(s, r));
  }

  function collect(): void {
    try {
      const nav = on && !done && navEntry();
      // before the end of load (the page exits while loading): no page load to report
      if (!nav || !(nav.loadEventEnd > 0)) return;
      done = true;
      stop();
      if (buf) take(performance.getEntriesByType('resource'));
      const o = performance.timeOrigin;
      const sc = serverParent(nav);
      const ctx = sc ? setSpanContext(ROOT_CONTEXT, sc) : ROOT_CONTEXT;
      const root = tracer.startSpan(
        'documentLoad',
        { startTime: o + nav.startTime, attributes: { 'url.full': full(nav.name), 'user_agent.original': navigator.userAgent } },
        ctx,
      );
      for (const n of MILESTONES) if (nav[n] > 0) root.addEvent(n, o + nav[n]);
      for (const p of performance.getEntriesByType('paint'))
        root.addEvent(p.name == 'first-paint' ? 'firstPaint' : 'firstContentfulPaint', o + p.startTime);
      const c = setSpan(ctx, root);
      fetchSpan('documentFetch', nav, c);
      for (const r of kept) fetchSpan('resourceFetch', r, c);
      if (dropped) root.setAttribute(RESOURCES_DROPPED, dropped);
      kept = [];
      root.end(o + nav.loadEventEnd);
    } catch (e) {
      report(0, 'document-load', e);
    }
  }

  /** Stops watching: no more resources, no exit hook. */
  function stop(): void {
    if (obs) {
      // entries the observer has not delivered yet
      take(obs.takeRecords());
      obs.disconnect();
      obs = undefined;
    }
    off?.();
    off = undefined;
  }

  return {
    name: 'document-load',
    enable() {
      if (on || done || typeof document == 'undefined') return;
      on = true;
      // (again) from the start: a buffered observer hands over the buffer's entries once more
      kept = [];
      dropped = 0;
      try {
        obs = new PerformanceObserver((l) => take(l.getEntries()));
        obs.observe({ type: 'resource', buffered: true });
      } catch {
        obs = undefined;
        buf = true;
      }
      // a page that goes away before the idle callback: its spans go with the exit flush
      off = onPageExit(collect, true);
      // made in a task after the load event (its end is known then), when the page is idle
      const later = (): void =>
        void setTimeout(() =>
          typeof requestIdleCallback == 'function' ? requestIdleCallback(collect, { timeout: 2000 }) : collect(),
        );
      if (document.readyState == 'complete') later();
      else addEventListener('load', later, { once: true });
    },
    disable() {
      on = false;
      stop();
    },
  };
}

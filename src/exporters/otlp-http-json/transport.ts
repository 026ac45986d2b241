/**
 * The wire: `fetch` (keepalive while it fits the page's budget) and `navigator.sendBeacon`,
 * both run with tracing suppressed.
 *
 * ## The exporter's requests are never traced
 * Every request is started inside `context.with(suppressTracing(ROOT_CONTEXT), …)`. The
 * contract with the fetch and XHR instrumentations (and with any otel-js instrumentation, which
 * reads the same context key): check `isTracingSuppressed(context.active())` *synchronously at
 * call time* and, when true, call the original function without a span and without injecting
 * headers. Nothing else marks these requests (no extra header: one would cost a CORS preflight).
 *
 * ## The keepalive budget
 * Chromium allows 64 KiB of keepalive request bodies in flight per page, shared by keepalive
 * fetches and beacons. A keepalive fetch over it does not throw: its promise rejects later and
 * nothing is sent (FACTS.md). So the bytes in flight are counted here, for all of otelite's
 * exporters together (the budget is the page's, not one exporter's), and a request uses
 * keepalive only when it fits. A keepalive fetch holds its share until its response body is
 * read, so every response body is read at once.
 * @packageDocumentation
 */
import { context } from '../../context/api';
import { ROOT_CONTEXT } from '../../context/context';
import { BROWSER } from '../../lib/platform';
import { suppressTracing } from '../../lib/suppress';

/**
 * Keepalive bytes otelite allows itself: Chromium's 64 KiB minus headroom for the page's own
 * beacons (analytics) and request headers.
 */
export const KEEPALIVE_BUDGET = 60 * 1024;

let inflight = 0;

/** Keepalive bytes still free now. */
export const budgetLeft = (): number => KEEPALIVE_BUDGET - inflight;

/**
 * Whether this is a page (a `document` exists): only there do keepalive and `sendBeacon` help,
 * and only there may they be used (workerd has a `sendBeacon` whose request would outlive the
 * handler; workers and Deno use plain fetch, flushed through `ctx.waitUntil` by the adapters).
 * Always false in the edge build (see lib/platform.ts).
 */
export const inPage = (): boolean => BROWSER && typeof document != 'undefined';

/** What came back: HTTP status (0: network error, CORS failure, timeout), `Retry-After`, body text. */
export type Reply = [status: number, retryAfter: string | null, body: string];

const untraced = <R>(fn: () => R): R => context.with(suppressTracing(ROOT_CONTEXT), fn);

/** Lets a timer not keep a Node or Deno process alive by itself. */
export const unref = (t: ReturnType<typeof setTimeout>): void => (t as { unref?: () => void }).unref?.();

/**
 * POSTs `body` and resolves with the {@link Reply}; never rejects. Uses keepalive when `keep` is
 * true and the body fits the budget (the caller decides up front: an over-budget keepalive
 * fails silently). Aborts after `timeout` ms. Always reads the response body, which releases
 * the keepalive share at once.
 */
export function post(
  url: string,
  body: Uint8Array,
  headers: Record<string, string>,
  keep: boolean,
  timeout: number,
): Promise<Reply> {
  const n = body.length;
  // (`BROWSER` again, though inPage has it: the edge build then drops the budget code here)
  keep &&= BROWSER && inPage() && n <= budgetLeft();
  if (keep) inflight += n;
  return untraced(() =>
    fetch(url, {
      method: 'POST',
      body: body as BodyInit,
      headers,
      keepalive: keep,
      credentials: 'omit',
      // (a runtime without AbortSignal.timeout, Safari < 16: the sender gives up on the attempt
      // a second after the timeout anyway, at its next pump)
      signal: AbortSignal.timeout?.(timeout),
    }),
  )
    .then(
      // a body that broke off: the status still says what happened
      async (r): Promise<Reply> => [r.status, r.headers.get('retry-after'), await r.text().catch(() => '')],
      (): Reply => [0, null, ''],
    )
    .finally(() => {
      if (keep) inflight -= n;
    });
}

/**
 * Sends `body` with `navigator.sendBeacon` as a `text/plain` Blob (a CORS-safelisted type: no
 * preflight). Returns false, having sent nothing, outside pages, over the budget, or when the
 * browser refuses. A beacon's share of the budget is freed when its request ends, which a page
 * cannot observe: it is counted for 10 s, a generous bound for a beacon request.
 */
export function beacon(url: string, body: Uint8Array): boolean {
  const n = body.length;
  let ok = false;
  try {
    ok = inPage() && n <= budgetLeft() && untraced(() => navigator.sendBeacon(url, new Blob([body as BlobPart], { type: 'text/plain' })));
  } catch {
    // a page that broke sendBeacon: the caller falls back to fetch
  }
  if (ok) {
    inflight += n;
    setTimeout(() => (inflight -= n), 1e4);
  }
  return ok;
}

/**
 * The signal-independent half of every OTLP exporter: queue, gzip, transport choice, retry and
 * the page-exit path. The trace exporter uses it; the metrics and logs exporters reuse it.
 * @packageDocumentation
 */
import { report, reportOnce, warnConfig } from '../../lib/diag';
import { isExiting, onPageExit } from '../../lib/page-exit';
import type { ExportResult } from '../../trace/sdk-types';
import { resolveConfig } from './config';
import type { OTLPExporterConfig, OtlpSignal } from './config';
import { gzip } from './gzip';
import { beacon, budgetLeft, post } from './transport';
import type { Reply } from './transport';

/**
 * Sends one signal's data to an OTLP/HTTP JSON endpoint. Create it with
 * {@link createOtlpSender}; an exporter's `export` calls `send`, its `forceFlush`/`shutdown` call
 * the ones here.
 */
export interface OtlpSender<T> {
  /**
   * Encodes `items` (with the sender's `encode`), compresses, POSTs, retries as the OTLP spec
   * says, and calls `done` exactly once with the final outcome. Never throws, never leaves an
   * unhandled rejection. Called while the page exits (`isExiting()`), it sends everything
   * synchronously, in this task, with requests that survive the unload.
   */
  send(items: T[], done?: (result: ExportResult) => void): void;
  /** Resolves when everything handed to `send` has reached its final outcome (retries included). */
  forceFlush(): Promise<void>;
  /** Flushes, then refuses new data. */
  shutdown(): Promise<void>;
  /** Items dropped: queue full, retries exhausted, refused by the server, shut down. */
  dropped: number;
}

/** Jobs (pending `send`s) kept at most: in the queue, in flight or waiting to retry. */
const MAX_JOBS = 32;
/** Attempts per job, the first included. */
const MAX_TRIES = 5;
/** A job gives up when its next attempt would start later than this after its first. */
const MAX_ELAPSED = 60_000;
/** Below this much free keepalive budget, splitting a batch further is not worth it. */
const MIN_PIECE = 2048;

interface Job<T> {
  /** items */
  i: T[];
  /** done */
  d: (r: ExportResult) => void;
  /** attempts made */
  n: number;
  /** state: 0 waiting (for a slot or a retry timer), 1 preparing (encode, gzip), 2 on the wire, 3 finished */
  s: number;
  /** when the first attempt was made */
  f: number;
  /** retry timer */
  t?: ReturnType<typeof setTimeout>;
  /** the prepared body, kept for retries */
  z?: Uint8Array;
  /** z is gzip (1) */
  g?: number;
  /** no keepalive (1: a keepalive attempt failed, someone else may be holding the budget) */
  k?: number;
}

const OK: ExportResult = { code: 0 };
const fail = (message: string): ExportResult => ({ code: 1, error: new Error(message) });
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Calls the caller's callback: a throw there is not ours to report, and never the page's problem. */
function call(d: (r: ExportResult) => void, r: ExportResult): void {
  try {
    d(r);
  } catch {
    // ignored
  }
}

/** Milliseconds a `Retry-After` value (seconds or an HTTP date) asks for, or NaN. */
export function retryAfterMillis(v: string | null): number {
  if (!v) return NaN;
  v = v.trim();
  return /^\d+$/.test(v) ? +v * 1e3 : Math.max(0, Date.parse(v) - Date.now());
}

/**
 * Creates the sender of one signal.
 *
 * @param config - the user's exporter options (checked here, with one `console.warn` per bad key)
 * @param signal - which signal: sets the path (`/v1/traces`, ...) when `config.url` is not given
 * @param encode - items → the complete `Export*ServiceRequest` JSON text (see `encode-common.ts`).
 *   Items are also the unit of splitting at page exit: a batch too large for the keepalive
 *   budget is halved and each half encoded again, so give the sender many small items (spans,
 *   log records, metrics) rather than one big one where you can.
 *
 * What it does, in short:
 * - gzip (`CompressionStream`, fflate only where missing) unless `compression: 'none'`;
 * - fetch with `Content-Type: application/json`, `Content-Encoding: gzip`, `credentials: 'omit'`,
 *   keepalive while the body fits the page's budget, an abort after `timeoutMillis`;
 * - at most `concurrencyLimit` requests in flight and {@link MAX_JOBS} jobs held; beyond, new
 *   data is dropped and counted;
 * - retries 429/502/503/504 and network errors with exponential backoff and jitter, or after
 *   `Retry-After` (which a page can read cross-origin only when the collector exposes it); at
 *   most 5 attempts within 60 s; never other statuses; a `partialSuccess` is final and reported
 *   through diagnostics;
 * - at page exit (the batch processor exports from `pagehide`/`visibilitychange`), sends
 *   everything it holds or is given right away, uncompressed (compression is asynchronous and
 *   the page would be gone before it finished: measured 0/30 delivered), with keepalive fetch
 *   (or beacons in beacon mode) in pieces that fit the budget, and plain fetch for what does not;
 * - beacon mode (`transport: 'beacon'`): gzip bytes as a `text/plain` beacon, for otelite's relay;
 * - every request starts inside `context.with(suppressTracing(ROOT_CONTEXT), …)`: the fetch/XHR
 *   instrumentations must check `isTracingSuppressed(context.active())` at call time and then
 *   neither trace nor inject (no feedback loop). See `transport.ts`.
 */
export function createOtlpSender<T>(
  config: OTLPExporterConfig | undefined,
  signal: OtlpSignal,
  encode: (items: T[]) => string,
): OtlpSender<T> {
  const c = resolveConfig(config, signal);
  const url = c.u;
  const jobs = new Set<Job<T>>();
  let busy = 0;
  let down = false;
  let idle: (() => void)[] = [];
  // beacon mode falls back to fetch as a CORS "simple request": no custom headers at all
  const json = c.b ? { 'Content-Type': 'text/plain' } : { ...c.h, 'Content-Type': 'application/json' };
  const gz = c.b ? json : { ...json, 'Content-Encoding': 'gzip' };
  if (c.b && Object.keys(c.h).length) warnConfig('headers', c.h, {});

  function finish(j: Job<T>, r: ExportResult): void {
    if (j.s > 2) return;
    j.s = 3;
    clearTimeout(j.t);
    jobs.delete(j);
    if (r.code) me.dropped += j.i.length;
    call(j.d, r);
    if (!jobs.size) for (const f of idle.splice(0)) f();
  }

  /** Handles the reply to job `j`'s attempt (`kept`: it went with keepalive). */
  function settle(j: Job<T>, [status, after, text]: Reply, kept: boolean): void {
    const n = ++j.n;
    if (status > 199 && status < 300) {
      try {
        const ps = text && JSON.parse(text).partialSuccess;
        // rejected* counts (int64: decimal strings) or an errorMessage: the spec says report it
        if (ps && Object.values(ps).some((v) => v && v != '0')) report(1, signal + ' export partially rejected', ps);
      } catch {
        // not JSON (a proxy's answer): the status is what counts
      }
      return finish(j, OK);
    }
    const wait = retryAfterMillis(after);
    const d = wait >= 0 ? wait : Math.min(1e3 * 2 ** (n - 1), 16e3) * (0.5 + Math.random() / 2);
    // retry only what the OTLP/HTTP spec calls retryable: 429, 502, 503, 504, and network errors
    if (down || (status && status != 429 && (status < 502 || status > 504)) || n >= MAX_TRIES || Date.now() + d - j.f > MAX_ELAPSED) {
      if (status > 499 || !status) reportOnce('otlp.' + signal, signal + ' export failed', status);
      return finish(j, fail(signal + ' export failed: HTTP ' + status));
    }
    if (!status && kept) j.k = 1;
    j.s = 0;
    j.t = setTimeout(() => {
      j.t = undefined;
      pump();
    }, d);
    (j.t as { unref?: () => void }).unref?.();
  }

  function pump(): void {
    for (const j of jobs) if (busy < c.c && !j.s && !j.t) void run(j);
  }

  async function run(j: Job<T>): Promise<void> {
    j.s = 1;
    busy++;
    try {
      let body = j.z;
      if (!body) {
        body = utf8(encode(j.i));
        const z = c.z && (await gzip(body));
        if (j.s != 1) return; // the page exit took this job over meanwhile
        if (z) j.g = 1;
        j.z = body = z || body;
      }
      j.s = 2;
      j.f ||= Date.now();
      if (c.b && beacon(url, body)) return finish(j, OK);
      const keep = !j.k && body.length <= budgetLeft();
      settle(j, await post(url, body, j.g ? gz : json, keep, c.t), keep);
    } catch (e) {
      report(0, signal + ' export failed', e);
      finish(j, fail(String(e)));
    } finally {
      busy--;
      pump();
    }
  }

  /**
   * Page exit: sends job `j` now, synchronously. Uncompressed; halved and re-encoded while a
   * piece does not fit the free keepalive budget (and the budget is worth splitting for);
   * each piece becomes its own job, so that a page that survives (a tab merely hidden) still
   * retries what failed. `j.d` is called once all pieces are final.
   */
  function exitSend(j: Job<T>): void {
    clearTimeout(j.t);
    j.s = 3;
    jobs.delete(j);
    let pending = 1;
    let bad: ExportResult | undefined;
    const piece = (r: ExportResult): void => {
      if (r.code) bad = r;
      if (!--pending) call(j.d, bad || OK); // (drops were counted per piece)
    };
    const go = (items: T[]): void => {
      const body = utf8(encode(items));
      const left = budgetLeft();
      const fits = body.length <= left;
      if (!fits && items.length > 1 && left > MIN_PIECE) {
        const h = items.length >> 1;
        go(items.slice(0, h));
        return go(items.slice(h));
      }
      pending++;
      const k: Job<T> = { i: items, d: piece, n: j.n, s: 2, f: j.f || Date.now(), z: body };
      jobs.add(k);
      if (!fits) reportOnce('otlp.exit', 'page exit: over keepalive budget');
      if (c.b && fits && beacon(url, body)) finish(k, OK);
      else void post(url, body, json, fits, c.t).then((r) => settle(k, r, fits));
    };
    try {
      go(j.i);
    } catch (e) {
      report(0, signal + ' export failed', e);
      bad = fail(String(e));
    }
    piece(OK);
  }

  // At page exit, whatever waits (queued, compressing, backing off) goes out now; the batch
  // processor's own exit hook then hands over what it still holds, and `send` sends that at once.
  const off = onPageExit(() => {
    for (const j of jobs) if (j.s < 2) exitSend(j);
  });

  const me: OtlpSender<T> = {
    dropped: 0,
    send(items, done = () => {}) {
      if (down || jobs.size >= MAX_JOBS) {
        me.dropped += items.length;
        if (!down) reportOnce('otlp.full', signal + ' export queue full; dropping data');
        return done(fail(signal + (down ? ' exporter shut down' : ' export queue full')));
      }
      if (!items.length) return done(OK);
      const j: Job<T> = { i: items, d: done, n: 0, s: 0, f: 0 };
      jobs.add(j);
      if (isExiting()) exitSend(j);
      else pump();
    },
    forceFlush: () => (jobs.size ? new Promise<void>((r) => idle.push(r)) : Promise.resolve()),
    async shutdown() {
      await me.forceFlush();
      down = true;
      off();
    },
  };
  return me;
}

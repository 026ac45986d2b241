/**
 * The signal-independent half of every OTLP exporter: queue, gzip, transport choice, retry and
 * the page-exit path, as one base class that the trace, log and metric exporters extend.
 * @packageDocumentation
 */
import { numberOption, report, reportOnce, warnConfig } from '../../lib/diag';
import { isExiting, onPageExit } from '../../lib/page-exit';
import { BROWSER } from '../../lib/platform';
import type { ExportResult } from '../../trace/sdk-types';
import type { OTLPExporterConfig, OtlpSignal } from './config';
import { gzip, utf8 } from './gzip';
import { beacon, budgetLeft, post, unref } from './transport';
import type { Reply } from './transport';

/**
 * Sends one signal's data to an OTLP/HTTP JSON endpoint: what {@link OtlpExporter} (and so every
 * otelite OTLP exporter) does. Create one on its own with {@link createOtlpSender}.
 */
export interface OtlpSender<T> {
  /**
   * Encodes `items` (with the sender's `encode`), compresses, POSTs, retries as the OTLP spec
   * says, and calls `done` exactly once with the final outcome. Never throws, never leaves an
   * unhandled rejection. Called while the page exits (`isExiting()`), it sends everything
   * synchronously, in this task, with requests that survive the unload.
   */
  send(items: T[], done?: (result: ExportResult) => void): void;
  /**
   * Resolves when everything handed to `send` so far has reached its final outcome (retries
   * included). Also sends retries that are due and gives up on attempts the runtime killed
   * (see {@link OtlpExporter}).
   */
  forceFlush(): Promise<void>;
  /** Flushes, then refuses new data. */
  shutdown(): Promise<void>;
  /** Items dropped: queue full, retries exhausted, refused by the server, shut down. */
  dropped: number;
}

/** Bounds (a const enum: esbuild writes the numbers in place). */
const enum Max {
  /** Jobs (pending `send`s) kept at most: in the queue, in flight or waiting to retry. */
  Jobs = 32,
  /** Attempts per job, the first included. */
  Tries = 5,
  /** Below this much free keepalive budget, splitting a batch further is not worth it. */
  MinPiece = 2048,
}

/**
 * One `send`. Every deadline is a `Date.now()` time, checked whenever the sender pumps, rather
 * than a timer that must fire: workerd cancels the timers and fetches of `ctx.waitUntil` work
 * about 30 s after the response, and a job waiting on them must not wait forever.
 */
interface Job<T> {
  /** items */
  i: T[];
  /** done */
  d: (r: ExportResult) => void;
  /** attempts started; also the token that tells a late reply of an abandoned attempt apart */
  n: number;
  /** state: 0 waiting (for a slot or for `w`), 1 preparing (encode, gzip), 2 on the wire, 3 finished (or split into pieces at page exit: each piece is a job of its own) */
  s: number;
  /** when the first attempt started */
  f?: number;
  /** not before: when a retry is due */
  w?: number;
  /** when the current attempt started */
  a?: number;
  /** settles when the job is final (what `forceFlush` waits for) */
  p?: Promise<void>;
  /** resolves `p` */
  r?: () => void;
  /** the prepared body, kept for retries */
  z?: Uint8Array;
  /** z is gzip (1) */
  g?: number;
  /** no keepalive (1: a keepalive attempt failed, someone else may be holding the budget) */
  k?: number;
}

const OK: ExportResult = { code: 0 };

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
  // `+` reads delay-seconds (whitespace allowed); what is not a number is an HTTP date (or NaN)
  return !v ? NaN : isNaN(+v) ? Math.max(0, Date.parse(v) - Date.now()) : +v * 1e3;
}

/**
 * The base of otelite's OTLP/HTTP JSON exporters: `OTLPTraceExporter`, `OTLPLogExporter` and
 * `OTLPMetricExporter` are this class with their signal's encoder. `I` is what `export` takes:
 * `T[]`, unless a subclass assigns an `export` of its own (the metric exporter's takes a
 * collection and sends its metrics as items).
 *
 * What it does, in short:
 * - gzip (`CompressionStream`, fflate only where missing) unless `compression: 'none'`;
 * - fetch with `Content-Type: application/json`, `Content-Encoding: gzip`, `credentials: 'omit'`,
 *   keepalive while the body fits the page's budget, an abort after `timeoutMillis`;
 * - at most `concurrencyLimit` requests in flight and 32 jobs held; beyond, new
 *   data is dropped and counted;
 * - retries 429/502/503/504 and network errors with exponential backoff and jitter, or after
 *   `Retry-After` (which a page can read cross-origin only when the collector exposes it); at
 *   most 5 attempts within `maxRetryElapsedMillis` (60 s); never other statuses; a
 *   `partialSuccess` is final and reported through diagnostics;
 * - an attempt still unanswered a second after its timeout counts as a network error the next
 *   time the sender pumps (a `send`, a `forceFlush`, a reply, its retry timer): where the runtime
 *   killed the request and its abort timer (workerd), the slot frees itself;
 * - at page exit (the batch processor exports from `pagehide`/`visibilitychange`), sends
 *   everything it holds or is given right away, uncompressed (compression is asynchronous and
 *   the page would be gone before it finished: measured 0/30 delivered), with keepalive fetch
 *   (or beacons in beacon mode) in pieces that fit the budget, and plain fetch for what does not;
 * - beacon mode (`transport: 'beacon'`): gzip bytes as a `text/plain` beacon, for otelite's relay;
 * - every request starts inside `context.with(suppressTracing(ROOT_CONTEXT), …)`: the fetch/XHR
 *   instrumentations must check `isTracingSuppressed(context.active())` at call time and then
 *   neither trace nor inject (no feedback loop). See `transport.ts`.
 */
export class OtlpExporter<T, I = T[]> implements OtlpSender<T> {
  /** Items dropped so far: queue full, retries exhausted, refused by the server, shut down. */
  dropped = 0;
  /** {@inheritDoc OtlpSender.send} */
  declare send: (items: T[], done?: (result: ExportResult) => void) => void;
  /** Sends `input`, then calls `done` exactly once (the `SpanExporter` shape). */
  declare export: (input: I, done: (result: ExportResult) => void) => void;
  /** {@inheritDoc OtlpSender.forceFlush} */
  declare forceFlush: () => Promise<void>;
  /** {@inheritDoc OtlpSender.shutdown} */
  declare shutdown: () => Promise<void>;

  /**
   * @param config - the user's exporter options (checked here, with one `console.warn` per bad key)
   * @param signal - which signal: sets the path (`/v1/traces`, ...) when `config.url` is not given
   * @param encode - items → the complete `Export*ServiceRequest` JSON text (see `encode-common.ts`).
   *   Items are also the unit of splitting at page exit: a batch too large for the keepalive
   *   budget is halved and each half encoded again, so give the sender many small items (spans,
   *   log records, metrics) rather than one big one where you can.
   */
  constructor(
    config: OTLPExporterConfig | null | undefined,
    signal: OtlpSignal,
    encode: (items: T[]) => string,
  ) {
    config ||= {};
    // one checker for the other keys: absent → default; valid (by default: of the default's
    // type) → itself; invalid → warn, default
    const pick = <V>(k: keyof OTLPExporterConfig, d: V, ok = (v: unknown) => v != null && typeof v == typeof d): V => {
      const v = config[k];
      return v === undefined ? d : ok(v) ? (v as V) : (warnConfig(k, v, d), d);
    };
    const oneOf = (k: keyof OTLPExporterConfig, a: string, b: string): boolean => pick(k, a, (v) => v == a || v == b) != a;
    // (an empty endpoint exports nothing: it is what the distros' config check, `endpoint` in
    // lib/config.ts, makes of an unusable one, with a warning saying so)
    const base = pick('endpoint', 'http://localhost:4318');
    const url = pick('url', '') || (base && base.replace(/\/+$/, '') + '/v1/' + signal);
    const extra = pick<Record<string, string>>('headers', {});
    const zip = !oneOf('compression', 'gzip', 'none');
    const bcn = oneOf('transport', 'fetch', 'beacon');
    const timeout = numberOption(config, 'timeoutMillis', 1e4, 1);
    const limit = numberOption(config, 'concurrencyLimit', 2, 1);
    const elapsed = numberOption(config, 'maxRetryElapsedMillis', 6e4, 0);
    // beacon mode falls back to fetch as a CORS "simple request": no custom headers at all
    const json = bcn ? { 'Content-Type': 'text/plain' } : { ...extra, 'Content-Type': 'application/json' };
    const gz = bcn ? json : { ...json, 'Content-Encoding': 'gzip' };
    if (bcn && Object.keys(extra).length) warnConfig('headers', extra, {});

    const jobs = new Set<Job<T>>();
    // (no URL: nothing to export to, as after shutdown)
    let down = !url;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const me = this;
    const fail = (why: unknown): ExportResult => ({ code: 1, error: new Error(signal + ' export ' + why) });
    const oops = (e: unknown): ExportResult => (report(0, signal + ' export failed', e), fail(e));

    function finish(j: Job<T>, r: ExportResult): void {
      if (j.s > 2) return;
      j.s = 3;
      jobs.delete(j);
      if (r.code) me.dropped += j.i.length;
      call(j.d, r);
      j.r!();
    }

    /** Handles the reply to job `j`'s attempt (`kept`: it went with keepalive). */
    function settle(j: Job<T>, [status, after, text]: Reply, kept: boolean): void {
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
      const d = wait >= 0 ? wait : Math.min(1e3 * 2 ** (j.n - 1), 16e3) * (0.5 + Math.random() / 2);
      // retry only what the OTLP/HTTP spec calls retryable: 429, 502, 503, 504, and network errors
      if ((status && status != 429 && (status < 502 || status > 504)) || j.n >= Max.Tries || Date.now() + d - j.f! > elapsed) {
        if (status > 499 || !status) reportOnce('otlp.' + signal, signal + ' export failed', status);
        // (no status: the request failed or a CORS check refused the answer, which pages cannot tell apart)
        return finish(j, fail(status ? 'HTTP ' + status : 'failed (network or CORS)'));
      }
      if (!status && kept) j.k = 1;
      j.s = 0;
      j.w = Date.now() + d;
    }

    /** Reaps dead attempts, starts what may start, and sets the timer for the next retry due. */
    function pump(): void {
      const now = Date.now();
      let busy = 0;
      let next = Infinity;
      // (jobs in the set are waiting (0), preparing (1) or on the wire (2))
      for (const j of jobs) if (j.s) now - j.a! > timeout + 1e3 ? settle(j, [0, null, ''], false) : busy++;
      for (const j of jobs)
        if (!j.s)
          if (j.w! > now) next = Math.min(next, j.w!);
          else if (busy < limit) busy++, void run(j);
      clearTimeout(timer);
      if (next < Infinity) unref((timer = setTimeout(pump, next - now)));
    }

    /**
     * One attempt of job `j`. Synchronous up to `post` when the body is prepared (page exit
     * relies on that); a reply that comes after the attempt was abandoned is ignored.
     */
    async function run(j: Job<T>): Promise<void> {
      const n = ++j.n;
      j.s = 1;
      j.a = Date.now();
      j.f ||= j.a;
      try {
        let body = j.z;
        if (!body) {
          const text = encode(j.i);
          const z = zip && (await gzip(text));
          if (j.n != n || j.s != 1) return; // page exit or the reaper took this job over meanwhile
          if (z) j.g = 1;
          j.z = body = z || utf8(text);
        }
        j.s = 2;
        // (page-only paths: the edge build drops them, see lib/platform.ts)
        if (BROWSER && bcn && beacon(url, body)) return finish(j, OK);
        const keep = BROWSER && !j.k && body.length <= budgetLeft();
        const r = await post(url, body, j.g ? gz : json, keep, timeout);
        if (j.n == n && j.s == 2) settle(j, r, keep);
      } catch (e) {
        finish(j, oops(e));
      } finally {
        pump();
      }
    }

    /**
     * Page exit: sends job `j` now, synchronously. Uncompressed; halved and re-encoded while a
     * piece does not fit the free keepalive budget (and the budget is worth splitting for);
     * each piece becomes its own job, so that a page that survives (a tab merely hidden) still
     * retries what failed. `j.d` is called once all pieces are final. Absent from the edge build
     * (no page exit there, see lib/platform.ts; a local function would stay, unused).
     */
    const exitSend = BROWSER
      ? (j: Job<T>): void => {
          j.s = 3;
          jobs.delete(j);
          let pending = 1;
          let bad: ExportResult | undefined;
          const piece = (r: ExportResult): void => {
            if (r.code) bad = r;
            if (!--pending) {
              call(j.d, bad || OK); // (drops were counted per piece)
              j.r!();
            }
          };
          const go = (items: T[]): void => {
            const body = utf8(encode(items));
            const left = budgetLeft();
            if (body.length > left && items.length > 1 && left > Max.MinPiece) {
              const h = items.length >> 1;
              go(items.slice(0, h));
              return go(items.slice(h));
            }
            if (body.length > left) reportOnce('otlp.exit', 'exit: over keepalive budget');
            pending++;
            void run(add({ i: items, d: piece, n: j.n, s: 0, f: j.f, z: body }));
          };
          try {
            go(j.i);
          } catch (e) {
            bad = oops(e);
          }
          piece(OK);
        }
      : (undefined as never);

    // At page exit, whatever waits (queued, compressing, backing off) goes out now; the batch
    // processor's own exit hook then hands over what it still holds, and `send` sends that at once.
    // (`BROWSER ?`: the edge build has no page exit, and so no `exitSend` either.)
    const off = BROWSER
      ? onPageExit(() => {
          for (const j of jobs) if (j.s < 2) exitSend(j);
        })
      : () => {};

    /** Holds `j` until it is final. */
    const add = (j: Job<T>): Job<T> => {
      j.p = new Promise((r) => (j.r = r));
      jobs.add(j);
      return j;
    };

    this.export = (this.send = (list, done = () => {}) => {
      if (down || jobs.size >= Max.Jobs) {
        me.dropped += list.length;
        if (!down) reportOnce('otlp.full', signal + ' export queue full');
        return done(fail(down ? 'after shutdown' : 'queue full'));
      }
      if (!list.length) return done(OK);
      const j = add({ i: list, d: done, n: 0, s: 0 });
      if (BROWSER && isExiting()) exitSend(j);
      else pump();
    }) as (input: unknown, done: (result: ExportResult) => void) => void; // (a subclass with its own input replaces it)
    this.forceFlush = async () => {
      pump();
      await Promise.all([...jobs].map((j) => j.p));
    };
    this.shutdown = async () => {
      await me.forceFlush();
      down = true;
      off();
    };
  }
}

/**
 * Creates a sender of one signal: an {@link OtlpExporter} used through its `send`. For exporters
 * of your own; see {@link OtlpExporter} for what it does and the parameters.
 */
export const createOtlpSender = <T>(
  config: OTLPExporterConfig | undefined,
  signal: OtlpSignal,
  encode: (items: T[]) => string,
): OtlpSender<T> => new OtlpExporter(config, signal, encode);

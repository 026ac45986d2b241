import { context } from '../../context/api';
import type { Context } from '../../context/types';
import { numberOption, reportOnce } from '../../lib/diag';
import { VERSION } from '../../lib/version';
import { logs } from '../../logs/api';
import type { LogAttributes, LoggerProvider } from '../../logs/types';
import type { Instrumentation } from '../lib/types';

/** Options of {@link errorsInstrumentation}. */
export interface ErrorsInstrumentationOptions {
  /** Where records go (default: the global logger provider, `logs.getLoggerProvider()`). */
  loggerProvider?: LoggerProvider;
  /**
   * Identical errors (same `exception.type`, `exception.message` and first stack frame) are
   * reported once per this many milliseconds (60000); later copies are counted in `duplicates`.
   * `0` reports every copy (the rate limit still applies).
   */
  dedupeWindowMillis?: number;
  /** Records per minute at most (100); the rest are dropped and counted in `dropped`. */
  maxPerMinute?: number;
  /**
   * Also report elements that fail to load (`<img>`, `<script>`, `<link>`, media), as WARN
   * records of type `ResourceError` with `url.full` (default false). Their `error` events do
   * not bubble: the listener then sits on the capture phase.
   */
  resourceErrors?: boolean;
  /** What to listen on (default: the global scope, the window or a worker's `self`). */
  target?: EventTarget;
}

/** What {@link errorsInstrumentation} returns. */
export interface ErrorsInstrumentation extends Instrumentation {
  /**
   * Reports `error` (anything thrown: an `Error`, a `DOMException`, a string, ...) as an
   * `exception` log record in the active span's context, with `attributes` added; bounded
   * like the automatic reports (a duplicate within the window is dropped). Never throws.
   */
  recordError(error: unknown, attributes?: LogAttributes): void;
  /** Records dropped by the rate limit so far. */
  readonly dropped: number;
  /** Records left out as duplicates so far. */
  readonly duplicates: number;
}

/** Dedupe keys kept at most: the oldest go first. */
const MAX_KEYS = 256;

/*
 * Trace correlation. By the time the page's `error` event fires, the exception has unwound
 * through `context.with` and every context manager has restored the outer context: the span it
 * escaped from is no longer active. So while an errors instrumentation is enabled, `context.with`
 * notes the context an exception escaped from (the innermost one wins) and the context a
 * returned promise (an async `startActiveSpan` callback) belongs to, so that the `error` and
 * `unhandledrejection` events can be put back in the span where they happened. Nothing is kept
 * alive by it. Thrown primitives (`throw 'text'`) are not correlated.
 *
 * Cost while enabled (Chromium 156 and Node 20): ~+15 ns per `context.with` (the wrapper), and
 * ~+30 ns per async active span for the promise's note, a symbol-keyed property on the promise;
 * a WeakMap entry per promise cost 0.5-1.2 µs (ephemerons slow every garbage collection). Thrown
 * values go to a WeakMap: that is the rare path, and an error object stays as the page made it.
 */
let ctxs: WeakMap<object, Context>; // created at the first enable: no work at import time
let users = 0;
let plain: typeof context.with;
/** the property of a promise that holds its context */
const CTX = Symbol();

function noting(this: unknown, ctx: Context, fn: () => unknown, ...rest: unknown[]): unknown {
  let r: unknown;
  try {
    r = plain.call(this, ctx, fn, ...rest);
  } catch (e) {
    try {
      // an inner context noted it first; a primitive cannot be a key (not noted)
      if (!ctxs.has(e as object)) ctxs.set(e as object, ctx);
    } catch {
      // a primitive
    }
    throw e;
  }
  // Only native promises reach `unhandledrejection`; an inner context noted it first. A frozen
  // one cannot take the note.
  if (r instanceof Promise)
    try {
      (r as { [CTX]?: Context })[CTX] ??= ctx;
    } catch {
      // frozen
    }
  return r;
}

function note(on: boolean): void {
  if (on ? users++ : --users) return;
  if (on) {
    ctxs ||= new WeakMap();
    plain = context.with;
    context.with = noting as typeof context.with;
  } else if (context.with === (noting as unknown)) {
    // put the original back unless someone wrapped ours meanwhile (then ours stays, harmless)
    context.with = plain;
  }
}

/** `[type, message, stack]` of anything thrown. */
function describe(v: unknown): [unknown, string, unknown] {
  const e = v as { name?: unknown; message?: unknown; stack?: unknown } | null;
  if (e && typeof e == 'object' && typeof e.message == 'string') return [e.name, e.message, e.stack];
  let m: string;
  try {
    m = typeof v == 'string' ? v : (JSON.stringify(v) ?? String(v));
  } catch {
    m = String(v);
  }
  return ['', m, ''];
}

/**
 * The first line of `stack` that names a code location (`:line`): V8 writes
 * `Type: message` first, Firefox and Safari start with the frame; the message itself is skipped
 * because it may contain a colon and digits too.
 */
function firstFrame(stack: string, message: string): string {
  const i = message ? stack.indexOf(message) : -1;
  const rest = i < 0 ? stack : stack.slice(i + message.length);
  for (const l of rest.split('\n')) if (/:\d/.test(l)) return l.trim();
  return '';
}

let active: ErrorsInstrumentation | undefined;
let fallback: ErrorsInstrumentation | undefined;

/**
 * The errors instrumentation: uncaught errors (`error` events) and unhandled promise rejections
 * (`unhandledrejection` events) of the window or worker become log records that follow the
 * semantic conventions for exceptions in logs: event name `exception`, severity ERROR,
 * `exception.type`, `exception.message`, `exception.stacktrace`, in the span the error escaped
 * from (or the active one), so they carry its trace and span ids.
 *
 * Bounded: an identical error (type, message, first stack frame) is reported once per
 * `dedupeWindowMillis`, and at most `maxPerMinute` records go out per minute; what is left out is
 * counted. Transparent: it only listens, never calls `preventDefault`, so the page's own handlers
 * and the console see every error as before. Never throws.
 *
 * Correlation covers errors that escape a `context.with` (a `startActiveSpan` callback, sync) and
 * rejections of the promise such a callback returns (async); otherwise the context active when the
 * event fires. With zone.js (0.16, measured in Chromium), errors thrown later in zone-bound
 * callbacks (timers, listeners) are reported without their span, and rejections of zone.js
 * promises never reach `unhandledrejection` (zone.js logs them itself): report those from the
 * framework's error hook (Angular's `ErrorHandler`) with {@link recordError}.
 *
 * ```ts
 * const errors = errorsInstrumentation();
 * errors.enable();
 * errors.recordError(caught, { 'app.component': 'cart' });
 * ```
 */
export function errorsInstrumentation(options?: ErrorsInstrumentationOptions | null): ErrorsInstrumentation {
  options ||= {};
  const win = numberOption(options, 'dedupeWindowMillis', 60000, 0);
  const max = numberOption(options, 'maxPerMinute', 100, 0);
  const cap = !!options.resourceErrors;
  const logger = (options.loggerProvider ?? logs).getLogger('otelite/errors', VERSION);
  const seen = new Map<string, number>(); // dedupe key → when it may be reported again
  let start = 0; // of the current minute of the rate limit
  let count = 0; // records in it
  let t: EventTarget | undefined;

  /** Reports one error, unless it is a duplicate or over the rate; never throws. */
  function emit(v: unknown, ctx?: Context, attributes?: LogAttributes, ev?: ErrorEvent, res?: string): void {
    try {
      let [name, message, stack] = describe(v);
      let where = firstFrame(typeof stack == 'string' ? stack : '', message);
      const a: LogAttributes = { ...attributes };
      if (res) {
        name = 'ResourceError';
        message = 'Failed to load ' + res;
      } else if (ev && !stack) {
        // `throw 'text'`, or a cross-origin script's "Script error.": the event's location is all there is
        if (v == null) message = ev.message;
        if (ev.filename) {
          where = ev.filename + ':' + ev.lineno + ':' + ev.colno;
          a['code.file.path'] = ev.filename;
          a['code.line.number'] = ev.lineno;
          a['code.column.number'] = ev.colno;
        }
      }
      const now = Date.now();
      const key = name + '\n' + message + '\n' + where;
      if (win) {
        // keys expire in insertion order: drop expired ones and, past the bound, the oldest
        for (const [k, until] of seen) {
          if (until > now && seen.size < MAX_KEYS) break;
          seen.delete(k);
        }
        if (seen.has(key)) return void me.duplicates++;
        seen.set(key, now + win);
      }
      if (now - start >= 60000) {
        start = now;
        count = 0;
      }
      if (count++ >= max) {
        me.dropped++;
        return reportOnce('errors.rate', 'error rate limit hit');
      }
      // the SDK turns `exception` into exception.type/message/stacktrace (attributes given win)
      logger.emit({
        eventName: 'exception',
        severityNumber: res ? 13 : 17,
        severityText: res ? 'WARN' : 'ERROR',
        attributes: a,
        exception: { name, message, stack },
        context: ctx,
      });
    } catch (e) {
      reportOnce('errors.emit', 'errors', e);
    }
  }

  function listener(ev: Event): void {
    const e = ev as ErrorEvent & PromiseRejectionEvent;
    if (e.promise) emit(e.reason, (e.promise as { [CTX]?: Context })[CTX] || ctxs.get(e.reason));
    else if (e.target != e.currentTarget) {
      // capture phase: an element that failed to load
      const el = e.target as { src?: unknown; href?: unknown; localName?: string };
      const url = (typeof el.src == 'string' && el.src) || (typeof el.href == 'string' && el.href) || '';
      if (cap) emit(undefined, undefined, url ? { 'url.full': url } : undefined, undefined, el.localName + (url && ' ' + url));
    } else if (e.error !== undefined || e.message) emit(e.error, ctxs.get(e.error), undefined, e);
    // else: a synthetic `error` event, not an uncaught error
  }

  const me = {
    name: 'errors',
    dropped: 0,
    duplicates: 0,
    enable(): void {
      if (t) return;
      // optional calls: a runtime without a global event target (some edge workers) gets nothing
      t = options.target ?? (globalThis as unknown as EventTarget);
      t.addEventListener?.('error', listener, cap);
      t.addEventListener?.('unhandledrejection', listener);
      note(true);
      active = me;
    },
    disable(): void {
      if (!t) return;
      t.removeEventListener?.('error', listener, cap);
      t.removeEventListener?.('unhandledrejection', listener);
      t = undefined;
      note(false);
      if (active == me) active = undefined;
    },
    recordError(error: unknown, attributes?: LogAttributes): void {
      emit(error, undefined, attributes);
    },
  };
  return me;
}

/**
 * Reports `error` as an `exception` log record (see {@link ErrorsInstrumentation.recordError})
 * through the errors instrumentation enabled last, so it shares its bounds, or through a default
 * one when none is enabled. For caught errors worth reporting: an error boundary, a failed
 * retry. Never throws.
 */
export function recordError(error: unknown, attributes?: LogAttributes): void {
  (active || (fallback ||= errorsInstrumentation())).recordError(error, attributes);
}

/**
 * What both edge adapters do around one invocation: the SERVER span of a `Request` (stable HTTP
 * semantic conventions), or the span of a scheduled/queue invocation, run in its context, ended
 * with the outcome, its spans flushed through the runtime's "keep alive until" hook, and the
 * `Server-Timing` header that lets the page's document-load span join the trace.
 * @packageDocumentation
 */
import { redactUrl } from '../redact';
import { context } from '../../context/api';
import { ROOT_CONTEXT } from '../../context/context';
import type { Context } from '../../context/types';
import { getSpanContext, setSpan } from '../../trace/api';
import type { TextMapGetter, TextMapPropagator } from '../../trace/propagation/types';
import type { ReadableSpan } from '../../trace/sdk-types';
import { isKnownValid, isSpanContextValid } from '../../trace/span-context';
import type { Exception, Link, Span, SpanKind } from '../../trace/types';
import { report } from '../diag';
import { globals } from '../global';
import type { Attributes } from '../types';
import { closeScope, openScope, type EdgeSdk } from './sdk';

/** Reads request headers; a repeated header comes back joined with `, ` (Fetch's `Headers.get`). */
const HEADERS: TextMapGetter<Headers> = {
  keys: (h) => [...h.keys()],
  get: (h, k) => h.get(k) ?? undefined,
};

/** The methods the HTTP conventions know; others are reported as `_OTHER`. */
const KNOWN = /^(CONNECT|DELETE|GET|HEAD|OPTIONS|PATCH|POST|PUT|TRACE)$/;

/** How the adapter keeps the runtime alive for a promise, and lets a timer not hold a process. */
export interface Keep {
  /** `ctx.waitUntil` on Workers */
  w: (p: Promise<unknown>) => void;
  /** unref a timer (Deno) */
  u?: (timer: ReturnType<typeof setTimeout>) => void;
}

/**
 * Handles one invocation, of any kind (the one code path of requests, cron triggers and queue
 * batches): a span with the given name, kind, attributes and links, a child of `parent` (a root
 * of its own trace by default), `call` run in it inside a new request scope; then the span ends
 * with the outcome (an exception is recorded, with `error.type` and status Error; `done` sees
 * the value and may replace it) and the flush of the scope's spans goes to `keep.w`. The value
 * or the exception of `call` comes back unchanged.
 */
export async function serveEvent<T>(
  sdk: EdgeSdk,
  name: string,
  kind: SpanKind,
  attributes: Attributes,
  keep: Keep,
  call: () => T | Promise<T>,
  parent: Context = ROOT_CONTEXT,
  links?: Link[],
  done?: (span: Span, value: T) => T,
): Promise<T> {
  let span: Span;
  let ctx: Context;
  try {
    span = sdk.t.startSpan(name, { kind, attributes, links }, parent);
    ctx = openScope(setSpan(parent, span), keep);
  } catch (e) {
    report(0, 'not traced', e);
    return call();
  }
  const end = (v: T, e?: unknown, failed?: boolean): T => {
    try {
      if (failed) {
        span.recordException(e as Exception);
        span.setAttribute('error.type', String((e && (e as Error).name) || '_OTHER'));
        const msg = e && (e as Error).message;
        span.setStatus({ code: 2, message: typeof msg == 'string' ? msg : undefined });
      } else if (done) v = done(span, v);
      // a route the handler set on the span (`http.route`) names it, as the HTTP conventions
      // say (also when it threw); the spans of other invocations have none
      const r = (span as Partial<ReadableSpan>).attributes?.['http.route'];
      const n = (span as Partial<ReadableSpan>).name;
      if (typeof r == 'string' && n && !n.includes(' ')) span.updateName(n + ' ' + r);
      span.end();
      closeScope(ctx, sdk.f);
    } catch (x) {
      report(0, 'span failed', x);
    }
    return v;
  };
  let v: T;
  try {
    v = await context.with(ctx, call);
  } catch (e) {
    // the very exception, rethrown (end gives back its first argument after a failure)
    throw end(e as T, e, true);
  }
  return end(v);
}

/**
 * An option that may be a function of the request: its value for `req`; undefined when the
 * function throws (reported): the user's hooks must not break a request.
 */
function hook<T>(v: T | ((req: Request) => T), req: Request): T | undefined {
  try {
    return typeof v == 'function' ? (v as (req: Request) => T)(req) : v;
  } catch (e) {
    report(0, 'config hook failed', e);
  }
}

/**
 * Handles one HTTP request: a SERVER span parented to the request's `traceparent` (or to
 * `parent`, or a new trace with a link when remote context is not accepted), `call` run in it,
 * the response returned as it came, except for `Server-Timing` (see `EdgeConfig.serverTiming`).
 *
 * @param client - `client.address` (Cloudflare's `cf-connecting-ip`, Deno's remote address)
 * @param parent - a context to use instead of the request's headers (Deno's own telemetry)
 */
export function serveRequest(
  sdk: EdgeSdk,
  req: Request,
  keep: Keep,
  call: () => Response | Promise<Response>,
  client?: string | null,
  extra?: Attributes,
  parent?: Context,
): Promise<Response> {
  const o = sdk.o;
  let links: Link[] | undefined;
  let a: Attributes;
  let name: string;
  try {
    const h = req.headers;
    const u = new URL(req.url);
    const m = req.method;
    const known = KNOWN.test(m);
    if (!parent) {
      // the registered propagator itself: the propagation API object is not needed here
      parent = (globals().p as TextMapPropagator | undefined)?.extract(ROOT_CONTEXT, h, HEADERS) || ROOT_CONTEXT;
      // a throwing decision refuses
      if (!hook(o.acceptRemoteContext, req)) {
        // a new trace, linked to the caller's span so that the two can still be related
        const sc = getSpanContext(parent);
        links = isSpanContextValid(sc) ? [{ context: sc }] : undefined;
        parent = ROOT_CONTEXT;
      }
    }
    const route = hook(o.route, req) || undefined;
    // empty values are left out (the span drops undefined ones)
    a = {
      ...extra,
      'http.request.method': known ? m : '_OTHER',
      'http.request.method_original': known ? undefined : m,
      'url.scheme': u.protocol.slice(0, -1),
      'url.path': u.pathname,
      'url.query': (o.captureQuery && u.search && redactUrl(u.search).slice(1)) || undefined,
      'server.address': u.hostname.replace(/[[\]]/g, ''),
      'server.port': +u.port || (u.protocol == 'https:' ? 443 : 80),
      'user_agent.original': h.get('user-agent') || undefined,
      'client.address': client || undefined,
      'http.route': route,
    };
    name = (known ? m : 'HTTP') + (route ? ' ' + route : '');
  } catch (e) {
    report(0, 'not traced', e);
    return Promise.resolve().then(call);
  }
  return serveEvent(sdk, name, 1, a, keep, call, parent, links, (span, res) => {
    if (res instanceof Response) {
      span.setAttribute('http.response.status_code', res.status);
      // status Error for 5xx only: 4xx is the client's error on a server (HTTP conventions)
      if (res.status > 499) {
        span.setAttribute('error.type', '' + res.status);
        span.setStatus({ code: 2 });
      }
    }
    return serverTiming(res, span, o.serverTiming);
  });
}

/** A `Server-Timing` entry that names a traceparent already. */
const HAS_TP = /(^|,)\s*traceparent\s*(;|,|$)/i;

/**
 * `res` with `Server-Timing: traceparent;desc="00-{traceId}-{spanId}-{flags}"` appended, when
 * `mode` asks for it. Headers are changed in place when they can be; when they are immutable (a
 * response straight from `fetch`), a new Response over the same body stream is made: the body
 * is never read. Protocol switches (101, WebSockets) are left alone.
 */
export function serverTiming(res: Response, span: Span, mode: boolean | 'html'): Response {
  try {
    const sc = span.spanContext();
    const h = res.headers;
    if (
      !mode ||
      // a protocol switch (a WebSocket: workerd and Deno answer those with 101)
      res.status == 101 ||
      !isKnownValid(sc) ||
      // `null` (no header) tests as the string "null", which matches neither
      (mode == 'html' && !/^\s*text\/html/i.test(h.get('content-type') as string)) ||
      HAS_TP.test(h.get('server-timing') as string)
    ) {
      return res;
    }
    const v = `traceparent;desc="00-${sc.traceId}-${sc.spanId}-0${sc.traceFlags & 3}"`;
    try {
      h.append('server-timing', v);
      return res;
    } catch {
      const copy = new Response(res.body, res);
      copy.headers.append('server-timing', v);
      return copy;
    }
  } catch (e) {
    report(0, 'Server-Timing not added', e);
    return res;
  }
}

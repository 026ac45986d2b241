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
import { propagation } from '../../trace/propagation/api';
import type { TextMapGetter } from '../../trace/propagation/types';
import type { ReadableSpan } from '../../trace/sdk-types';
import { isSpanContextValid } from '../../trace/span-context';
import type { Exception, Link, Span, SpanKind } from '../../trace/types';
import { report } from '../diag';
import type { Attributes } from '../types';
import { closeScope, openScope, type EdgeSdk } from './sdk';

/** Reads request headers; a repeated header comes back joined with `, ` (Fetch's `Headers.get`). */
const HEADERS: TextMapGetter<Headers> = {
  keys: (h) => [...h.keys()],
  get: (h, k) => h.get(k) ?? undefined,
};

/** The methods the HTTP conventions know; others are reported as `_OTHER`. */
const KNOWN = /^(CONNECT|DELETE|GET|HEAD|OPTIONS|PATCH|POST|PUT|TRACE)$/;
/** Query values the conventions say to redact by default (signed-URL secrets). */

/** How the adapter keeps the runtime alive for a promise, and lets a timer not hold a process. */
export interface Keep {
  /** `ctx.waitUntil` on Workers */
  w: (p: Promise<unknown>) => void;
  /** unref a timer (Deno) */
  u?: (timer: ReturnType<typeof setTimeout>) => void;
}

/**
 * Runs `call` inside `span` (already started in `parent`), in a new request scope, then ends the
 * span with the outcome (`done` sees the value, or nothing on an exception, which is recorded)
 * and hands the flush of the scope's spans to `keep.w`. The value or the exception of `call`
 * comes back unchanged.
 */
async function within<T>(
  sdk: EdgeSdk,
  span: Span,
  parent: Context,
  keep: Keep,
  call: () => T | Promise<T>,
  done?: (span: Span, value?: T) => void,
): Promise<T> {
  const ctx = openScope(setSpan(parent, span), keep.w, keep.u);
  let v: T | undefined;
  let e: unknown;
  let failed = false;
  try {
    return (v = await context.with(ctx, call));
  } catch (x) {
    failed = true;
    throw (e = x);
  } finally {
    try {
      if (failed) {
        span.recordException(e as Exception);
        span.setAttribute('error.type', String((e && (e as Error).name) || '_OTHER'));
        const msg = e && (e as Error).message;
        span.setStatus({ code: 2, message: typeof msg == 'string' ? msg : undefined });
      }
      done?.(span, v);
      span.end();
      closeScope(ctx, sdk.f);
    } catch (x) {
      report(0, 'edge span failed', x);
    }
  }
}

/** `fn(req)`, or `d` when it throws (reported): the user's hooks must not break a request. */
function hook<T>(fn: ((req: Request) => T) | undefined, req: Request, d?: T): T | undefined {
  try {
    return fn ? fn(req) : d;
  } catch (e) {
    report(0, 'config hook failed', e);
    return d;
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
  let span: Span;
  try {
    const o = sdk.o;
    const h = req.headers;
    const u = new URL(req.url);
    const m = req.method;
    const known = KNOWN.test(m);
    let links: Link[] | undefined;
    if (!parent) {
      parent = propagation.extract(ROOT_CONTEXT, h, HEADERS);
      const accept = o.acceptRemoteContext;
      if (!(typeof accept == 'function' ? hook(accept, req, false) : accept)) {
        // a new trace, linked to the caller's span so that the two can still be related
        const sc = getSpanContext(parent);
        links = isSpanContextValid(sc) ? [{ context: sc }] : undefined;
        parent = ROOT_CONTEXT;
      }
    }
    const route = hook(o.route, req) || undefined;
    // empty values are left out (the span drops undefined ones)
    const a: Attributes = {
      ...extra,
      'http.request.method': known ? m : '_OTHER',
      'http.request.method_original': known ? undefined : m,
      'url.scheme': u.protocol.slice(0, -1),
      'url.path': u.pathname,
      'url.query': (o.captureQuery && u.search && redactUrl(u.search).slice(1)) || undefined,
      'server.address': u.hostname.replace(/^\[(.*)\]$/, '$1'),
      'server.port': +u.port || (u.protocol == 'https:' ? 443 : 80),
      'user_agent.original': h.get('user-agent') || undefined,
      'client.address': client || undefined,
      'http.route': route,
    };
    span = sdk.t.startSpan((known ? m : 'HTTP') + (route ? ' ' + route : ''), { kind: 1, attributes: a, links }, parent);
  } catch (e) {
    report(0, 'request not traced', e);
    return Promise.resolve().then(call);
  }
  return within(sdk, span, parent, keep, call, onResponse).then((res) => serverTiming(res, span, sdk.o.serverTiming));
}

/** Records the response: its status, and status Error for 5xx (4xx is the client's error on a server). */
function onResponse(span: Span, res?: Response): void {
  if (res instanceof Response) {
    span.setAttribute('http.response.status_code', res.status);
    if (res.status > 499) {
      span.setAttribute('error.type', '' + res.status);
      span.setStatus({ code: 2 });
    }
  }
  // a route the handler set on the span (`http.route`) names it, as the conventions say
  const r = (span as Partial<ReadableSpan>).attributes?.['http.route'];
  const name = (span as Partial<ReadableSpan>).name;
  if (typeof r == 'string' && name && !name.includes(' ')) span.updateName(name + ' ' + r);
}

/**
 * Handles a non-HTTP invocation (a cron trigger, a queue batch): a span with the given name,
 * kind and attributes, a root of its own trace.
 */
export function serveEvent<T>(
  sdk: EdgeSdk,
  name: string,
  kind: SpanKind,
  attributes: Attributes,
  keep: Keep,
  call: () => T | Promise<T>,
): Promise<T> {
  let span: Span;
  try {
    span = sdk.t.startSpan(name, { kind, attributes }, ROOT_CONTEXT);
  } catch (e) {
    report(0, 'event not traced', e);
    return Promise.resolve().then(call);
  }
  return within(sdk, span, ROOT_CONTEXT, keep, call);
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
      res.status == 101 ||
      (res as { webSocket?: unknown }).webSocket ||
      !isSpanContextValid(sc) ||
      (mode == 'html' && !/^\s*text\/html/i.test(h.get('content-type') || '')) ||
      HAS_TP.test(h.get('server-timing') || '')
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

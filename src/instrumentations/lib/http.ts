import type { Context } from '../../context/types';
import type { Attributes } from '../../lib/types';
import type { Span, Tracer } from '../../trace/types';

/*
 * HTTP client span attributes of the stable semantic conventions:
 * https://github.com/open-telemetry/semantic-conventions/blob/main/docs/http/http-spans.md
 */

/** The methods the conventions know (RFC 9110 + PATCH); they are case-sensitive. */
const KNOWN = /^(CONNECT|DELETE|GET|HEAD|OPTIONS|PATCH|POST|PUT|TRACE)$/;
/** The methods fetch and XHR upper-case before sending (the Fetch standard's "normalize"). */
const NORMALIZED = /^(DELETE|GET|HEAD|OPTIONS|POST|PUT)$/i;
/** Query values the conventions say to redact by default (signed-URL secrets). */
const SECRETS = /([?&](?:AWSAccessKeyId|Signature|sig|X-Goog-Signature)=)[^&#]*/g;

/**
 * Starts the CLIENT span of a request to `u` in `ctx`, with the attributes samplers need at
 * start: `http.request.method` (`_OTHER` plus `http.request.method_original` and span name
 * `HTTP` for a method the conventions do not know), `url.full` (credentials and signed-URL
 * secrets redacted), `server.address` and `server.port` (required, so the scheme's default
 * port when the URL has none).
 */
export function startHttpSpan(tracer: Tracer, method: string, u: URL, ctx: Context): Span {
  // the method as it goes on the wire: fetch and XHR upper-case these six, and only these
  if (NORMALIZED.test(method)) method = method.toUpperCase();
  const known = KNOWN.test(method);
  let full = u.href;
  if (u.username || u.password) full = full.replace(/\/\/[^@]*@/, '//REDACTED:REDACTED@');
  const a: Attributes = {
    'http.request.method': known ? method : '_OTHER',
    'url.full': u.search ? full.replace(SECRETS, '$1REDACTED') : full,
    'server.address': u.hostname.replace(/^\[(.*)\]$/, '$1'),
    'server.port': +u.port || (u.protocol == 'https:' ? 443 : 80),
  };
  if (!known) a['http.request.method_original'] = method;
  return tracer.startSpan(known ? method : 'HTTP', { kind: 2, attributes: a }, ctx);
}

/**
 * Records how a request ended: the response status (0: none was received) and, for a failure,
 * `error.type` (the status code for 4xx/5xx, else the given exception name) with status Error.
 * No exception event: the conventions advise against one for an error returned to the caller.
 */
export function outcome(span: Span, status: number, error?: unknown, message?: unknown): void {
  if (status) span.setAttribute('http.response.status_code', status);
  if (status >= 400) error = status;
  if (error) {
    span.setAttribute('error.type', '' + error);
    span.setStatus({ code: 2, message: typeof message == 'string' ? message : undefined });
  }
}

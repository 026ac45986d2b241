/**
 * An OTLP/HTTP JSON receiver for tests and for local development (the demo's collector).
 * Plain `node:http`, no dependencies besides the schema check.
 *
 * - `POST /v1/traces`, `/v1/metrics`, `/v1/logs` with `application/json` or `text/plain`
 *   (the beacon transport), gzip with `Content-Encoding: gzip` or detected by its magic bytes
 *   (beacons cannot set headers).
 * - Every payload is validated against the official OTLP schema (`otlp-schema.ts`); the errors
 *   are recorded per request and, with `rejectInvalid`, answered with 400.
 * - CORS for a configured list of origins, `*`, or none (refuse).
 * - Scriptable answers: status codes, `Retry-After`, `partialSuccess`, delays, hanging forever,
 *   destroying the socket.
 * - Records every request: method, path, headers, size on the wire, gzip or not, decoded body,
 *   schema errors, the answer given and when.
 * - `GET /health`.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse, IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { validateOtlp } from './otlp-schema';
import type { Signal } from './otlp-schema';
import { flattenLogs, flattenMetrics, flattenSpans } from './otlp-json';
import type { FlatLog, FlatMetric, FlatSpan } from './otlp-json';

export type { Signal } from './otlp-schema';

/** CORS policy of the receiver. `cors: false` refuses every cross-origin request. */
export interface CorsOptions {
  /** allowed origins: `'*'`, a list, or a predicate */
  origins: '*' | readonly string[] | ((origin: string) => boolean);
  /**
   * Answer `Access-Control-Allow-Credentials: true` and echo the origin instead of `*`:
   * needed by beacons with a non-safelisted type (they always send credentials).
   */
  credentials?: boolean;
  /** request headers allowed besides `content-type` and `content-encoding` */
  allowHeaders?: readonly string[];
  /** `Access-Control-Max-Age` in seconds (absent: Chromium caches a preflight 5 s) */
  maxAge?: number;
}

/** How the receiver answers one export request. A number is a bare status code. */
export type Scripted =
  | number
  | {
      /** default 200 */
      status?: number;
      headers?: Record<string, string>;
      /** response body; an object is sent as JSON */
      body?: string | object;
      /** sets `Retry-After` (seconds, or an HTTP date string) */
      retryAfter?: number | string;
      /** answers 200 with a `partialSuccess` body for the request's signal */
      partialSuccess?: { rejected: number; message?: string };
      /** wait this long before answering */
      delayMs?: number;
      /** never answer (the socket stays open until the client gives up or the receiver closes) */
      hang?: boolean;
      /** destroy the socket instead of answering (a network error for the client) */
      destroy?: boolean;
    };

/** Decides the answer to an export request when the script queue is empty. */
export type Responder = (req: Received) => Scripted | undefined;

/** The answer given to a request. */
export interface ResponseRecord {
  kind: 'sent' | 'hang' | 'destroy';
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** epoch ms when answered (or hung up / destroyed) */
  time: number;
}

/** One recorded request. */
export interface Received {
  /** 1-based arrival number across all requests */
  id: number;
  /** epoch ms when the body was fully read */
  time: number;
  method: string;
  /** path without query */
  path: string;
  query: string;
  /** for `POST /v1/{signal}` */
  signal?: Signal;
  headers: IncomingHttpHeaders;
  origin?: string;
  /** media type without parameters, lowercased */
  contentType?: string;
  contentEncoding?: string;
  /** body bytes on the wire */
  rawSize: number;
  /** the body was gzip (by header or by magic bytes) */
  gzip: boolean;
  /** decoded body size */
  size: number;
  /** parsed JSON body (exports only) */
  body?: unknown;
  /** decoding and schema errors; empty when the payload is valid */
  errors: string[];
  /** a CORS preflight (`OPTIONS`) */
  preflight: boolean;
  /** the answer; set once given */
  response?: ResponseRecord;
}

/** Options of {@link startReceiver}. All can be changed later with `set()`. */
export interface ReceiverOptions {
  /** default `{ origins: '*' }`; `false` refuses cross-origin requests */
  cors?: CorsOptions | false;
  /** validate payloads against the OTLP schema (default true) */
  validate?: boolean;
  /** answer 400 to payloads with schema errors (default false: record and accept) */
  rejectInvalid?: boolean;
  /** largest body accepted, before and after gunzip (default 16 MiB); bigger gets 413 */
  maxBodyBytes?: number;
  /** default 127.0.0.1 */
  host?: string;
  /** default 0 (any free port) */
  port?: number;
  /** called after each request is recorded (e.g. to push it to a UI) */
  onRequest?: (r: Received) => void;
  /**
   * Handles requests the receiver has no route for; return true when handled.
   * For extra pages of a dev tool.
   */
  fallback?: (req: IncomingMessage, res: ServerResponse) => boolean | void;
}

/** Selects which recorded exports the flattening helpers read. */
export interface SelectOptions {
  /** include exports the receiver did not accept (non-2xx, hung, destroyed); default false */
  all?: boolean;
  /** only what this `service.name` sent */
  service?: string;
}

/** A running receiver. */
export interface Receiver {
  /** base URL, e.g. `http://127.0.0.1:41234` (the exporter's `endpoint`) */
  url: string;
  /** same as `url`: scheme, host and port */
  origin: string;
  port: number;
  /** every request, preflights and health checks included */
  requests: Received[];
  /** export requests only (`POST /v1/{signal}`) */
  received: Received[];
  /** `url` + `/v1/{signal}` */
  signalUrl(signal: Signal): string;
  /** spans of accepted exports, flattened */
  spans(opts?: SelectOptions): FlatSpan<Received>[];
  /** metrics of accepted exports, flattened */
  metrics(opts?: SelectOptions): FlatMetric<Received>[];
  /** log records of accepted exports, flattened */
  logs(opts?: SelectOptions): FlatLog<Received>[];
  /** every decoding/schema error of every export, prefixed with `#id path` */
  errors(): string[];
  /**
   * Resolves with the predicate's first truthy result, re-checked after every request and
   * every 50 ms; rejects after `timeoutMs` (default 5000) with a summary of what arrived.
   */
  waitFor<T>(predicate: (r: Receiver) => T | undefined | null | false | 0 | '', timeoutMs?: number): Promise<T>;
  /** queues answers for the next export requests, in order */
  script(...answers: Scripted[]): void;
  /** sets (or clears) the answer for export requests when the queue is empty */
  respondWith(responder: Responder | undefined): void;
  /** changes options (cors, validate, rejectInvalid, maxBodyBytes, onRequest, fallback) */
  set(opts: Partial<ReceiverOptions>): void;
  /** forgets recorded requests, the script queue and the responder */
  reset(): void;
  /** stops listening and drops open connections (hung requests included) */
  close(): Promise<void>;
}

const SIGNAL_PATH = /^\/v1\/(traces|metrics|logs)\/?$/;
const REJECTED_KEY: Record<Signal, string> = {
  traces: 'rejectedSpans',
  metrics: 'rejectedDataPoints',
  logs: 'rejectedLogRecords',
};

/** Starts a receiver on 127.0.0.1 (any free port unless told). */
export async function startReceiver(options: ReceiverOptions = {}): Promise<Receiver> {
  const opts: ReceiverOptions = { cors: { origins: '*' }, validate: true, maxBodyBytes: 16 << 20, ...options };
  const requests: Received[] = [];
  const received: Received[] = [];
  const queue: Scripted[] = [];
  let responder: Responder | undefined;
  let seq = 0;
  const listeners = new Set<() => void>();
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  let closed = false;

  const notify = () => listeners.forEach((l) => l());

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > opts.maxBodyBytes!) tooBig = true;
      else chunks.push(c);
    });
    req.on('end', () => {
      try {
        handle(req, res, Buffer.concat(chunks), size, tooBig);
      } catch (e) {
        // a bug in the receiver: answer 500 rather than hang the client
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end(String(e));
      }
    });
    req.on('error', () => {});
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  function corsHeaders(origin: string | undefined): Record<string, string> | undefined {
    const cors = opts.cors;
    if (!origin) return {};
    if (!cors) return undefined;
    const o = cors.origins;
    const ok = o === '*' || (typeof o === 'function' ? o(origin) : o.includes(origin));
    if (!ok) return undefined;
    const h: Record<string, string> = {
      'access-control-allow-origin': o === '*' && !cors.credentials ? '*' : origin,
      vary: 'Origin',
    };
    if (cors.credentials) h['access-control-allow-credentials'] = 'true';
    return h;
  }

  function record(r: Received): void {
    requests.push(r);
    if (r.signal && r.method === 'POST') received.push(r);
    try {
      opts.onRequest?.(r);
    } catch {
      // a listener's bug must not break the receiver
    }
  }

  function send(r: Received, res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
    r.response = { kind: 'sent', status, headers, body, time: Date.now() };
    res.writeHead(status, headers).end(body);
    notify();
  }

  function handle(req: IncomingMessage, res: ServerResponse, raw: Buffer, rawSize: number, tooBig: boolean): void {
    const u = new URL(req.url ?? '/', 'http://x');
    const m = SIGNAL_PATH.exec(u.pathname);
    const origin = req.headers.origin;
    const r: Received = {
      id: ++seq,
      time: Date.now(),
      method: req.method ?? 'GET',
      path: u.pathname,
      query: u.search,
      signal: m ? (m[1] as Signal) : undefined,
      headers: req.headers,
      origin,
      contentType: req.headers['content-type']?.split(';')[0]!.trim().toLowerCase() || undefined,
      contentEncoding: req.headers['content-encoding']?.trim().toLowerCase() || undefined,
      rawSize,
      gzip: false,
      size: raw.length,
      errors: [],
      preflight: false,
    };
    const cors = corsHeaders(origin);

    if (r.method === 'OPTIONS') {
      r.preflight = true;
      record(r);
      if (!cors) return send(r, res, 403, { 'content-type': 'text/plain' }, `origin ${origin} not allowed`);
      const allow = ['content-type', 'content-encoding', ...((opts.cors && opts.cors.allowHeaders) || [])];
      const h: Record<string, string> = {
        ...cors,
        'access-control-allow-methods': 'POST',
        'access-control-allow-headers': allow.join(', '),
      };
      if (opts.cors && opts.cors.maxAge !== undefined) h['access-control-max-age'] = String(opts.cors.maxAge);
      return send(r, res, 204, h, '');
    }

    const json = { 'content-type': 'application/json', ...cors };
    if (r.path === '/health' && (r.method === 'GET' || r.method === 'HEAD')) {
      record(r);
      return send(r, res, 200, json, '{"status":"ok"}');
    }
    if (!r.signal) {
      record(r);
      if (opts.fallback?.(req, res)) {
        r.response = { kind: 'sent', status: res.statusCode, time: Date.now() };
        return notify();
      }
      return send(r, res, 404, { 'content-type': 'text/plain', ...cors }, 'not found');
    }
    if (r.method !== 'POST') {
      record(r);
      return send(r, res, 405, { allow: 'POST', 'content-type': 'text/plain', ...cors }, 'use POST');
    }

    // decode: errors here are the client's, answered like a collector would
    const fail = (status: number, msg: string) => {
      r.errors.push(msg);
      record(r);
      send(r, res, status, json, JSON.stringify({ code: 3, message: msg }));
    };
    if (tooBig) return fail(413, `body over ${opts.maxBodyBytes} bytes`);
    const enc = r.contentEncoding;
    if (enc && enc !== 'gzip' && enc !== 'identity') return fail(415, `unsupported Content-Encoding: ${enc}`);
    if (r.contentType !== 'application/json' && r.contentType !== 'text/plain')
      return fail(415, `unsupported Content-Type: ${req.headers['content-type'] ?? '(none)'} (expected application/json, or text/plain for beacons)`);
    let bytes = raw;
    const magic = raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b;
    if (enc === 'gzip' && !magic) return fail(400, 'Content-Encoding: gzip but the body is not gzip');
    if (magic) {
      try {
        bytes = gunzipSync(raw, { maxOutputLength: opts.maxBodyBytes });
      } catch (e) {
        return fail(400, `gzip body does not decompress: ${(e as Error).message}`);
      }
      r.gzip = true;
      r.size = bytes.length;
    }
    try {
      r.body = JSON.parse(bytes.toString('utf8'));
    } catch (e) {
      return fail(400, `body is not JSON: ${(e as Error).message}`);
    }
    if (opts.validate) r.errors.push(...validateOtlp(r.signal, r.body));
    record(r);
    if (r.errors.length && opts.rejectInvalid)
      return send(r, res, 400, json, JSON.stringify({ code: 3, message: r.errors.join('; ') }));

    const answer = queue.length ? queue.shift()! : (responder?.(r) ?? 200);
    const a = typeof answer === 'number' ? { status: answer } : answer;
    if (a.hang) {
      r.response = { kind: 'hang', time: Date.now() };
      return notify();
    }
    if (a.destroy) {
      r.response = { kind: 'destroy', time: Date.now() };
      req.socket.destroy();
      return notify();
    }
    const headers: Record<string, string> = { ...json, ...a.headers };
    if (a.retryAfter !== undefined) headers['retry-after'] = String(a.retryAfter);
    let body = typeof a.body === 'string' ? a.body : JSON.stringify(a.body ?? {});
    if (a.partialSuccess) {
      const ps: Record<string, string> = { [REJECTED_KEY[r.signal]]: String(a.partialSuccess.rejected) };
      if (a.partialSuccess.message) ps.errorMessage = a.partialSuccess.message;
      body = JSON.stringify({ partialSuccess: ps });
    }
    const status = a.status ?? 200;
    if (!a.delayMs) return send(r, res, status, headers, body);
    const t = setTimeout(() => {
      timers.delete(t);
      if (!res.destroyed) send(r, res, status, headers, body);
    }, a.delayMs);
    timers.add(t);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${opts.host ?? '127.0.0.1'}:${port}`;

  const accepted = (r: Received, o?: SelectOptions) =>
    o?.all || (r.response?.kind === 'sent' && r.response.status! >= 200 && r.response.status! < 300);
  /** `items` of `o.service` (all when none is named) */
  const of = <T extends { resource: Record<string, unknown> }>(o: SelectOptions | undefined, items: T[]): T[] =>
    o?.service === undefined ? items : items.filter((x) => x.resource['service.name'] === o.service);

  const rcv: Receiver = {
    url,
    origin: url,
    port,
    requests,
    received,
    signalUrl: (s) => `${url}/v1/${s}`,
    spans: (o) => of(o, received.filter((r) => r.signal === 'traces' && accepted(r, o)).flatMap((r) => flattenSpans(r.body, r))),
    metrics: (o) => of(o, received.filter((r) => r.signal === 'metrics' && accepted(r, o)).flatMap((r) => flattenMetrics(r.body, r))),
    logs: (o) => of(o, received.filter((r) => r.signal === 'logs' && accepted(r, o)).flatMap((r) => flattenLogs(r.body, r))),
    errors: () => received.flatMap((r) => r.errors.map((e) => `#${r.id} ${r.path}: ${e}`)),
    waitFor(predicate, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        let last: unknown;
        const check = () => {
          try {
            const v = predicate(rcv);
            if (v) {
              done();
              resolve(v);
            }
          } catch (e) {
            last = e;
          }
        };
        const poll = setInterval(check, 50);
        const timeout = setTimeout(() => {
          done();
          const lines = requests.map(
            (r) => `  #${r.id} ${r.method} ${r.path} ${r.response ? (r.response.status ?? r.response.kind) : '(pending)'}${r.errors.length ? ` errors: ${r.errors.length}` : ''}`,
          );
          const why = last ? `\nlast predicate error: ${(last as Error).message}` : '';
          reject(new Error(`receiver.waitFor timed out after ${timeoutMs} ms; ${requests.length} requests:\n${lines.join('\n')}${why}`));
        }, timeoutMs);
        const done = () => {
          clearInterval(poll);
          clearTimeout(timeout);
          listeners.delete(check);
          listeners.delete(onClose);
        };
        const onClose = () => {
          if (!closed) return;
          done();
          reject(new Error('receiver closed while waiting'));
        };
        listeners.add(check);
        listeners.add(onClose);
        check();
      });
    },
    script: (...answers) => void queue.push(...answers),
    respondWith: (fn) => void (responder = fn),
    set: (o) => void Object.assign(opts, o),
    reset() {
      requests.length = 0;
      received.length = 0;
      queue.length = 0;
      responder = undefined;
    },
    async close() {
      if (closed) return;
      closed = true;
      notify();
      timers.forEach(clearTimeout);
      timers.clear();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      sockets.forEach((s) => s.destroy());
      server.closeAllConnections();
      await done;
    },
  };
  return rcv;
}

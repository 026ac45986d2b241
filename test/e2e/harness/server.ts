/**
 * A static and API server for browser tests, on 127.0.0.1 (any free port).
 *
 * - `/dist/...` serves the built bundles from `distDir` (default `<repo>/dist`).
 * - Test pages and scripts at any path, given as strings or files, with per-route headers
 *   (Content-Security-Policy, Server-Timing, Timing-Allow-Origin, ...).
 * - API routes pages can call: `/api/echo` (answers the request it got, headers included, so tests
 *   see injected `traceparent`), `/api/status/{code}`, `/api/delay/{ms}`.
 * - Optional CORS so one server can play the "second origin" (two servers = two origins).
 * - Records every request (method, path, headers).
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is test/e2e/harness/server.ts). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

/** One route. A plain string is a body whose type comes from the path's extension. */
export interface Route {
  /** response body (string or bytes) */
  body?: string | Uint8Array;
  /** or a file to read on every request (so rebuilt files are picked up) */
  file?: string;
  /** Content-Type; default from the path's extension (`.html`, `.js`, `.json`, `.css`, ...) */
  type?: string;
  /** default 200 */
  status?: number;
  /** extra response headers, e.g. `{ 'Content-Security-Policy': "script-src 'self'" }` */
  headers?: Record<string, string>;
  /** full control instead of a static answer */
  handler?: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void | Promise<void>;
}

/** CORS of the server for cross-origin API calls. */
export interface ServerCors {
  /** allowed origins (`'*'` or a list) */
  origins: '*' | readonly string[];
  /** allowed request headers; default: whatever the preflight asks for */
  allowHeaders?: readonly string[] | 'reflect';
  /** send `Access-Control-Allow-Credentials: true` (echoes the origin instead of `*`) */
  credentials?: boolean;
  /** `Access-Control-Expose-Headers` */
  exposeHeaders?: readonly string[];
  /** add `Timing-Allow-Origin: *` to every answer */
  timingAllowOrigin?: boolean;
}

/** Options of {@link startServer}. */
export interface ServerOptions {
  /** directory served at `/dist/` (default `<repo>/dist`) */
  distDir?: string;
  /** routes by exact path (without query) */
  routes?: Record<string, Route | string>;
  /** CORS for every route (default none: same-origin only) */
  cors?: ServerCors;
  /** headers added to every answer */
  headers?: Record<string, string>;
}

/** A request the server got. */
export interface ServedRequest {
  time: number;
  method: string;
  path: string;
  query: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A running server. */
export interface TestServer {
  /** origin, e.g. `http://127.0.0.1:41234` (no trailing slash) */
  url: string;
  origin: string;
  port: number;
  /** every request, in order */
  requests: ServedRequest[];
  /** `url` + path */
  at(path: string): string;
  /** adds or replaces a route */
  route(path: string, route: Route | string): void;
  /** changes the CORS policy */
  setCors(cors: ServerCors | undefined): void;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.css': 'text/css',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};
const typeOf = (path: string) => TYPES[extname(path)] ?? 'application/octet-stream';

/** Wraps body HTML into a document. Scripts are `<script src>` tags (strict-CSP friendly). */
export function htmlPage(opts: { title?: string; head?: string; body?: string; scripts?: string[]; modules?: string[] }): string {
  const tags = [
    ...(opts.scripts ?? []).map((s) => `<script src="${s}"></script>`),
    ...(opts.modules ?? []).map((s) => `<script type="module" src="${s}"></script>`),
  ];
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${opts.title ?? 'test'}</title>${opts.head ?? ''}</head>
<body>${opts.body ?? ''}
${tags.join('\n')}
</body></html>`;
}

/** Starts a server on 127.0.0.1 (any free port). */
export async function startServer(options: ServerOptions = {}): Promise<TestServer> {
  const distDir = resolve(options.distDir ?? join(REPO_ROOT, 'dist'));
  const routes = new Map<string, Route>();
  const requests: ServedRequest[] = [];
  const sockets = new Set<Socket>();
  let cors = options.cors;
  for (const [p, r] of Object.entries(options.routes ?? {})) routes.set(p, typeof r === 'string' ? { body: r } : r);

  function corsHeaders(req: IncomingMessage): Record<string, string> {
    const h: Record<string, string> = {};
    if (cors?.timingAllowOrigin) h['timing-allow-origin'] = '*';
    const origin = req.headers.origin;
    if (!cors || !origin) return h;
    if (cors.origins !== '*' && !cors.origins.includes(origin)) return h;
    h['access-control-allow-origin'] = cors.origins === '*' && !cors.credentials ? '*' : origin;
    h.vary = 'Origin';
    if (cors.credentials) h['access-control-allow-credentials'] = 'true';
    if (cors.exposeHeaders?.length) h['access-control-expose-headers'] = cors.exposeHeaders.join(', ');
    return h;
  }

  async function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const u = new URL(req.url ?? '/', 'http://x');
    const path = u.pathname;
    requests.push({ time: Date.now(), method: req.method ?? 'GET', path, query: u.search, headers: req.headers, body: body.toString('utf8') });
    const base = { ...options.headers, ...corsHeaders(req) };
    const reply = (status: number, type: string, data: string | Uint8Array, extra?: Record<string, string>) =>
      void res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...base, ...extra }).end(data);

    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      const h: Record<string, string> = { ...base };
      if (h['access-control-allow-origin']) {
        h['access-control-allow-methods'] = 'GET, POST, PUT, PATCH, DELETE, HEAD';
        const ah = cors?.allowHeaders ?? 'reflect';
        const asked = req.headers['access-control-request-headers'];
        const v = ah === 'reflect' ? asked : ah.join(', ');
        if (v) h['access-control-allow-headers'] = v;
      }
      return void res.writeHead(204, h).end();
    }

    const route = routes.get(path);
    if (route) {
      if (route.handler) return route.handler(req, res, body);
      const data = route.file ? await readFile(route.file) : (route.body ?? '');
      return reply(route.status ?? 200, route.type ?? typeOf(route.file ?? path), data, route.headers);
    }
    if (path.startsWith('/dist/')) {
      const file = normalize(join(distDir, decodeURIComponent(path.slice('/dist/'.length))));
      if (!file.startsWith(distDir + sep)) return reply(403, 'text/plain', 'forbidden');
      try {
        return reply(200, typeOf(file), await readFile(file));
      } catch {
        return reply(404, 'text/plain', `not found: ${path} (is dist/ built? run npm run build)`);
      }
    }
    if (path === '/api/echo') {
      const echo = { method: req.method, path, query: u.search, headers: req.headers, body: body.toString('utf8') };
      return reply(200, 'application/json', JSON.stringify(echo));
    }
    const status = /^\/api\/status\/(\d{3})$/.exec(path);
    if (status) return reply(Number(status[1]), 'application/json', JSON.stringify({ status: Number(status[1]) }));
    const delay = /^\/api\/delay\/(\d+)$/.exec(path);
    if (delay) {
      await new Promise((r) => setTimeout(r, Number(delay[1])));
      return reply(200, 'application/json', JSON.stringify({ delayed: Number(delay[1]) }));
    }
    if (path === '/health') return reply(200, 'application/json', '{"status":"ok"}');
    if (path === '/favicon.ico') return void res.writeHead(204, base).end();
    return reply(404, 'text/plain', `not found: ${path}`);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks)).catch((e) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(e));
      });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    origin: url,
    port,
    requests,
    at: (p) => url + (p.startsWith('/') ? p : `/${p}`),
    route: (p, r) => void routes.set(p, typeof r === 'string' ? { body: r } : r),
    setCors: (c) => void (cors = c),
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        sockets.forEach((s) => s.destroy());
        server.closeAllConnections();
      }),
  };
}

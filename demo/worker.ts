/**
 * The demo's backend-for-frontend: a Cloudflare Worker (run in workerd through miniflare)
 * instrumented with otelite/cloudflare. It continues the page's trace (incoming `traceparent`)
 * and carries it on to the inventory service. Its exporter endpoint comes from the
 * `OTEL_EXPORTER_OTLP_ENDPOINT` binding, as on Cloudflare.
 */
import { instrument } from 'otelite/cloudflare';

interface Env {
  /** the inventory service (Deno) */
  INVENTORY_URL: string;
  [k: string]: unknown;
}

const PRODUCTS = [
  { id: 1, name: 'Trace-shaped mug', price: 12 },
  { id: 2, name: 'Span stickers', price: 4 },
  { id: 3, name: 'Baggage tag', price: 7 },
];

/** The page runs on another origin (localhost or 127.0.0.1, any port): answer its CORS. */
function cors(req: Request, res: Response): Response {
  const origin = req.headers.get('origin');
  if (!origin || !/^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?$/.test(origin)) return res;
  const h = new Headers(res.headers);
  h.set('access-control-allow-origin', origin);
  h.set('vary', 'origin');
  // traceparent and friends are not CORS-safelisted: the page's preflight must allow them
  h.set('access-control-allow-headers', 'content-type, traceparent, tracestate, baggage');
  h.set('access-control-allow-methods', 'GET, POST, OPTIONS');
  h.set('access-control-max-age', '600');
  // the page's resource timing may then see the network phases of these requests
  h.set('timing-allow-origin', origin);
  return new Response(res.body, { status: res.status, headers: h });
}

async function route(req: Request, env: Env): Promise<Response> {
  const url = new URL(req.url);
  if (req.method == 'OPTIONS') return new Response(null, { status: 204 });
  if (url.pathname == '/api/products') return Response.json(PRODUCTS);
  if (url.pathname == '/api/cart' && req.method == 'POST') return Response.json({ ok: true });
  if (url.pathname == '/api/checkout' && req.method == 'POST') {
    const r = await fetch(env.INVENTORY_URL + '/reserve', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: await req.text(),
    });
    const reserved = (await r.json()) as { ok: boolean };
    return Response.json({ id: crypto.randomUUID().slice(0, 8), reserved: reserved.ok }, { status: reserved.ok ? 200 : 409 });
  }
  return new Response('not found', { status: 404 });
}

export default instrument(
  {
    async fetch(req: Request, env: Env): Promise<Response> {
      return cors(req, await route(req, env));
    },
  },
  (env: Env) => ({ serviceName: 'shop-worker', propagateTo: [env.INVENTORY_URL] }),
);

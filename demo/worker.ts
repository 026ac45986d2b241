/**
 * The demo's backend-for-frontend: a Cloudflare Worker (run by workerd through miniflare)
 * instrumented with otelite/cloudflare. It continues the page's trace (incoming traceparent)
 * and carries it on to the inventory service.
 */
import { instrument } from 'otelite/cloudflare';

interface Env {
  INVENTORY_URL: string;
  SHOP_ORIGIN: string;
  OTEL_EXPORTER_OTLP_ENDPOINT: string;
}

const PRODUCTS = [
  { id: 1, name: 'Trace-shaped mug', price: 12 },
  { id: 2, name: 'Span stickers', price: 4 },
];

function cors(env: Env, res: Response): Response {
  const h = new Headers(res.headers);
  h.set('access-control-allow-origin', env.SHOP_ORIGIN);
  // traceparent and friends are not CORS-safelisted: the page's preflight must be answered
  h.set('access-control-allow-headers', 'content-type, traceparent, tracestate, baggage');
  h.set('access-control-allow-methods', 'GET, POST, OPTIONS');
  return new Response(res.body, { status: res.status, headers: h });
}

export default instrument<Env>(
  {
    async fetch(req, env) {
      const url = new URL(req.url);
      if (req.method == 'OPTIONS') return cors(env, new Response(null, { status: 204 }));
      if (url.pathname == '/api/products') return cors(env, Response.json(PRODUCTS));
      if (url.pathname == '/api/cart') return cors(env, Response.json({ ok: true }));
      if (url.pathname == '/api/checkout') {
        const r = await fetch(env.INVENTORY_URL + '/reserve', { method: 'POST', body: await req.text() });
        const reserved = (await r.json()) as { ok: boolean };
        return cors(env, Response.json({ id: crypto.randomUUID().slice(0, 8), reserved: reserved.ok }));
      }
      return cors(env, new Response('not found', { status: 404 }));
    },
  },
  (env) => ({
    serviceName: 'shop-worker',
    endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT,
    propagateTo: [env.INVENTORY_URL],
  }),
);

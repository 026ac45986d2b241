// A typical instrumented Cloudflare Worker: instrument() (SERVER spans, fetch instrumentation,
// OTLP/HTTP JSON exporter, W3C propagators, AsyncLocalStorage context) around a small handler.
import { instrument } from 'otelite/cloudflare';

interface Env {
  API: string;
}

export default instrument(
  {
    async fetch(req: Request, env: Env): Promise<Response> {
      const r = await fetch(env.API + new URL(req.url).pathname);
      return new Response(await r.text(), { headers: { 'content-type': 'text/html' } });
    },
  },
  (env: Env) => ({ serviceName: 'shop-api', propagateTo: [env.API] }),
);

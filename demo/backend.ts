/**
 * The demo's inventory service: a Deno server instrumented with otelite/deno, the last hop
 * of the page → Worker → backend trace.
 */
import { instrument } from 'otelite/deno';

declare const Deno: {
  env: { get(k: string): string | undefined };
  serve(o: { port: number; hostname: string; onListen?: () => void }, h: (req: Request) => Response | Promise<Response>): unknown;
};

const stock = new Map([
  [1, 10],
  [2, 100],
]);

Deno.serve(
  { port: Number(Deno.env.get('PORT') || 8788), hostname: '127.0.0.1', onListen: () => console.log('inventory ready') },
  instrument(
    async (req: Request) => {
      const url = new URL(req.url);
      if (url.pathname == '/reserve' && req.method == 'POST') {
        const { items = [] } = (await req.json().catch(() => ({}))) as { items?: number[] };
        // a little work, so the span has a visible width in the waterfall
        await new Promise((r) => setTimeout(r, 15));
        const ok = items.every((id) => (stock.get(id) ?? 0) > 0);
        for (const id of items) stock.set(id, (stock.get(id) ?? 1) - 1);
        return Response.json({ ok });
      }
      return new Response('not found', { status: 404 });
    },
    { serviceName: 'inventory', endpoint: Deno.env.get('OTEL_EXPORTER_OTLP_ENDPOINT') },
  ),
);

/**
 * The demo's inventory service: a Deno server instrumented with otelite/deno, the last hop of
 * the page → Worker → backend trace. Its exporter endpoint comes from
 * `OTEL_EXPORTER_OTLP_ENDPOINT` (read with `--allow-env`).
 */
import { instrument } from 'otelite/deno';

declare const Deno: {
  env: { get(k: string): string | undefined };
  serve(o: { port: number; hostname: string; onListen?: (a: { port: number }) => void }, h: (req: Request) => Response | Promise<Response>): unknown;
};

const stock = new Map([
  [1, 10],
  [2, 100],
  [3, 5],
]);

Deno.serve(
  { port: Number(Deno.env.get('PORT') || 8788), hostname: '127.0.0.1', onListen: (a) => console.log(`LISTENING ${a.port}`) },
  instrument(
    async (req: Request) => {
      const url = new URL(req.url);
      if (url.pathname == '/reserve' && req.method == 'POST') {
        const { items = [] } = (await req.json().catch(() => ({}))) as { items?: number[] };
        // a little work, so the span has a visible width in the waterfall
        await new Promise((r) => setTimeout(r, 15));
        const ok = items.every((id) => stock.has(id));
        // restocked when sold out: the demo can run forever
        if (ok) for (const id of items) stock.set(id, stock.get(id)! - 1 || 10);
        return Response.json({ ok });
      }
      return new Response('not found', { status: 404 });
    },
    { serviceName: 'inventory' },
  ),
);

/**
 * `npm start`: the demo. Starts the dev collector (with its waterfall page), the inventory
 * backend (Deno, otelite/deno), the shop's Worker (workerd via miniflare, otelite/cloudflare)
 * and the shop page (the otelite snippet), then prints the URLs. With `--headless` it drives
 * the page in Chromium, prints the trace of one checkout as a text waterfall and exits 0 when
 * that trace arrived complete: page → Worker → backend.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '../test/e2e/harness/browser';
import { freePort, startDeno, startWorker } from '../test/e2e/harness/runtimes';
import { startServer } from '../test/e2e/harness/server';
import { startCollector, textWaterfall, traces, type ViewSpan } from './collector';

const here = dirname(fileURLToPath(import.meta.url));
// main.ts runs bundled from node_modules/.cache/otelite-demo; the sources sit in demo/
const DEMO = process.env.OTELITE_DEMO_DIR || join(here, '../../../demo');
const BUILT = here;
const headless = process.argv.includes('--headless');
const port = (name: string, d: number): Promise<number> =>
  process.env[name] ? Promise.resolve(Number(process.env[name])) : headless ? freePort() : Promise.resolve(d);

async function main(): Promise<number> {
  const collector = await startCollector(await port('COLLECTOR_PORT', 4318), join(DEMO, 'ui'));
  const backend = await startDeno(join(BUILT, 'backend.js'), {
    env: { PORT: String(await port('BACKEND_PORT', 8788)), OTEL_EXPORTER_OTLP_ENDPOINT: collector.url },
  });
  const shopPort = await port('SHOP_PORT', 8080);
  const shopOrigin = `http://127.0.0.1:${shopPort}`;
  const worker = await startWorker({
    scriptPath: join(BUILT, 'worker.js'),
    compatibilityFlags: ['nodejs_als'],
    port: await port('WORKER_PORT', 8787),
    bindings: { INVENTORY_URL: backend.url, SHOP_ORIGIN: shopOrigin, OTEL_EXPORTER_OTLP_ENDPOINT: collector.url },
  } as Parameters<typeof startWorker>[0]);
  const page = (f: string) => () =>
    readFileSync(join(DEMO, 'shop', f), 'utf8').replace('__COLLECTOR__', collector.url).replace('__WORKER__', worker.url);
  const dist = join(DEMO, '../dist');
  const shop = await startServer({
    routes: {
      '/': { handler: (_q, res) => void res.writeHead(200, { 'content-type': 'text/html' }).end(page('index.html')()) },
      '/thanks.html': { file: join(DEMO, 'shop/thanks.html') },
      '/shop.js': { file: join(DEMO, 'shop/shop.js') },
      '/shop.css': { file: join(DEMO, 'shop/shop.css') },
      '/hero.svg': { file: join(DEMO, 'shop/hero.svg') },
      '/otelite.iife.js': { file: join(dist, 'otelite.iife.js') },
    },
  });
  if (shop.url != shopOrigin) throw new Error(`shop server on ${shop.url}, expected ${shopOrigin}`);

  console.log(`
otelite demo
  shop page       ${shop.url}/
  dev collector   ${collector.url}/      (waterfall, web vitals, logs)
  shop Worker     ${worker.url}  (workerd, otelite/cloudflare)
  inventory       ${backend.url}  (Deno, otelite/deno)
`);
  const stop = async () => {
    await Promise.allSettled([worker.close(), backend.stop(), shop.close(), collector.close()]);
  };
  if (!headless) {
    await new Promise<void>((r) => process.once('SIGINT', () => r()));
    await stop();
    return 0;
  }

  // --headless: one checkout in Chromium, then wait for its trace to arrive complete
  const browser = await launchBrowser();
  let code = 1;
  try {
    const p = await (await browser.newContext()).newPage();
    await p.goto(shop.url + '/');
    await p.waitForFunction(() => 'otelite' in window && document.querySelectorAll('#products li').length > 1);
    await p.click('#checkout');
    await p.waitForURL('**/thanks.html', { timeout: 15000 });
    const complete = (spans: ViewSpan[]): boolean => {
      const byId = new Map(spans.map((s) => [s.spanId, s]));
      const parentOf = (s: ViewSpan) => (s.parentSpanId ? byId.get(s.parentSpanId) : undefined);
      const inventory = spans.find((s) => s.service == 'inventory' && s.kind == 'SERVER');
      const workerClient = inventory && parentOf(inventory);
      const workerServer = workerClient && parentOf(workerClient);
      const pageClient = workerServer && parentOf(workerServer);
      return !!(
        workerClient?.service == 'shop-worker' &&
        workerServer?.service == 'shop-worker' &&
        workerServer.kind == 'SERVER' &&
        pageClient?.service == 'shop-web' &&
        pageClient.kind == 'CLIENT' &&
        parentOf(pageClient)?.name == 'checkout'
      );
    };
    const deadline = Date.now() + 30000;
    let found: { traceId: string; spans: ViewSpan[] } | undefined;
    while (Date.now() < deadline && !(found = traces(collector).find((t) => complete(t.spans)))) {
      await new Promise((r) => setTimeout(r, 250));
    }
    if (found) {
      console.log(`trace ${found.traceId} (${found.spans.length} spans):\n${textWaterfall(found.spans)}\n`);
      console.log('demo: page → worker → backend trace arrived complete');
      code = 0;
    } else {
      console.error('demo: no complete page → worker → backend trace arrived within 30 s; what arrived:');
      for (const t of traces(collector)) console.error(`trace ${t.traceId}\n${textWaterfall(t.spans)}`);
      console.error(`schema errors: ${JSON.stringify(collector.errors())}`);
    }
  } finally {
    await browser.close();
    await stop();
  }
  return code;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);

/**
 * `npm start`: the demo. Starts the dev collector (with its waterfall page), the inventory
 * service (Deno, otelite/deno), the shop's Worker (workerd via miniflare, otelite/cloudflare) and
 * the shop page (the otelite snippet), then prints the URLs and waits for Ctrl-C.
 *
 * `npm start -- --headless`: the same on free ports, then Chromium opens the shop, adds to the
 * cart and checks out; exits 0 once the checkout's trace arrived complete (page → Worker →
 * backend), after printing it as a text waterfall; 1 otherwise. CI runs it.
 *
 * scripts/start.mjs builds what this needs (dist/, worker.js and backend.js beside this file's
 * bundle) and tells where the demo's sources are (OTELITE_DEMO_DIR).
 */
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { createServer as netServer } from 'node:net';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '../test/e2e/harness/browser';
import { startDeno, startWorker, type TestDeno, type TestWorker } from '../test/e2e/harness/runtimes';
import type { Receiver } from '../test/e2e/harness/receiver';
import { exportSummary, startCollector, textWaterfall, traces, type ViewSpan, type ViewTrace } from './collector';

const BUILT = dirname(fileURLToPath(import.meta.url));
const DEMO = process.env.OTELITE_DEMO_DIR || join(BUILT, '../../../demo');
const DIST = process.env.OTELITE_DIST_DIR || join(DEMO, '../dist');
const headless = process.argv.includes('--headless');
const TIMEOUT_MS = Number(process.env.OTELITE_DEMO_TIMEOUT_MS || 45_000);

/** `want` when it is free (interactive runs keep the well-known ports), else any free port. */
function port(env: string, want: number): Promise<number> {
  const fixed = Number(process.env[env]);
  if (fixed) return Promise.resolve(fixed);
  const listen = (p: number): Promise<number> =>
    new Promise((ok, fail) => {
      const s = netServer();
      s.once('error', fail);
      s.listen(p, '127.0.0.1', () => {
        const got = (s.address() as { port: number }).port;
        s.close(() => ok(got));
      });
    });
  return headless ? listen(0) : listen(want).catch(() => listen(0));
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.map': 'application/json' };

/** The shop: its pages (with the collector's and Worker's URLs filled in) and the snippet. */
async function startShop(p: number, urls: () => { collector: string; worker: string }): Promise<{ url: string; server: Server }> {
  const server = createServer(async (req, res) => {
    const path = new URL(req.url || '/', 'http://x').pathname;
    const file =
      path == '/' ? join(DEMO, 'shop/index.html') : path.startsWith('/otelite.iife.js') ? join(DIST, path.slice(1)) : /^\/[\w-]+\.(html|js|css|svg)$/.test(path) ? join(DEMO, 'shop', path) : '';
    try {
      if (!file) throw new Error('not found');
      let body: string | Buffer = await readFile(file);
      if (file.endsWith('.html')) {
        const u = urls();
        body = body.toString('utf8').replaceAll('__COLLECTOR__', u.collector).replaceAll('__WORKER__', u.worker);
      }
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' }).end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise<void>((ok, fail) => server.once('error', fail).listen(p, '127.0.0.1', () => ok()));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

/** The checkout's trace, complete: checkout → page CLIENT → Worker SERVER → Worker CLIENT → inventory SERVER. */
function completeCheckout(t: ViewTrace): boolean {
  const byId = new Map(t.spans.map((s) => [s.spanId, s]));
  const parent = (s?: ViewSpan) => (s && s.parentSpanId ? byId.get(s.parentSpanId) : undefined);
  const inventory = t.spans.find((s) => s.service == 'inventory' && s.kind == 'SERVER');
  const workerClient = parent(inventory);
  const workerServer = parent(workerClient);
  const pageClient = parent(workerServer);
  const checkout = parent(pageClient);
  return (
    workerClient?.service == 'shop-worker' &&
    workerClient.kind == 'CLIENT' &&
    workerServer?.service == 'shop-worker' &&
    workerServer.kind == 'SERVER' &&
    pageClient?.service == 'shop-web' &&
    pageClient.kind == 'CLIENT' &&
    checkout?.name == 'checkout' &&
    !checkout.parentSpanId
  );
}

async function main(): Promise<number> {
  const started = Date.now();
  const stops: (() => Promise<unknown>)[] = [];
  const stop = () => Promise.allSettled(stops.reverse().map((f) => f()));
  let backend: TestDeno | undefined;
  let worker: TestWorker | undefined;
  try {
    const collector: Receiver = await startCollector({
      port: await port('COLLECTOR_PORT', 4318),
      uiDir: join(DEMO, 'ui'),
      onExport: headless ? undefined : (signal, n, errors) => console.log(`collector: ${exportSummary(signal, n, errors)}`),
    });
    stops.push(() => collector.close());
    let workerUrl = '';
    const shop = await startShop(await port('SHOP_PORT', 8080), () => ({ collector: collector.url, worker: workerUrl }));
    stops.push(() => new Promise((r) => shop.server.close(r)));
    backend = await startDeno(join(BUILT, 'backend.js'), {
      env: { PORT: String(await port('BACKEND_PORT', 8788)), OTEL_EXPORTER_OTLP_ENDPOINT: collector.url },
    });
    stops.push(() => backend!.stop());
    worker = await startWorker({
      scriptPath: join(BUILT, 'worker.js'),
      compatibilityFlags: ['nodejs_als'],
      port: await port('WORKER_PORT', 8787),
      bindings: { INVENTORY_URL: backend.url, OTEL_EXPORTER_OTLP_ENDPOINT: collector.url },
    });
    stops.push(() => worker!.close());
    workerUrl = worker.url;

    const line = (what: string, url: string, note: string) => `  ${what.padEnd(15)} ${url.padEnd(30)} ${note}`;
    console.log(
      [
        '',
        `otelite demo (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
        line('shop page', shop.url + '/', 'the otelite snippet: one <script> tag'),
        line('dev collector', collector.url + '/', 'traces as waterfalls, web vitals, logs'),
        line('shop Worker', worker.url, 'workerd, otelite/cloudflare'),
        line('inventory', backend.url, 'Deno, otelite/deno'),
        '',
      ].join('\n'),
    );
    if (!headless) {
      console.log('Open the shop page, click around, then look at the dev collector. Ctrl-C stops.\n');
      await new Promise<void>((r) => {
        process.once('SIGINT', r);
        process.once('SIGTERM', r);
      });
      return 0;
    }

    // --headless: one visit in Chromium, then wait for the checkout's trace to arrive complete
    const browser = await launchBrowser();
    stops.push(() => browser.close());
    const page = await (await browser.newContext()).newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(shop.url + '/');
    await page.waitForFunction(() => 'otelite' in window && document.querySelectorAll('#products li').length > 1, undefined, { timeout: 15_000 });
    await page.click('#add');
    await page.waitForFunction(() => document.getElementById('status')!.textContent == 'Added to cart.');
    await page.click('#checkout');
    await page.waitForURL('**/thanks.html', { timeout: 15_000 });
    await page.waitForLoadState('load');

    let found: ViewTrace | undefined;
    const deadline = started + TIMEOUT_MS;
    while (Date.now() < deadline && !(found = traces(collector).find(completeCheckout))) await new Promise((r) => setTimeout(r, 200));
    if (!found) {
      console.error(`demo: no complete page → Worker → backend trace within ${TIMEOUT_MS / 1000} s. What arrived:`);
      for (const t of traces(collector)) console.error(`trace ${t.traceId}\n${textWaterfall(t.spans)}`);
      console.error(`schema errors: ${JSON.stringify(collector.errors())}\npage errors: ${JSON.stringify(pageErrors)}`);
      console.error(`worker output:\n${worker.output.join('\n')}\ninventory output:\n${backend.output.join('\n')}`);
      return 1;
    }
    const all = traces(collector);
    console.log(`checkout trace ${found.traceId}: ${found.spans.length} spans, ${found.services.join(' → ')}\n`);
    console.log(textWaterfall(found.spans) + '\n');
    console.log(
      `also received: ${all.length} traces, ${collector.logs().filter((l) => l.eventName == 'browser.web_vital').length} web vital events, ` +
        `${collector.logs().length} log records, ${collector.metrics().length} metrics; schema errors: ${collector.errors().length}`,
    );
    if (collector.errors().length) {
      console.error(`demo: payloads failed the OTLP schema check:\n${collector.errors().join('\n')}`);
      return 1;
    }
    // the collector's page draws it: the trace in the list, one waterfall row per span
    const ui = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await ui.goto(collector.url + '/');
    await ui.click(`.trace-item[data-trace="${found.traceId}"]`);
    await ui.waitForFunction((n) => document.querySelectorAll('#waterfall .row:not(.head)').length == n, found.spans.length);
    await ui.click('#waterfall .row[data-id] >> text=inventory');
    await ui.waitForSelector('#details table');
    const shot = process.argv[process.argv.indexOf('--screenshot') + 1];
    if (process.argv.includes('--screenshot') && shot) {
      await ui.screenshot({ path: shot, fullPage: true });
      console.log(`demo: collector page screenshot in ${shot}`);
    }
    console.log(`demo: page → Worker → backend trace arrived complete (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return 0;
  } catch (e) {
    console.error('demo failed:', e);
    if (worker) console.error(`worker output:\n${worker.output.join('\n')}`);
    if (backend) console.error(`inventory output:\n${backend.output.join('\n')}`);
    return 1;
  } finally {
    await stop();
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);

// npm run bench (browser part): bundles scripts/bench/*.browser.ts for the browser with esbuild
// (otelite resolved to src/, the reference packages from node_modules) and runs each in Chromium
// (Debian's, driven by playwright-core) on a cross-origin isolated page served on 127.0.0.1, so
// that performance.now() steps by 5 µs. Prints what the page prints; never fails on a number.
import { build } from 'esbuild';
import { createServer } from 'node:http';
import { readdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { srcAlias } from '../entries.mjs';

const alias = srcAlias();
const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const args = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const only = process.argv[2];
const files = readdirSync('scripts/bench').filter((f) => f.endsWith('.browser.ts') && (!only || f.includes(only)));
const browser = await chromium.launch({ executablePath, args });
try {
  for (const f of files) {
    const r = await build({ entryPoints: [`scripts/bench/${f}`], bundle: true, format: 'iife', target: 'es2022', platform: 'browser', write: false, alias, logLevel: 'error' });
    const js = r.outputFiles[0].text;
    const isolated = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };
    const server = createServer((req, res) => {
      if (req.url == '/bench.js') res.writeHead(200, { 'content-type': 'text/javascript', ...isolated }).end(js);
      else res.writeHead(200, { 'content-type': 'text/html', ...isolated }).end('<!doctype html><script src="/bench.js"></script>');
    });
    await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
    const page = await browser.newPage();
    page.on('console', (m) => console.log(m.text()));
    page.on('pageerror', (e) => console.log('page error: ' + e.message));
    console.log(`\n${f} in Chromium ${browser.version()}`);
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    if (!(await page.evaluate(() => crossOriginIsolated))) console.log('(not cross-origin isolated: 100 µs clock steps)');
    await page.evaluate(() => globalThis.done);
    await page.close();
    server.close();
  }
} finally {
  await browser.close();
}

#!/usr/bin/env node
// otelite-receiver: the dev collector on its own, as a development tool. An OTLP/HTTP JSON
// receiver (every payload checked against the OTLP schema) with a page that shows the traces as
// waterfalls, the web vitals, the logs and the metrics; in memory, CORS open to localhost pages.
//
//   npx otelite-receiver [--port 4318] [--host 127.0.0.1]
//
// From an installed package it runs dist/receiver/collector.js, which esbuild.config.mjs builds
// with everything bundled (nothing beyond Node needed). From a clone of the repository (where
// demo/collector.ts is) it builds demo/collector.ts with esbuild, a devDependency, into
// node_modules/.cache on each start, so that edits to the collector show at once.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log('usage: otelite-receiver [--port 4318] [--host 127.0.0.1]');
  process.exit(0);
}
const opt = (name, d) => {
  const i = args.indexOf('--' + name);
  return i >= 0 && args[i + 1] ? args[i + 1] : d;
};
const port = Number(opt('port', process.env.PORT || 4318));
const host = opt('host', '127.0.0.1');

const demo = dirname(fileURLToPath(import.meta.url));
const source = join(demo, 'collector.ts');
/** the collector module and its page's files */
let collectorFile = join(demo, '../dist/receiver/collector.js');
let uiDir = join(demo, '../dist/receiver/ui');
if (existsSync(source)) {
  const { build } = await import('esbuild');
  const out = join(demo, '../node_modules/.cache/otelite-demo');
  mkdirSync(out, { recursive: true });
  collectorFile = join(out, 'collector.mjs');
  uiDir = join(demo, 'ui');
  await build({
    entryPoints: [source],
    outfile: collectorFile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
} else if (!existsSync(collectorFile)) {
  console.error(`otelite-receiver: ${collectorFile} is missing (in a clone of otelite: npm run build)`);
  process.exit(1);
}
const { startCollector, exportSummary } = await import(pathToFileURL(collectorFile).href);
let collector;
try {
  collector = await startCollector({
    port,
    host,
    uiDir,
    onExport: (signal, n, errors) => console.log(`${new Date().toLocaleTimeString()} ${signal}: ${exportSummary(signal, n, errors)}`),
  });
} catch (e) {
  console.error(`otelite-receiver: cannot listen on ${host}:${port}: ${e.message} (try --port 0)`);
  process.exit(1);
}
console.log(`otelite dev collector
  page       ${collector.url}/
  endpoint   ${collector.url}   (OTEL_EXPORTER_OTLP_ENDPOINT, the snippet's data-endpoint)
Ctrl-C stops.`);
const stop = () => collector.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

#!/usr/bin/env node
// otelite-receiver: the dev collector on its own, as a development tool. An OTLP/HTTP JSON
// receiver (every payload checked against the OTLP schema) with a page that shows the traces as
// waterfalls, the web vitals, the logs and the metrics; in memory, CORS open to localhost pages.
//
//   npx otelite-receiver [--port 4318] [--host 127.0.0.1]
//
// It runs from a clone of the repository after `npm ci` (it builds demo/collector.ts with esbuild,
// a devDependency, into node_modules/.cache on each start).
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
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
const out = join(demo, '../node_modules/.cache/otelite-demo');
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(demo, 'collector.ts')],
  outfile: join(out, 'collector.mjs'),
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
const { startCollector, exportSummary } = await import(pathToFileURL(join(out, 'collector.mjs')).href);
let collector;
try {
  collector = await startCollector({
    port,
    host,
    uiDir: join(demo, 'ui'),
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

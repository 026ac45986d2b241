// npm start: builds dist/ (the snippet included), bundles the demo's Worker, inventory service
// and orchestrator with esbuild (otelite/* imports resolve to src/), and runs the orchestrator
// (demo/main.ts). `npm start -- --headless` drives the shop page in Chromium and exits 0 once a
// complete page → Worker → backend trace arrived; see demo/main.ts.
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildAll } from '../esbuild.config.mjs';
import { edgePlugin, srcAlias } from '../entries.mjs';

const t0 = Date.now();
const out = resolve('node_modules/.cache/otelite-demo');
mkdirSync(out, { recursive: true });
const alias = srcAlias();
// the Worker and the Deno backend as their runtimes get otelite: its edge build (see entries.mjs)
const edge = { bundle: true, format: 'esm', target: 'es2022', logLevel: 'warning', alias, platform: 'browser', external: ['node:*'], sourcemap: 'inline', plugins: [edgePlugin()], minifySyntax: true };
await Promise.all([
  buildAll(),
  build({ ...edge, entryPoints: ['demo/worker.ts'], outfile: `${out}/worker.js` }),
  build({ ...edge, entryPoints: ['demo/backend.ts'], outfile: `${out}/backend.js` }),
  build({ bundle: true, format: 'esm', target: 'node20', logLevel: 'warning', entryPoints: ['demo/main.ts'], outfile: `${out}/main.mjs`, platform: 'node', packages: 'external' }),
]);
console.log(`start: built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
process.env.OTELITE_DEMO_DIR ||= resolve('demo');
process.env.OTELITE_DIST_DIR ||= resolve('dist');
await import(pathToFileURL(`${out}/main.mjs`).href);

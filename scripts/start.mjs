// npm start: builds dist/ (with the snippet), bundles the demo's Worker, backend and
// orchestrator with esbuild, and runs the orchestrator (demo/main.ts). `npm start -- --headless`
// drives the page in Chromium and exits 0 when a complete page → worker → backend trace arrived.
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildAll } from '../esbuild.config.mjs';
import { entries } from '../entries.mjs';

const out = resolve('node_modules/.cache/otelite-demo');
mkdirSync(out, { recursive: true });
const alias = Object.fromEntries(
  Object.entries(entries).map(([sub, src]) => [sub == '.' ? 'otelite' : 'otelite' + sub.slice(1), resolve(src)]),
);
const common = { bundle: true, format: 'esm', logLevel: 'warning', alias, sourcemap: true };
await buildAll();
await Promise.all([
  build({ ...common, entryPoints: ['demo/worker.ts'], outfile: `${out}/worker.js`, platform: 'neutral', external: ['node:*'], mainFields: ['module', 'main'] }),
  build({ ...common, entryPoints: ['demo/backend.ts'], outfile: `${out}/backend.js`, platform: 'neutral', external: ['node:*'], mainFields: ['module', 'main'] }),
  build({ ...common, entryPoints: ['demo/main.ts'], outfile: `${out}/main.mjs`, platform: 'node', packages: 'external' }),
]);
process.env.OTELITE_DEMO_DIR ||= resolve('demo');
await import(pathToFileURL(`${out}/main.mjs`).href);

// npm run bench: bundles each scripts/bench/*.bench.ts for Node with esbuild (otelite
// resolved to src/) and runs it. Prints medians and ratios; never fails on a number.
import { build } from 'esbuild';
import { mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { srcAlias } from '../entries.mjs';

const alias = srcAlias();
const only = process.argv[2];
const files = readdirSync('scripts/bench').filter((f) => f.endsWith('.bench.ts') && (!only || f.includes(only)));
// inside the project, so the bundles resolve the reference packages from node_modules
const out = 'node_modules/.cache/otelite-bench';
mkdirSync(out, { recursive: true });
console.log(`node ${process.version}, ${files.length} benchmark files`);
for (const f of files) {
  const outfile = join(out, f.replace(/\.ts$/, '.mjs'));
  await build({
    entryPoints: [`scripts/bench/${f}`],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    alias,
    packages: 'external',
    logLevel: 'error',
  });
  await import(pathToFileURL(resolve(outfile)).href);
}

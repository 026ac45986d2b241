// Builds dist/: ESM per entry point (readable, for bundlers: dist/*.js; minified, for direct
// use: dist/min/*.js), the edge build (dist/edge/*.js: the same entries with the page-only code
// left out, for Cloudflare Workers and Deno, see edgePlugin in entries.mjs), the snippet IIFE
// (dist/otelite.iife.js) and, with --types, the .d.ts files through tsc. Entries whose source
// does not exist yet are skipped with a note.
import { build } from 'esbuild';
import { existsSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { edgePlugin, entries, nodeEntries, outName } from './entries.mjs';

const present = Object.entries(entries).filter(([sub, src]) => {
  if (existsSync(src)) return true;
  console.log(`esbuild: skipping ${sub} (${src} not written yet)`);
  return false;
});
const browser = present.filter(([s]) => !nodeEntries.has(s));
const node = present.filter(([s]) => nodeEntries.has(s));
const points = (list) => Object.fromEntries(list.map(([s, src]) => [outName(s), src]));

// Kept external in the ESM builds: dependencies and optional peers (the app's bundler resolves
// them once, so an app that uses web-vitals itself does not carry two copies), and Node/edge
// built-ins. The snippet bundles its dependencies: it is the one file a page loads.
const external = ['zone.js', 'node:*', 'esbuild', '@opentelemetry/api', 'web-vitals', 'web-vitals/*', 'fflate'];
const common = { bundle: true, format: 'esm', sourcemap: true, target: 'es2022', external, logLevel: 'warning' };

export async function buildAll({ types = false } = {}) {
  rmSync('dist', { recursive: true, force: true });
  await Promise.all([
    build({ ...common, entryPoints: points(browser), outdir: 'dist', splitting: true, chunkNames: 'chunks/[name]-[hash]' }),
    build({ ...common, entryPoints: points(browser), outdir: 'dist/min', splitting: true, minify: true, chunkNames: 'chunks/[name]-[hash]' }),
    // every entry, not only the edge ones: an app importing two entries must get one build of
    // both, never one module twice. Syntax minified: the dead page-only branches go from the
    // files themselves, whatever the app's bundler does (wrangler does not minify by default).
    build({ ...common, entryPoints: points(browser), outdir: 'dist/edge', splitting: true, minifySyntax: true, chunkNames: 'chunks/[name]-[hash]', plugins: [edgePlugin()] }),
    node.length && build({ ...common, entryPoints: points(node), outdir: 'dist', platform: 'node' }),
    existsSync('src/web/snippet.ts') &&
      build({ ...common, external: [], entryPoints: ['src/web/snippet.ts'], outfile: 'dist/otelite.iife.js', format: 'iife', minify: true }),
  ]);
  if (types) execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}

if (import.meta.url == `file://${process.argv[1]}`) {
  await buildAll({ types: process.argv.includes('--types') });
  console.log('esbuild: dist/ built');
}

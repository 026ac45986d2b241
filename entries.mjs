// The public entry points: subpath of the package → source file. esbuild.config.mjs builds
// them, package.json "exports" lists them (a test keeps the two in sync) and the size report
// measures them.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const entries = {
  '.': 'src/index.ts',
  './trace': 'src/trace/index.ts',
  './metrics': 'src/metrics/index.ts',
  './logs': 'src/logs/index.ts',
  './context/zone': 'src/context/zone.ts',
  './context/async': 'src/context/async.ts',
  './propagators/b3': 'src/trace/propagation/b3.ts',
  './propagators/jaeger': 'src/trace/propagation/jaeger.ts',
  './exporters/otlp-http-json': 'src/exporters/otlp-http-json/index.ts',
  './exporters/otlp-http-json/fflate': 'src/exporters/otlp-http-json/fflate.ts',
  './exporters/console': 'src/exporters/console/index.ts',
  './instrumentations/fetch': 'src/instrumentations/fetch/index.ts',
  './instrumentations/xhr': 'src/instrumentations/xhr/index.ts',
  './instrumentations/document-load': 'src/instrumentations/document-load/index.ts',
  './instrumentations/errors': 'src/instrumentations/errors/index.ts',
  './web': 'src/web/index.ts',
  './cloudflare': 'src/cloudflare/index.ts',
  './deno': 'src/deno/index.ts',
  './otel-api': 'src/otel-api/index.ts',
  './esbuild': 'src/esbuild/index.ts',
  './esbuild/runtime': 'src/esbuild/runtime.ts',
};

/**
 * esbuild's `alias` for building against the sources: `otelite` and `otelite/…` → their files
 * under `root` (the size report, the benchmarks, the demo, tests).
 */
export const srcAlias = (root = '.') =>
  Object.fromEntries(Object.entries(entries).map(([sub, src]) => [sub == '.' ? 'otelite' : 'otelite' + sub.slice(1), resolve(root, src)]));

/** Entries built for Node (the esbuild plugin runs at build time, in Node). */
export const nodeEntries = new Set(['./esbuild']);

/** dist path (no extension) of a subpath: '.' → 'index', './context/zone' → 'context/zone'. */
export const outName = (subpath) => (subpath == '.' ? 'index' : subpath.slice(2));

/**
 * The esbuild plugin that makes a build an edge build: `BROWSER` (src/lib/platform.ts) is false.
 * Used by esbuild.config.mjs, the size report and the edge e2e fixtures (which bundle src/ the
 * way the edge build does).
 *
 * How: each source file's `import { BROWSER } from '…/platform'` is blanked and `BROWSER` is
 * defined as `false`, so the parser folds `if (BROWSER)` away before tree shaking, and what only
 * dead code used goes too. (Swapping platform.ts for a module exporting false, its twin
 * platform.edge.ts, is not enough: esbuild inlines such a constant only when printing, after
 * tree shaking, so the functions only page code calls would stay.) Another import of platform.ts
 * resolves to platform.edge.ts.
 */
export function edgePlugin() {
  const platform = fileURLToPath(new URL('src/lib/platform', import.meta.url));
  const src = fileURLToPath(new URL('src/', import.meta.url));
  const IMPORT = /^import \{ BROWSER \} from '(\.[^']*\/platform)';$/m;
  return {
    name: 'otelite-edge',
    setup(b) {
      b.initialOptions.define = { ...b.initialOptions.define, BROWSER: 'false' };
      // (only relative imports reach it: the file is internal)
      b.onResolve({ filter: /^\..*\/platform(\.ts)?$/ }, (a) =>
        resolve(a.resolveDir, a.path).replace(/\.ts$/, '') == platform ? { path: platform + '.edge.ts' } : undefined,
      );
      b.onLoad({ filter: /\.ts$/ }, async (a) => {
        if (!a.path.startsWith(src)) return;
        const text = await readFile(a.path, 'utf8');
        const m = IMPORT.exec(text);
        if (!m || resolve(dirname(a.path), m[1]) != platform) return;
        // (the same number of lines: the source map stays right)
        return { contents: text.replace(IMPORT, '/* edge build: BROWSER is false */'), loader: 'ts' };
      });
    },
  };
}

// The public entry points: subpath of the package → source file. esbuild.config.mjs builds
// them, package.json "exports" lists them (a test keeps the two in sync) and the size report
// measures them.
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

/** Entries built for Node (the esbuild plugin runs at build time, in Node). */
export const nodeEntries = new Set(['./esbuild']);

/** dist path (no extension) of a subpath: '.' → 'index', './context/zone' → 'context/zone'. */
export const outName = (subpath) => (subpath == '.' ? 'index' : subpath.slice(2));

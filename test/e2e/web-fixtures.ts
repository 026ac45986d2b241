/**
 * Shared by the web distro's e2e tests: builds the snippet from src/ (the way esbuild.config.mjs
 * builds dist/otelite.iife.js, into a cache directory, so the tests never depend on a stale dist/)
 * with the B3/Jaeger ESM files it loads on demand beside it, and writes test pages.
 */
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './harness';
import type { Receiver } from './harness';

/** Where the test build goes: served as `/dist/` by `startServer({ distDir })`. */
export const SNIPPET_DIR = join(REPO_ROOT, 'node_modules/.cache/otelite-test/web-dist');

let built: Promise<string> | undefined;

/**
 * Builds `otelite.iife.js` (IIFE, minified, es2022, dependencies bundled: as esbuild.config.mjs
 * builds it) and what the snippet loads on demand from beside it, as in dist/min/:
 * `propagators/{b3,jaeger}.js` (B3 or Jaeger named) and `metrics.js` with
 * `exporters/otlp-http-json.js` (the page takes a meter). Once per test run.
 */
export function buildSnippet(): Promise<string> {
  return (built ||= (async () => {
    mkdirSync(SNIPPET_DIR, { recursive: true });
    const common = { bundle: true, minify: true, target: 'es2022', sourcemap: true, logLevel: 'warning' } as const;
    await Promise.all([
      build({
        ...common,
        entryPoints: [join(REPO_ROOT, 'src/web/snippet.ts')],
        outfile: join(SNIPPET_DIR, 'otelite.iife.js'),
        format: 'iife',
      }),
      build({
        ...common,
        entryPoints: {
          'propagators/b3': join(REPO_ROOT, 'src/trace/propagation/b3.ts'),
          'propagators/jaeger': join(REPO_ROOT, 'src/trace/propagation/jaeger.ts'),
          metrics: join(REPO_ROOT, 'src/metrics/index.ts'),
          'exporters/otlp-http-json': join(REPO_ROOT, 'src/exporters/otlp-http-json/index.ts'),
        },
        outdir: join(SNIPPET_DIR, 'min'),
        format: 'esm',
        splitting: true,
      }),
    ]);
    return SNIPPET_DIR;
  })());
}

/** `<script src=/dist/otelite.iife.js ...>` with these data attributes (values HTML-escaped). */
export function snippetTag(data: Record<string, string>, extra = ''): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  const attrs = Object.entries(data)
    .map(([k, v]) => ` data-${k}="${esc(v)}"`)
    .join('');
  return `<script src="/dist/otelite.iife.js"${extra ? ' ' + extra : ''}${attrs}></script>`;
}

/** The spans of one instrumentation scope. */
export const spansOf = (r: Receiver, scope: string) => r.spans().filter((s) => s.scope.name == scope);

/** An SVG big enough to be the LCP element. */
export const HERO_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="600" height="200"><rect width="600" height="200" fill="#4a7"/><text x="20" y="110" font-size="48">otelite</text></svg>';

/**
 * otelite/esbuild: an esbuild plugin that keeps the active context across native `await`.
 *
 * Why: the context of a continuation after `await` is invisible to JavaScript code (zone.js
 * cannot patch native await, and the AsyncContext proposal has not shipped in browsers), so
 * after the first `await` every browser SDK loses the active span. The plugin has esbuild
 * lower each async function of the app to a generator driven by esbuild's own `__async`
 * helper (what esbuild does anyway for an ES2015 target) and swaps that helper for otelite's
 * driver, which runs every resumption in the context active when the function was called. Files without `await`
 * are not touched.
 * @packageDocumentation
 */
import type { Loader, Plugin, TransformOptions } from 'esbuild';
import { readFile } from 'node:fs/promises';

/** Options of {@link asyncContextPlugin}. */
export interface AsyncContextPluginOptions {
  /** Which files to transform (default: JavaScript and TypeScript files). */
  filter?: RegExp;
  /** Transform files in node_modules too (default false: only the app's own code). */
  nodeModules?: boolean;
  /** Where the runtime is imported from (default `otelite/esbuild/runtime`). */
  runtime?: string;
}

const LOADERS: Record<string, Loader> = { js: 'js', mjs: 'js', cjs: 'js', jsx: 'jsx', ts: 'ts', mts: 'ts', cts: 'ts', tsx: 'tsx' };
// Words that make a file need the transform; anything else is left byte for byte.
const NEEDS = /\bawait\b|\basync\s*\*/;
const COMMONJS = /\bmodule\.exports\b|\bexports\.\w|\brequire\(/;
const ESM = /^\s*(import|export)\b/m;

/**
 * Transforms one file's source: returns the new source, or undefined when the file is left
 * as it is. Exported for tests and for other bundlers' plugins.
 */
export async function transformAsync(
  source: string,
  path: string,
  transform: (code: string, options: TransformOptions) => Promise<{ code: string }>,
  runtime = 'otelite/esbuild/runtime',
  tsconfigRaw?: TransformOptions['tsconfigRaw'],
): Promise<{ code: string; loader: Loader } | undefined> {
  const ext = path.slice(path.lastIndexOf('.') + 1);
  const loader = LOADERS[ext];
  if (!loader || !NEEDS.test(source)) return;
  // An injected import would turn a CommonJS file into a broken ES module.
  if (COMMONJS.test(source) && !ESM.test(source)) return;
  let out: { code: string };
  try {
    out = await transform(source, {
      loader,
      sourcefile: path,
      sourcemap: 'inline',
      target: 'esnext',
      format: 'esm',
      jsx: 'preserve',
      tsconfigRaw,
      supported: { 'async-await': false, 'async-generator': false, 'for-await': false },
    });
  } catch (e) {
    // esbuild cannot lower async functions in a module with top-level await: such a module
    // keeps native await (its functions lose context after await, as without the plugin)
    if (/top-level await/i.test(String(e))) return;
    throw e;
  }
  // esbuild's async drivers become ours (capturing context); its inlined copies are then
  // unused, and the bundler drops them instead of keeping one per module
  let code = out.code
    .replace(/\b__async\(/g, '__oteliteAsync(')
    .replace(/\b__asyncGenerator\(/g, '__oteliteAsyncGen(')
    .replace(/\bnew __await\(/g, 'new __oteliteAwait(');
  if (code === out.code) return;
  // The import goes last (imports are hoisted) so the inline source map's lines stay right.
  const map = code.lastIndexOf('//# sourceMappingURL=');
  const imp = `import { __oteliteAsync, __oteliteAsyncGen, __oteliteAwait } from ${JSON.stringify(runtime)};\n`;
  code = map < 0 ? code + '\n' + imp : code.slice(0, map) + imp + code.slice(map);
  return { code, loader: loader == 'tsx' || loader == 'jsx' ? 'jsx' : 'js' };
}

/**
 * The plugin: `esbuild.build({ plugins: [asyncContextPlugin()] })`. Use it with the default
 * stack context manager (or zone.js) in browsers; it is not needed where AsyncContext or
 * AsyncLocalStorage carries context natively (workers, Deno, Node).
 */
export function asyncContextPlugin(options: AsyncContextPluginOptions = {}): Plugin {
  return {
    name: 'otelite-async-context',
    setup(build) {
      const filter = options.filter ?? /\.[cm]?[jt]sx?$/;
      const raw = build.initialOptions.tsconfigRaw;
      build.onLoad({ filter }, async (args) => {
        if (!options.nodeModules && /[\\/]node_modules[\\/]/.test(args.path)) return;
        const source = await readFile(args.path, 'utf8');
        const r = await transformAsync(source, args.path, build.esbuild.transform, options.runtime, raw);
        return r && { contents: r.code, loader: r.loader };
      });
    },
  };
}

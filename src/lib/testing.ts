/**
 * Test helper (not part of the package's API): bundles a snippet of app code the way an app's
 * bundler would, to check what ends up in it (tree-shaking, the edge build).
 * @packageDocumentation
 */
import { build, type Plugin } from 'esbuild';
import { resolve } from 'node:path';

/** The repository's root, against which the bundled code's imports resolve. */
const ROOT = resolve(__dirname, '../..');

/**
 * `code` bundled by esbuild (minified, tree-shaken, ESM, one file), and the files with bytes in
 * it, as `src/...` or `node_modules/...` paths.
 */
export async function bundle(code: string, plugins: Plugin[] = []): Promise<{ code: string; files: string[] }> {
  const r = await build({
    stdin: { contents: code, resolveDir: ROOT, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    write: false,
    metafile: true,
    // dynamic imports inline into the one output
    splitting: false,
    outdir: 'out',
    external: ['node:*', 'fflate'],
    plugins,
    logLevel: 'silent',
  });
  const files = Object.values(r.metafile.outputs)
    .flatMap((o) => Object.entries(o.inputs).filter(([, v]) => v.bytesInOutput > 0))
    .map(([f]) => f.replace(/^.*?(src\/|node_modules\/)/, '$1'));
  return { code: r.outputFiles[0]!.text, files };
}

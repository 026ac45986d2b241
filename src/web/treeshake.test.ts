import { build } from 'esbuild';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');

/** The source files an app bundle of `code` contains (esbuild, minified, tree-shaken). */
async function inputs(code: string): Promise<string[]> {
  const r = await build({
    stdin: { contents: code, resolveDir: ROOT, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    write: false,
    metafile: true,
    splitting: false,
    outdir: 'out',
    external: ['node:*', 'fflate'],
    logLevel: 'silent',
  });
  // the entry's output (dynamic imports inline into it without splitting)
  return Object.entries(r.metafile.outputs)
    .flatMap(([, o]) => Object.entries(o.inputs).filter(([, v]) => v.bytesInOutput > 0))
    .map(([f]) => f.replace(/^.*?(src\/|node_modules\/)/, '$1'));
}

const OPTIONAL = [
  'src/instrumentations/xhr/xhr.ts',
  'src/instrumentations/document-load/document-load.ts',
  'src/instrumentations/errors/errors.ts',
  'src/metrics/provider.ts',
  'src/exporters/otlp-http-json/metrics.ts',
];

describe('tree-shaking', () => {
  it('init brings every part', async () => {
    const files = await inputs(`import { init } from './src/web/index'; init();`);
    for (const f of [...OPTIONAL, 'src/instrumentations/fetch/fetch.ts', 'src/web/setup.ts']) expect(files).toContain(f);
    expect(files.some((f) => f.startsWith('node_modules/web-vitals/'))).toBe(true);
  }, 30_000);

  it('initWith brings only the parts it is given', async () => {
    const files = await inputs(`
      import { initWith } from './src/web/index';
      import { fetchInstrumentation } from './src/instrumentations/fetch/index';
      initWith({}, { instrumentations: { fetch: fetchInstrumentation } });`);
    expect(files).toContain('src/instrumentations/fetch/fetch.ts');
    for (const f of OPTIONAL) expect(files).not.toContain(f);
    expect(files.filter((f) => f.startsWith('node_modules/'))).toEqual([]);
    // B3 and Jaeger only through the loader, which was not given
    expect(files.filter((f) => /b3|jaeger/.test(f))).toEqual([]);
  }, 30_000);

  it('the parts assembled by hand carry no distro code', async () => {
    const files = await inputs(`
      import { TracerProvider, BatchSpanProcessor } from './src/trace/index';
      import { OTLPTraceExporter } from './src/exporters/otlp-http-json/index';
      import { fetchInstrumentation } from './src/instrumentations/fetch/index';
      import { documentLoadInstrumentation, webVitalsInstrumentation } from './src/instrumentations/document-load/index';
      new TracerProvider({ spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())] }).register();
      fetchInstrumentation().enable();
      documentLoadInstrumentation().enable();
      webVitalsInstrumentation().enable();`);
    expect(files.filter((f) => f.startsWith('src/web/'))).toEqual([]);
  }, 30_000);
});

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
    logLevel: 'silent',
  });
  return Object.values(r.metafile.outputs)
    .flatMap((o) => Object.entries(o.inputs).filter(([, v]) => v.bytesInOutput > 0))
    .map(([f]) => f.replace(/^.*?src\//, 'src/'));
}

describe('tree-shaking', () => {
  it('views are opt-in: the provider alone does not bring view.ts, `view()` does', async () => {
    const base = `import { MeterProvider, PeriodicExportingMetricReader } from './src/metrics/index';`;
    const plain = await inputs(`${base}
      new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter: { export() {}, async shutdown() {} } })] });`);
    expect(plain).toContain('src/metrics/provider.ts');
    expect(plain).not.toContain('src/metrics/view.ts');
    expect(plain).not.toContain('src/metrics/testing.ts');
    const viewed = await inputs(`${base} import { view } from './src/metrics/index';
      new MeterProvider({ views: [view({ instrumentName: 'x', aggregation: 'drop' })] });`);
    expect(viewed).toContain('src/metrics/view.ts');
  }, 30_000);
});

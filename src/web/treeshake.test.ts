import { describe, expect, it } from 'vitest';
import { bundle } from '../lib/testing';

/** The source files an app bundle of `code` contains. */
const inputs = async (code: string): Promise<string[]> => (await bundle(code)).files;

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

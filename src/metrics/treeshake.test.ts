import { describe, expect, it } from 'vitest';
import { bundle } from '../lib/testing';

/** The source files an app bundle of `code` contains. */
const inputs = async (code: string): Promise<string[]> => (await bundle(code)).files;

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

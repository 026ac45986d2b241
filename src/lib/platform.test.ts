import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs module without declarations
import { edgePlugin } from '../../entries.mjs';
import { BROWSER } from './platform';
import { BROWSER as EDGE } from './platform.edge';
import { bundle } from './testing';

/** A Worker's bundle of otelite from src (instrument(), fetch instrumentation, OTLP exporter). */
const worker = (edge: boolean): Promise<{ code: string; files: string[] }> =>
  bundle(
    `export { instrument } from './src/cloudflare/index'; export { instrument as deno } from './src/deno/index';`,
    edge ? [(edgePlugin as () => never)()] : [],
  );

/** What only a page runs: page-exit listeners, beacons, the keepalive budget, resource timing. */
const PAGE_ONLY = ['pagehide', 'sendBeacon', 'over keepalive budget', 'new PerformanceObserver', 'domainLookupStart'];

describe('platform', () => {
  it('BROWSER is true in the default build, false in its edge twin', () => {
    expect(BROWSER).toBe(true);
    expect(EDGE).toBe(false);
  });

  it('the edge build leaves the page-only code out; the default build keeps it', async () => {
    const [edge, plain] = await Promise.all([worker(true), worker(false)]);
    for (const s of PAGE_ONLY) {
      expect(plain.code, s).toContain(s);
      expect(edge.code, s).not.toContain(s);
    }
    expect(plain.files).toContain('src/lib/page-exit.ts');
    expect(edge.files).not.toContain('src/lib/page-exit.ts');
    expect(edge.code.length).toBeLessThan(plain.code.length - 1500);
  }, 30_000);
});

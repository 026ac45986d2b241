import { reportOnce } from '../../lib/diag';
import { globals } from '../../lib/global';

/** A gzip implementation for runtimes without `CompressionStream` (see `fflate.ts`). */
export type GzipFallback = (data: Uint8Array) => Uint8Array | Promise<Uint8Array>;

/**
 * gzip of `data`, or `undefined` when this runtime cannot compress (the caller then sends the
 * bytes uncompressed). Never rejects.
 *
 * Uses `CompressionStream` where the runtime has it (Chromium, Firefox 113+, Safari 16.4+,
 * workerd, Deno, Node 18+). Elsewhere it uses the fallback an app installed with
 * `useFflate()` from `otelite/exporters/otlp-http-json/fflate`: opt-in, because a dynamic
 * `import('fflate')` here would be inlined by every bundle built without code splitting
 * (an IIFE, most simple esbuild builds) and cost every modern page 10 KB gzip it never runs.
 *
 * Asynchronous by nature, so never usable at page exit: see the sender for what happens there.
 */
export async function gzip(data: Uint8Array): Promise<Uint8Array | undefined> {
  try {
    if (typeof CompressionStream == 'function') {
      const s = new Blob([data as BlobPart]).stream().pipeThrough(new CompressionStream('gzip'));
      return new Uint8Array(await new Response(s).arrayBuffer());
    }
    const f = (globals() as { z?: GzipFallback }).z;
    if (f) return await f(data);
    reportOnce('otlp.gzip', 'no CompressionStream here; sending uncompressed (see useFflate)');
  } catch (e) {
    reportOnce('otlp.gzip', 'gzip failed; sending uncompressed', e);
  }
}

import { reportOnce } from '../../lib/diag';

/**
 * gzip of `data`, or `undefined` when this runtime cannot compress (the caller then sends the
 * bytes uncompressed). Never rejects.
 *
 * Uses `CompressionStream` where the runtime has it (Chromium, Firefox, Safari 16.4+, workerd,
 * Deno, Node 18+). Only where it is missing is fflate loaded, through a dynamic `import()`: a
 * bundler with code splitting puts fflate in a lazy chunk that modern runtimes never fetch.
 * (A bundle without splitting, like an IIFE, should mark `fflate` external: the import then
 * fails where it would be needed, and data goes uncompressed rather than the bundle growing.)
 *
 * Asynchronous by nature, so never usable at page exit: see the sender for what happens there.
 */
export async function gzip(data: Uint8Array): Promise<Uint8Array | undefined> {
  try {
    if (typeof CompressionStream == 'function') {
      const s = new Blob([data as BlobPart]).stream().pipeThrough(new CompressionStream('gzip'));
      return new Uint8Array(await new Response(s).arrayBuffer());
    }
    return (await import('fflate')).gzipSync(data);
  } catch (e) {
    reportOnce('otlp.gzip', 'gzip unavailable; sending uncompressed', e);
  }
}

import { reportOnce } from '../../lib/diag';
import { globals } from '../../lib/global';

/** UTF-8 bytes of `s`. */
export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A gzip implementation for runtimes without `CompressionStream` (see `fflate.ts`). */
export type GzipFallback = (data: Uint8Array) => Uint8Array | Promise<Uint8Array>;

/**
 * gzip of `text` in UTF-8, or `undefined` when this runtime cannot compress (the caller then
 * sends it uncompressed). Never rejects. Takes the text rather than bytes: `Blob` encodes it
 * natively in one pass, where `TextEncoder` first would add a pass and a copy.
 *
 * Uses `CompressionStream` where the runtime has it (Chromium, Firefox 113+, Safari 16.4+,
 * workerd, Deno, Node 18+). Elsewhere it uses the fallback an app installed with
 * `useFflate()` from `otelite/exporters/otlp-http-json/fflate`: opt-in, because a dynamic
 * `import('fflate')` here would be inlined by every bundle built without code splitting
 * (an IIFE, most simple esbuild builds) and cost every modern page 10 KB gzip it never runs.
 *
 * Asynchronous by nature, so never usable at page exit: see the sender for what happens there.
 */
export async function gzip(text: string): Promise<Uint8Array | undefined> {
  try {
    return typeof CompressionStream == 'function'
      ? new Uint8Array(await new Response(new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer())
      : // without an installed fallback this throws, and is reported like any other failure
        await (globals() as { z?: GzipFallback }).z!(utf8(text));
  } catch (e) {
    reportOnce('otlp.gzip', 'no gzip (see useFflate)', e);
  }
}

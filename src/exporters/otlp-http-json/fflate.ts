/**
 * otelite/exporters/otlp-http-json/fflate: gzip for browsers without `CompressionStream`
 * (Safari before 16.4, Firefox before 113). Call `useFflate()` once at start-up; fflate is
 * then loaded with a dynamic import the first time a runtime without `CompressionStream`
 * compresses, so a bundler with code splitting keeps it in a chunk that modern browsers never
 * fetch.
 * @packageDocumentation
 */
import { globals } from '../../lib/global';
import type { GzipFallback } from './gzip';

/** Installs fflate as the exporters' gzip where `CompressionStream` is missing. */
export function useFflate(): void {
  (globals() as { z?: GzipFallback }).z = async (data) => (await import('fflate')).gzipSync(data);
}

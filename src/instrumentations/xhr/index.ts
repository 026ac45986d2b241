/**
 * otelite/instrumentations/xhr: CLIENT spans and trace propagation for `XMLHttpRequest`.
 * @packageDocumentation
 */
export { xhrInstrumentation } from './xhr';
export type { HttpInstrumentationOptions, Instrumentation, UrlMatcher } from '../lib/types';

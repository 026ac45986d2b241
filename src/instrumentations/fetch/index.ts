/**
 * otelite/instrumentations/fetch: CLIENT spans and trace propagation for `fetch()`.
 * @packageDocumentation
 */
export { fetchInstrumentation } from './fetch';
export type { HttpInstrumentationOptions, Instrumentation, UrlMatcher } from '../lib/types';

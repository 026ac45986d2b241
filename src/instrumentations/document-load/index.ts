/**
 * otelite/instrumentations/document-load: the page load as a trace (`documentLoad` →
 * `documentFetch` and `resourceFetch` spans from Navigation and Resource Timing, joined to the
 * server's trace) and the web vitals (LCP, INP, CLS, FCP, TTFB) as metrics and events.
 * @packageDocumentation
 */
export { documentLoadInstrumentation, RESOURCES_DROPPED } from './document-load';
export type { DocumentLoadOptions } from './document-load';
export { webVitalsInstrumentation } from './web-vitals';
export { webVitalsAttributionInstrumentation } from './web-vitals-attribution';
export type { WebVitalsAttributionOptions } from './web-vitals-attribution';
export type { Instrumentation, UrlMatcher } from '../lib/types';

/**
 * otelite/web: the browser distro. One `init(config)` sets up tracing, metrics and logs with
 * OTLP/HTTP JSON export (gzip, unload-safe), the W3C propagators, sessions, privacy defaults,
 * and the fetch, XHR, document-load, web-vitals and errors instrumentations, each of which can be
 * turned off or configured.
 *
 * ```ts
 * import { init } from 'otelite/web';
 * const otelite = init({ serviceName: 'shop', endpoint: 'https://collector.example.com', propagateTo: ['https://api.example.com'] });
 * ```
 *
 * Bundle size: `init` brings every part it can turn on. `initWith(config, parts)` brings only
 * the parts passed to it, and users who assemble the SDK by hand import the parts directly and
 * get no distro code at all.
 * @packageDocumentation
 */
import { documentLoadInstrumentation } from '../instrumentations/document-load/document-load';
import { errorsInstrumentation } from '../instrumentations/errors/errors';
import { fetchInstrumentation } from '../instrumentations/fetch/fetch';
import { xhrInstrumentation } from '../instrumentations/xhr/xhr';
import type { WebConfig } from './config';
import { metricsPipeline } from './metrics';
import { importPropagator, webVitals } from './lazy';
import { initWith, type Otelite } from './setup';

export type { InstrumentationName, InstrumentationOptions, WebConfig } from './config';
export type { SessionOptions } from './session';
export type { InstrumentationFactory, Otelite, Parts, Pipeline } from './setup';
export type { LazyPropagator, PropagatorLoader } from './propagators';
export { initWith } from './setup';
export { metricsPipeline } from './metrics';
export { importPropagator, webVitals } from './lazy';
export type { WebVitalsOptions } from './lazy';

/**
 * Sets up otelite in a page (see {@link WebConfig} for the options; all are optional) and
 * returns `{ forceFlush, shutdown, getTracer, sessionId }`.
 *
 * Calling it again warns and returns the first setup. Bad config values warn once each (naming
 * the key and the value) and fall back to safe defaults. Nothing here throws into the page: on
 * an unexpected failure otelite stays a no-op.
 */
export function init(config?: WebConfig): Otelite {
  return initWith(config, {
    instrumentations: {
      fetch: fetchInstrumentation,
      xhr: xhrInstrumentation,
      'document-load': documentLoadInstrumentation,
      'web-vitals': webVitals,
      errors: errorsInstrumentation,
    },
    metrics: metricsPipeline,
    propagator: importPropagator,
  });
}

/**
 * otelite/instrumentations/errors: uncaught errors and unhandled rejections as `exception` log
 * records (needs a logger provider: `otelite/logs`), plus `recordError` for caught ones.
 * @packageDocumentation
 */
export { errorsInstrumentation, recordError } from './errors';
export type { ErrorsInstrumentation, ErrorsInstrumentationOptions } from './errors';
export type { Instrumentation } from '../lib/types';

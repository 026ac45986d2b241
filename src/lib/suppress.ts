import { createContextKey } from '../context/context';
import type { Context } from '../context/types';

/** The key otel-js uses too, so suppression set by either side is honoured by both. */
const SUPPRESS = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

/**
 * `ctx` marked so that nothing started in it is traced: the exporters send with it so their
 * own requests never become spans (no feedback loop).
 */
export const suppressTracing = (ctx: Context): Context => ctx.setValue(SUPPRESS, true);

/** Whether tracing is suppressed in `ctx`. */
export const isTracingSuppressed = (ctx: Context): boolean => ctx.getValue(SUPPRESS) === true;

/**
 * The one place otelite keeps process-wide state. It lives on `globalThis` under a registered
 * symbol so that two copies of otelite on a page (an app bundle and a library bundle, say)
 * share one SDK instead of silently splitting telemetry in two.
 */
export interface Globals {
  /** tracer provider */
  t?: unknown;
  /** context manager */
  c?: unknown;
  /** propagator */
  p?: unknown;
  /** meter provider */
  m?: unknown;
  /** logger provider */
  l?: unknown;
  /** diagnostic logger and its level */
  d?: unknown;
}

const KEY = Symbol.for('otelite');

/** The shared registry, created on first use (never at import time). */
export const globals = (): Globals =>
  ((globalThis as { [KEY]?: Globals })[KEY] ||= {});

/**
 * Installs `value` as the global `key` (tracer provider, context manager, propagator...) unless
 * one is installed already: first come, first served, as in `@opentelemetry/api`. Returns
 * whether it was installed.
 */
export const setGlobal = (key: keyof Globals, value: unknown): boolean => {
  const g = globals();
  return !g[key] && !!(g[key] = value);
};

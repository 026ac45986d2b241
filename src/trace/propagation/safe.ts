import { reportOnce } from '../../lib/diag';

/**
 * Runs `fn` and returns its result, or `fallback` when it throws: a broken propagator, getter or
 * setter (user code, or a `Headers.set` refusing a value) must never throw into the host.
 * Reported once, since it would otherwise repeat on every request.
 */
export const safe = <T>(fn: () => T, fallback: T): T => {
  try {
    return fn();
  } catch (e) {
    reportOnce('propagator', 'propagator failed', e);
    return fallback;
  }
};

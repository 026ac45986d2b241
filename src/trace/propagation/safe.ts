import { reportOnce } from '../../lib/diag';

/**
 * Reports a propagator's exception: a broken propagator, getter or setter (user code, or a
 * `Headers.set` refusing a value) must never throw into the host. Reported once, since it would
 * otherwise repeat on every request.
 */
export const fail = (e: unknown): void => reportOnce('propagator', 'propagator failed', e);

/**
 * `fn()`, or `fallback` when it throws (reported once): a propagator's exception never reaches
 * the caller.
 */
export const safe = <T>(fn: () => T, fallback: T): T => {
  try {
    return fn();
  } catch (e) {
    fail(e);
    return fallback;
  }
};

import type { TimeInput } from './types';

/*
 * Times are plain numbers of milliseconds since the epoch, with a fraction. A double holds
 * today's epoch in microseconds exactly (2^53 µs is year 2255), which is finer than any browser
 * clock (Chromium clamps performance.now() to 5-100 µs), and numbers cost nothing to pass
 * around, unlike otel-js's [seconds, nanos] tuples.
 */

/**
 * Now, in epoch milliseconds with sub-millisecond precision where the runtime has it.
 * workerd reports `performance.timeOrigin` as 0 and integer `performance.now()`: Date.now()
 * is then as good as it gets.
 */
export function now(): number {
  const o = performance.timeOrigin;
  return o ? o + performance.now() : Date.now();
}

/** Converts any {@link TimeInput} to epoch milliseconds. */
export function toMillis(t: TimeInput): number {
  if (typeof t == 'number') {
    // like otel-js: a number below the time origin is a performance.now() reading
    const o = performance.timeOrigin;
    return t < o ? o + t : t;
  }
  return t instanceof Date ? t.getTime() : t[0] * 1e3 + t[1] / 1e6;
}

/** Epoch milliseconds as OTLP's decimal-string nanoseconds, exact to the microsecond. */
export const toNanoString = (ms: number): string => (ms > 0 ? Math.round(ms * 1e3) + '000' : '0');

import type { TimeInput } from './types';

/*
 * Times are plain numbers of milliseconds since the epoch, with a fraction. A double holds
 * today's epoch in microseconds exactly (2^53 µs is year 2255), which is finer than any browser
 * clock (Chromium clamps performance.now() to 5-100 µs), and numbers cost nothing to pass
 * around, unlike otel-js's [seconds, nanos] tuples.
 */

/**
 * A clock for a long-lived owner (a tracer): {@link now}, bound to the `performance` object of
 * the moment. Looking the global `performance` up costs as much as a quarter of a span on Node,
 * where it is a getter (and `timeOrigin` another), and it never changes in practice.
 */
export const clock = (): (() => number) => {
  const p = performance;
  const o = p.timeOrigin;
  return o ? () => o + p.now() : () => Date.now();
};

/**
 * Now, in epoch milliseconds with sub-millisecond precision where the runtime has it.
 * workerd reports `performance.timeOrigin` as 0 and integer `performance.now()`: Date.now()
 * is then as good as it gets.
 */
export const now = (): number => {
  const p = performance;
  const o = p.timeOrigin;
  return o ? o + p.now() : Date.now();
};

/**
 * Converts any {@link TimeInput} to epoch milliseconds. A number below 1e12 (2001-09-09 as epoch
 * milliseconds, or 31 years of uptime as a `performance.now()` reading) is taken as a
 * `performance.now()` reading; anything larger is epoch milliseconds. otel-js compares with
 * `timeOrigin` instead, which misreads epoch times from before the process started (a queued
 * event's timestamp in a long-running worker) as offsets.
 */
export const toMillis = (t: TimeInput): number =>
  typeof t == 'number' ? (t < 1e12 ? performance.timeOrigin + t : t) : t instanceof Date ? t.getTime() : t[0] * 1e3 + t[1] / 1e6;

/**
 * `t` ({@link toMillis}) in epoch milliseconds, or `d()` when `t` is absent, is not a time
 * (`new Date(NaN)`, a string, a time past 2286, which OTLP's 64-bit nanoseconds could not
 * hold as the encoder writes them) or throws when read (a revoked proxy): what the SDKs do with
 * the times the host passes, which they read but never trust.
 */
export const millisOr = (t: unknown, d: () => number): number => {
  try {
    if (t != null && (t = toMillis(t as TimeInput)) > 0 && (t as number) < 1e13) return t as number;
  } catch {
    // d(), below
  }
  return d();
};

/** Epoch milliseconds as OTLP's decimal-string nanoseconds, exact to the microsecond. */
export const toNanoString = (ms: number): string => (ms > 0 ? Math.round(ms * 1e3) + '000' : '0');

import { afterEach, describe, expect, it, vi } from 'vitest';
import { clock, millisOr, now, toMillis, toNanoString } from './time';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const ORIGIN = 1_700_000_000_000.25;

describe('now', () => {
  it('is performance.timeOrigin + performance.now(), with sub-millisecond precision', () => {
    vi.stubGlobal('performance', { timeOrigin: ORIGIN, now: () => 12.125 });
    expect(now()).toBe(ORIGIN + 12.125);
    expect(now() % 1).toBeCloseTo(0.375, 6);
  });

  it('falls back to Date.now() where timeOrigin is 0 (workerd)', () => {
    vi.stubGlobal('performance', { timeOrigin: 0, now: () => 42 });
    vi.spyOn(Date, 'now').mockReturnValue(1_700_000_000_123);
    expect(now()).toBe(1_700_000_000_123);
  });

  it('tracks the wall clock in the real runtime', () => {
    const a = Date.now();
    const t = now();
    const b = Date.now();
    // performance's monotonic clock may drift from the wall clock a little over a long run
    expect(t).toBeGreaterThan(a - 50);
    expect(t).toBeLessThan(b + 50);
  });
});

describe('clock', () => {
  it('reads the performance object of its making, with sub-millisecond precision', () => {
    let t = 12.125;
    vi.stubGlobal('performance', { timeOrigin: ORIGIN, now: () => t });
    const c = clock();
    vi.stubGlobal('performance', { timeOrigin: 1, now: () => 2 });
    expect(c()).toBe(ORIGIN + 12.125);
    t = 13;
    expect(c()).toBe(ORIGIN + 13);
  });

  it('falls back to Date.now() where timeOrigin is 0 (workerd)', () => {
    vi.stubGlobal('performance', { timeOrigin: 0, now: () => 42 });
    const c = clock();
    vi.spyOn(Date, 'now').mockReturnValue(1_700_000_000_123);
    expect(c()).toBe(1_700_000_000_123);
  });
});

describe('millisOr', () => {
  const d = (): number => -1;
  it('takes what toMillis takes', () => {
    expect(millisOr(1_700_000_000_000.5, d)).toBe(1_700_000_000_000.5);
    expect(millisOr(new Date(1_700_000_000_000), d)).toBe(1_700_000_000_000);
    expect(millisOr([1_700_000_000, 500_000], d)).toBe(1_700_000_000_000.5);
  });

  it('falls back for what is absent, not a time, past what OTLP nanoseconds hold, or unreadable', () => {
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    for (const t of [undefined, null, NaN, 'soon', {}, new Date(NaN), 1e21, Infinity, revoked.proxy]) expect(millisOr(t, d)).toBe(-1);
  });
});

describe('toMillis', () => {
  it('keeps epoch milliseconds as they are', () => {
    const t = performance.timeOrigin + 86_400_000.5; // any epoch time after the time origin
    expect(toMillis(t)).toBe(t);
  });

  it('reads a small number as a performance.now() reading', () => {
    vi.stubGlobal('performance', { timeOrigin: ORIGIN, now: () => 0 });
    expect(toMillis(1234.5)).toBe(ORIGIN + 1234.5);
    expect(toMillis(0)).toBe(ORIGIN);
  });

  it('takes every number as epoch milliseconds where timeOrigin is 0', () => {
    vi.stubGlobal('performance', { timeOrigin: 0, now: () => 0 });
    expect(toMillis(1234.5)).toBe(1234.5);
  });

  it('converts a Date', () => {
    expect(toMillis(new Date(1_700_000_000_123))).toBe(1_700_000_000_123);
  });

  it('converts an HrTime [seconds, nanoseconds], keeping the fraction', () => {
    expect(toMillis([1_700_000_000, 123_456_789])).toBeCloseTo(1_700_000_000_123.456789, 3);
    expect(toMillis([1, 500_000])).toBe(1000.5);
  });

  it('agrees with performance.now() readings in the real runtime', () => {
    const p = performance.now();
    expect(toMillis(p)).toBeCloseTo(performance.timeOrigin + p, 6);
  });
});

describe('toNanoString', () => {
  it('writes decimal nanoseconds, exact to the microsecond', () => {
    expect(toNanoString(1.5)).toBe('1500000');
    expect(toNanoString(1_700_000_000_000.123)).toBe('1700000000000123000');
    expect(toNanoString(1_700_000_000_000)).toBe('1700000000000000000');
  });

  it('rounds below the microsecond', () => {
    expect(toNanoString(1.0004)).toBe('1000000');
    expect(toNanoString(1.0006)).toBe('1001000');
  });

  it('writes 0 for zero and negative times', () => {
    expect(toNanoString(0)).toBe('0');
    expect(toNanoString(-5)).toBe('0');
  });

  it('never uses exponent notation for current epoch times', () => {
    const s = toNanoString(Date.now() + 0.123);
    expect(s).toMatch(/^\d{19}$/);
  });
});

describe('toMillis: epoch or performance.now() reading', () => {
  it('reads an epoch number older than timeOrigin as epoch time (otel-js would add timeOrigin to it)', () => {
    vi.stubGlobal('performance', { timeOrigin: ORIGIN, now: () => 0 });
    const hourBefore = ORIGIN - 3_600_000;
    expect(toMillis(hourBefore)).toBe(hourBefore);
    expect(toMillis(new Date(hourBefore))).toBe(Math.floor(hourBefore));
  });

  it('takes numbers below 1e12 as performance.now() readings, from 1e12 on as epoch milliseconds', () => {
    vi.stubGlobal('performance', { timeOrigin: ORIGIN, now: () => 0 });
    // a process up for a year
    expect(toMillis(365 * 86_400_000)).toBe(ORIGIN + 365 * 86_400_000);
    expect(toMillis(1e12 - 1)).toBe(ORIGIN + 1e12 - 1);
    expect(toMillis(1e12)).toBe(1e12);
  });
});

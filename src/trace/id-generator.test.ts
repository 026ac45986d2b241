import { afterEach, describe, expect, it, vi } from 'vitest';
import { RandomIdGenerator } from './id-generator';
import { isValidSpanId, isValidTraceId } from './span-context';

/*
 * The id pool is module state: tests that count crypto calls or control the random bytes take a
 * fresh module (vi.resetModules + dynamic import).
 */
async function fresh(): Promise<RandomIdGenerator> {
  vi.resetModules();
  const m = await import('./id-generator');
  return new m.RandomIdGenerator();
}

const realGetRandomValues = crypto.getRandomValues.bind(crypto);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('RandomIdGenerator', () => {
  it('makes 32 and 16 lowercase hex characters, valid ids', () => {
    const g = new RandomIdGenerator();
    for (let i = 0; i < 500; i++) {
      const t = g.generateTraceId();
      const s = g.generateSpanId();
      expect(t).toMatch(/^[0-9a-f]{32}$/);
      expect(s).toMatch(/^[0-9a-f]{16}$/);
      expect(isValidTraceId(t)).toBe(true);
      expect(isValidSpanId(s)).toBe(true);
    }
  });

  it('does not repeat itself', () => {
    const g = new RandomIdGenerator();
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) seen.add(g.generateSpanId());
    expect(seen.size).toBe(5000);
  });

  it('uses every hex digit (no stuck nibbles)', () => {
    const g = new RandomIdGenerator();
    const digits = new Set<string>();
    for (let i = 0; i < 50; i++) for (const c of g.generateTraceId()) digits.add(c);
    expect(digits.size).toBe(16);
  });

  it('calls crypto only on first use, never at import time', async () => {
    const spy = vi.spyOn(crypto, 'getRandomValues');
    const g = await fresh();
    expect(spy).not.toHaveBeenCalled();
    g.generateSpanId();
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it('fills a 64 KiB pool per crypto call: 4096 trace ids or 8192 span ids, then refills', async () => {
    const spy = vi.spyOn(crypto, 'getRandomValues');
    const g = await fresh();
    for (let i = 0; i < 4096; i++) g.generateTraceId();
    expect(spy).toHaveBeenCalledTimes(1);
    g.generateTraceId();
    expect(spy).toHaveBeenCalledTimes(2);
    for (let i = 0; i < 8191; i++) g.generateSpanId(); // 16 + 8191 * 8 = 65544 > 65536
    expect(spy).toHaveBeenCalledTimes(3);
  });

  it('reads the pool in order and refills when an id would cross its end', async () => {
    let fill = 0;
    vi.spyOn(crypto, 'getRandomValues').mockImplementation(<T extends ArrayBufferView | null>(a: T): T => {
      const u = a as unknown as Uint8Array;
      fill++;
      for (let i = 0; i < u.length; i++) u[i] = ((i + fill) % 255) + 1; // never zero
      return a;
    });
    const g = await fresh();
    const hex = (from: number, n: number, f: number): string =>
      Array.from({ length: n }, (_, i) => (((from + i + f) % 255) + 1).toString(16).padStart(2, '0')).join('');
    expect(g.generateSpanId()).toBe(hex(0, 8, 1));
    expect(g.generateTraceId()).toBe(hex(8, 16, 1));
    // 8 + 16 + 8189 * 8 = 65536: the pool is used up exactly; the next id comes from a new fill
    for (let i = 0; i < 8189; i++) g.generateSpanId();
    expect(g.generateSpanId()).toBe(hex(0, 8, 2));
  });

  it('never returns an all-zero id: zero bytes from crypto are skipped', async () => {
    let calls = 0;
    vi.spyOn(crypto, 'getRandomValues').mockImplementation(<T extends ArrayBufferView | null>(a: T): T => {
      if (calls++ == 0) {
        (a as unknown as Uint8Array).fill(0);
        return a;
      }
      return realGetRandomValues(a as unknown as Uint8Array) as unknown as T;
    });
    const g = await fresh();
    const t = g.generateTraceId();
    expect(isValidTraceId(t)).toBe(true);
    expect(calls).toBe(2); // the zero pool was used up and refilled
    expect(isValidSpanId(g.generateSpanId())).toBe(true);
  });

  it('a crypto that only ever returns zeros gets valid ids, and does not hang', async () => {
    vi.spyOn(crypto, 'getRandomValues').mockImplementation(<T extends ArrayBufferView | null>(a: T): T => {
      (a as unknown as Uint8Array).fill(0);
      return a;
    });
    const g = await fresh();
    expect(g.generateTraceId()).toBe('0'.repeat(31) + '1');
    expect(g.generateSpanId()).toBe('0'.repeat(15) + '1');
  });

  it('skips just the zero id when only part of the pool is zero', async () => {
    vi.spyOn(crypto, 'getRandomValues').mockImplementation(<T extends ArrayBufferView | null>(a: T): T => {
      const u = a as unknown as Uint8Array;
      u.fill(0xab);
      u.fill(0, 0, 8); // the first span id's bytes are all zero
      u[8] = 0x01;
      u[16] = 0; // the second id starts with a zero byte
      return a;
    });
    const g = await fresh();
    expect(g.generateSpanId()).toBe('01ababababababab');
    // an id with some zero bytes is fine
    expect(g.generateSpanId()).toBe('00ababababababab');
  });

  it('throws out of the generator when crypto is unavailable (the tracer catches it)', async () => {
    vi.spyOn(crypto, 'getRandomValues').mockImplementation(() => {
      throw new Error('Disallowed operation called within global scope');
    });
    const g = await fresh();
    expect(() => g.generateSpanId()).toThrow();
  });
});

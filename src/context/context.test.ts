import { createContextKey as otelKey, ROOT_CONTEXT as OTEL_ROOT } from '@opentelemetry/api';
import { describe, it, expect } from 'vitest';
import { createContextKey, ROOT_CONTEXT } from './context';
import type { Context } from './types';

const A = createContextKey('test a');
const B = createContextKey('test b');
const C = createContextKey('test c');

/** How many nodes the context's chain has (white box: the bounded-memory guarantee). */
const chainLength = (ctx: Context): number => {
  let n = 0;
  for (let c = ctx as unknown as { p?: unknown } | undefined; c; c = c.p as typeof c) n++;
  return n;
};

describe('createContextKey', () => {
  it('is Symbol.for(description), the very key @opentelemetry/api makes', () => {
    expect(createContextKey('x')).toBe(Symbol.for('x'));
    expect(createContextKey('OpenTelemetry Context Key SPAN')).toBe(otelKey('OpenTelemetry Context Key SPAN'));
    expect(typeof A).toBe('symbol');
  });
});

describe('Context', () => {
  it('the root context holds nothing', () => {
    expect(ROOT_CONTEXT.getValue(A)).toBeUndefined();
  });

  it('setValue returns a new context and leaves the old one unchanged', () => {
    const c1 = ROOT_CONTEXT.setValue(A, 1);
    const c2 = c1.setValue(B, 2);
    expect(c1).not.toBe(ROOT_CONTEXT);
    expect(c2).not.toBe(c1);
    expect(ROOT_CONTEXT.getValue(A)).toBeUndefined();
    expect(c1.getValue(A)).toBe(1);
    expect(c1.getValue(B)).toBeUndefined();
    expect(c2.getValue(A)).toBe(1);
    expect(c2.getValue(B)).toBe(2);
  });

  it('a later set wins, and the earlier context still sees its own value', () => {
    const c1 = ROOT_CONTEXT.setValue(A, 1).setValue(B, 2).setValue(C, 3);
    const c2 = c1.setValue(A, 4);
    expect([c2.getValue(A), c2.getValue(B), c2.getValue(C)]).toEqual([4, 2, 3]);
    expect([c1.getValue(A), c1.getValue(B), c1.getValue(C)]).toEqual([1, 2, 3]);
  });

  it('deleteValue removes the key entirely (an older value does not come back)', () => {
    const c1 = ROOT_CONTEXT.setValue(A, 1).setValue(B, 2).setValue(A, 3);
    const c2 = c1.deleteValue(A);
    expect(c2.getValue(A)).toBeUndefined();
    expect(c2.getValue(B)).toBe(2);
    expect(c1.getValue(A)).toBe(3);
    expect(c2.deleteValue(B).getValue(B)).toBeUndefined();
  });

  it('compaction keeps every live value and drops deleted keys', () => {
    const keys = Array.from({ length: 40 }, (_, i) => createContextKey('compaction ' + i));
    let c: Context = ROOT_CONTEXT;
    keys.forEach((k, i) => (c = c.setValue(k, i)));
    c = c.deleteValue(keys[3]).setValue(keys[5], 'five');
    for (let i = 0; i < 50; i++) c = c.setValue(A, i);
    expect(keys.map((k) => c.getValue(k))).toEqual(keys.map((_, i) => (i == 3 ? undefined : i == 5 ? 'five' : i)));
    expect(c.getValue(A)).toBe(49);
    // more live keys than the cap: every set compacts, the chain is 39 keys + A (old, new) + root
    expect(chainLength(c)).toBeLessThanOrEqual(42);
  });

  it('deleteValue of an absent key returns the same context', () => {
    const c1 = ROOT_CONTEXT.setValue(A, 1);
    expect(c1.deleteValue(B)).toBe(c1);
    expect(ROOT_CONTEXT.deleteValue(A)).toBe(ROOT_CONTEXT);
  });

  it('keeps falsy values apart from absent ones', () => {
    const c = ROOT_CONTEXT.setValue(A, 0).setValue(B, null).setValue(C, false);
    expect([c.getValue(A), c.getValue(B), c.getValue(C)]).toEqual([0, null, false]);
  });

  it('a context derived from itself again and again stays bounded (old values are not kept)', () => {
    // a timer loop that starts each span from the previous tick's context does exactly this
    let c: Context = ROOT_CONTEXT.setValue(B, 'b');
    for (let i = 0; i < 10_000; i++) c = c.setValue(A, i).setValue(C, i);
    expect(c.getValue(A)).toBe(9_999);
    expect(c.getValue(C)).toBe(9_999);
    expect(c.getValue(B)).toBe('b');
    expect(chainLength(c)).toBeLessThanOrEqual(33); // the chain is compacted at 32 nodes
    for (let i = 0; i < 100; i++) c = c.deleteValue(A).setValue(A, i);
    expect(chainLength(c)).toBeLessThanOrEqual(33);
    expect([c.getValue(A), c.getValue(B), c.getValue(C)]).toEqual([99, 'b', 9_999]);
  });

  it('works with keys made by @opentelemetry/api and is usable next to its root context', () => {
    const key = otelKey('shared');
    const c = ROOT_CONTEXT.setValue(key, 'v');
    expect(c.getValue(Symbol.for('shared'))).toBe('v');
    expect(OTEL_ROOT.setValue(key, 'w').getValue(createContextKey('shared'))).toBe('w');
  });
});

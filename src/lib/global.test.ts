import { beforeEach, describe, expect, it, vi } from 'vitest';
import { globals } from './global';

const KEY = Symbol.for('otelite');
type G = { [KEY]?: Record<string, unknown> };

beforeEach(() => {
  delete (globalThis as G)[KEY];
});

describe('globals', () => {
  it('creates the registry on first use, on globalThis under Symbol.for("otelite")', () => {
    expect((globalThis as G)[KEY]).toBeUndefined();
    const g = globals();
    expect(g).toEqual({});
    expect((globalThis as G)[KEY]).toBe(g);
  });

  it('returns the same registry on every call', () => {
    const g = globals();
    g.t = 'provider';
    expect(globals()).toBe(g);
    expect(globals().t).toBe('provider');
  });

  it('shares state with another copy of otelite (one registry per realm)', () => {
    // another bundle made the registry first
    const theirs = { c: 'their manager' };
    (globalThis as G)[KEY] = theirs;
    expect(globals()).toBe(theirs);
    expect(globals().c).toBe('their manager');
  });

  it('does nothing at import time', async () => {
    vi.resetModules();
    const mod = await import('./global');
    expect((globalThis as G)[KEY]).toBeUndefined();
    mod.globals();
    expect((globalThis as G)[KEY]).toBeDefined();
  });
});

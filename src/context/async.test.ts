import { AsyncLocalStorage } from 'node:async_hooks';
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, it, expect, vi } from 'vitest';
import { AsyncContextManager } from './async';
import { createContextKey, ROOT_CONTEXT } from './context';
import type { Context } from './types';

const K = createContextKey('async test');
const ctx = (v: unknown): Context => ROOT_CONTEXT.setValue(K, v);
const val = (m: AsyncContextManager): unknown => m.active().getValue(K);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A fresh copy of the module, so module state (what load() found, the one warning) starts
 * clean; with its own copy of the root context.
 */
const fresh = async (): Promise<typeof import('./async') & typeof import('./context')> => {
  vi.resetModules();
  return { ...(await import('./async')), ...(await import('./context')) };
};

type Proc = { getBuiltinModule?: unknown };
/** Hides process.getBuiltinModule, as on workerd with only nodejs_als (no process there). */
const hideBuiltins = (): (() => void) => {
  const p = process as Proc;
  const saved = p.getBuiltinModule;
  p.getBuiltinModule = undefined;
  return () => {
    p.getBuiltinModule = saved;
  };
};

afterEach(() => {
  vi.restoreAllMocks();
  vi.doUnmock('node:async_hooks');
});

describe('AsyncContextManager on Node (AsyncLocalStorage)', () => {
  let m: AsyncContextManager;
  beforeEach(() => {
    m = new AsyncContextManager().enable();
  });
  afterEach(() => {
    m.disable();
  });

  it('finds AsyncLocalStorage without an import here', () => {
    expect(AsyncContextManager.isAvailable()).toBe(true);
  });

  it('starts at the root; with() sets and restores, passing this and arguments', () => {
    expect(m.active()).toBe(ROOT_CONTEXT);
    const self = { n: 1 };
    const r = m.with(ctx(1), function (this: typeof self, a: number) {
      return [val(m), this.n, a];
    }, self, 7);
    expect(r).toEqual([1, 1, 7]);
    expect(m.active()).toBe(ROOT_CONTEXT);
  });

  it('keeps the context across await, setTimeout, setImmediate, Promise.then and queueMicrotask', async () => {
    const c = ctx('a');
    const seen = await m.with(c, async () => {
      const out: Record<string, unknown> = {};
      await null;
      out.await1 = m.active();
      await sleep(2);
      out.await2 = m.active();
      out.timer = await new Promise((r) => setTimeout(() => r(m.active()), 1));
      out.immediate = await new Promise((r) => setImmediate(() => r(m.active())));
      out.then = await Promise.resolve().then(() => m.active());
      out.micro = await new Promise((r) => queueMicrotask(() => r(m.active())));
      out.emitter = await new Promise((r) => {
        const e = new EventEmitter();
        e.on('x', () => r(m.active()));
        setTimeout(() => e.emit('x'), 1);
      });
      return out;
    });
    for (const [where, got] of Object.entries(seen)) expect([where, got]).toEqual([where, c]);
    expect(m.active()).toBe(ROOT_CONTEXT);
  });

  it('nested with() sees the inner context, then the outer again, also across await', async () => {
    const seen: unknown[] = [];
    await m.with(ctx('outer'), async () => {
      seen.push(val(m));
      await m.with(ctx('inner'), async () => {
        await sleep(1);
        seen.push(val(m));
      });
      seen.push(val(m));
      await sleep(1);
      seen.push(val(m));
    });
    expect(seen).toEqual(['outer', 'inner', 'outer', 'outer']);
  });

  it('concurrent interleaved flows keep their own context', async () => {
    const seen: string[] = [];
    const flow = (name: string, delays: number[]) =>
      m.with(ctx(name), async () => {
        for (const d of delays) {
          await sleep(d);
          seen.push(`${name}:${String(val(m))}`);
          await m.with(ctx(`${name}-child`), async () => {
            await null;
            seen.push(`${name}-child:${String(val(m))}`);
          });
        }
      });
    await Promise.all([flow('a', [3, 1, 4, 1]), flow('b', [1, 5, 1, 2]), flow('c', [2, 2, 2, 2])]);
    expect(seen).toHaveLength(24);
    for (const s of seen) {
      const [who, got] = s.split(':');
      expect(got).toBe(who);
    }
    // they really interleaved
    expect(seen.slice(0, 6).map((s) => s[0])).not.toEqual(['a', 'a', 'a', 'a', 'a', 'a']);
  });

  it('restores the outer context after a thrown error and after a rejection', async () => {
    await m.with(ctx('outer'), async () => {
      expect(() =>
        m.with(ctx('inner'), () => {
          throw new Error('sync');
        }),
      ).toThrow('sync');
      expect(val(m)).toBe('outer');
      await expect(
        m.with(ctx('inner'), async () => {
          await sleep(1);
          throw new Error('async');
        }),
      ).rejects.toThrow('async');
      expect(val(m)).toBe('outer');
      try {
        await m.with(ctx('inner'), async () => {
          await null;
          throw new Error('x');
        });
      } catch {
        expect(val(m)).toBe('outer');
      } finally {
        expect(val(m)).toBe('outer');
      }
    });
    expect(m.active()).toBe(ROOT_CONTEXT);
  });

  it('bind() runs a function with the bound context wherever it is called', async () => {
    const f = m.bind(ctx('bound'), function (this: unknown, a: number) {
      return [val(m), this, a];
    });
    const self = {};
    expect(f.call(self, 1)).toEqual(['bound', self, 1]);
    expect(m.with(ctx('other'), () => f.call(undefined, 2))[0]).toBe('bound');
    const later = await m.with(ctx('other'), () => new Promise((r) => setTimeout(() => r(f.call(undefined, 3)[0]), 1)));
    expect(later).toBe('bound');
    const o = {};
    expect(m.bind(ctx(1), o)).toBe(o);
  });

  it('disable() forgets every context set so far; the manager keeps working', async () => {
    const p = m.with(ctx('before'), async () => {
      await sleep(5);
      return m.active();
    });
    m.disable();
    expect(await p).toBe(ROOT_CONTEXT);
    expect(m.with(ctx('after'), () => val(m))).toBe('after');
  });

  it('two managers do not see each other', () => {
    const other = new AsyncContextManager();
    m.with(ctx('m'), () => expect(other.active()).toBe(ROOT_CONTEXT));
  });
});

describe('native AsyncContext (polyfilled on AsyncLocalStorage)', () => {
  const made: Variable[] = [];
  class Variable {
    private s = new AsyncLocalStorage<unknown>();
    readonly name: string;
    constructor(o?: { name?: string }) {
      this.name = o?.name ?? '';
      made.push(this);
    }
    run<R, A extends unknown[]>(value: unknown, fn: (...args: A) => R, ...args: A): R {
      return this.s.run(value, fn, ...args);
    }
    get(): unknown {
      return this.s.getStore();
    }
  }
  const g = globalThis as { AsyncContext?: unknown };

  beforeEach(() => {
    made.length = 0;
  });
  afterEach(() => {
    delete g.AsyncContext;
  });

  it('is detected at first use, not at import or construction, and used for everything', async () => {
    const m = new AsyncContextManager(); // before the runtime "has" AsyncContext
    g.AsyncContext = { Variable };
    const builtins = vi.spyOn(process as { getBuiltinModule(id: string): unknown }, 'getBuiltinModule');
    const c = ctx('native');
    const after = await m.with(c, async () => {
      await sleep(1);
      return m.active();
    });
    expect(after).toBe(c);
    expect(made).toHaveLength(1);
    expect(made[0].name).toBe('otelite');
    expect(builtins).not.toHaveBeenCalled();
    // the manager reads the variable itself, and with() writes it
    expect(made[0].run(ctx('set by the variable'), () => val(m))).toBe('set by the variable');
    expect(m.with(c, () => made[0].get())).toBe(c);
  });

  it('is preferred to an AsyncLocalStorage passed in, and enable() picks it', () => {
    g.AsyncContext = { Variable };
    const als = vi.fn(() => new AsyncLocalStorage());
    const m = new AsyncContextManager({ AsyncLocalStorage: als }).enable();
    expect(made).toHaveLength(1);
    expect(als).not.toHaveBeenCalled();
    expect(m.with(ctx(1), () => made[0].get())).toEqual(ctx(1));
    expect(AsyncContextManager.isAvailable()).toBe(true);
  });

  it('keeps interleaved flows apart', async () => {
    g.AsyncContext = { Variable };
    const m = new AsyncContextManager().enable();
    const run = (v: string, d: number) =>
      m.with(ctx(v), async () => {
        await sleep(d);
        const a = val(m);
        await sleep(d);
        return [a, val(m)];
      });
    expect(await Promise.all([run('x', 3), run('y', 1)])).toEqual([
      ['x', 'x'],
      ['y', 'y'],
    ]);
  });
});

describe('finding AsyncLocalStorage where only an import reaches it (workerd with nodejs_als)', () => {
  it('isAvailable() is false, load() imports node:async_hooks and then managers work', async () => {
    const restore = hideBuiltins();
    try {
      const { AsyncContextManager: M } = await fresh();
      expect(M.isAvailable()).toBe(false);
      await expect(M.load()).resolves.toBe(true);
      expect(M.isAvailable()).toBe(true);
      const m = new M().enable();
      const c = ctx('loaded');
      expect(await m.with(c, async () => (await sleep(1), m.active()))).toBe(c);
    } finally {
      restore();
    }
  });

  it('a class passed in works without load()', async () => {
    const restore = hideBuiltins();
    try {
      const { AsyncContextManager: M } = await fresh();
      const m = new M({ AsyncLocalStorage });
      const c = ctx('given');
      expect(await m.with(c, async () => (await sleep(1), m.active()))).toBe(c);
    } finally {
      restore();
    }
  });

  it('load() resolves false (never rejects) when the import fails, as on workerd without a flag', async () => {
    const restore = hideBuiltins();
    vi.doMock('node:async_hooks', () => {
      throw new Error('No such module "node:async_hooks".');
    });
    try {
      const { AsyncContextManager: M } = await fresh();
      await expect(M.load()).resolves.toBe(false);
      expect(M.isAvailable()).toBe(false);
    } finally {
      restore();
    }
  });
});

describe('with neither AsyncContext nor AsyncLocalStorage', () => {
  it('warns once naming the Cloudflare flag, then works like the stack manager', async () => {
    const restore = hideBuiltins();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const { AsyncContextManager: M, ROOT_CONTEXT: ROOT } = await fresh();
      const m = new M().enable();
      const m2 = new M();
      expect(m2.active()).toBe(ROOT);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toMatch(/AsyncLocalStorage.*nodejs_compat or nodejs_als flag and await AsyncContextManager.load/);
      const c = ctx('sync');
      expect(m.with(c, () => m.active())).toBe(c);
      expect(m.active()).toBe(ROOT);
      const f = m.bind(c, () => m.active());
      expect(f()).toBe(c);
      // async continuations are not followed
      expect(await m.with(c, () => new Promise((r) => setTimeout(() => r(m.active()), 1)))).toBe(ROOT);
      // a later enable() looks again: here after load() made the class available
      await M.load();
      m.enable();
      expect(await m.with(c, async () => (await sleep(1), m.active()))).toBe(c);
      expect(warn).toHaveBeenCalledTimes(1);
    } finally {
      restore();
    }
  });
});

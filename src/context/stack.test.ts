import { describe, it, expect } from 'vitest';
import { createContextKey, ROOT_CONTEXT } from './context';
import { StackContextManager } from './stack';

const K = createContextKey('stack test');
const c1 = ROOT_CONTEXT.setValue(K, 1);
const c2 = ROOT_CONTEXT.setValue(K, 2);

describe('StackContextManager', () => {
  it('starts at the root context; enable and disable return the manager', () => {
    const m = new StackContextManager();
    expect(m.active()).toBe(ROOT_CONTEXT);
    expect(m.enable()).toBe(m);
    expect(m.disable()).toBe(m);
  });

  it('with() sets the context for the call and restores it after', () => {
    const m = new StackContextManager().enable();
    const r = m.with(c1, () => {
      expect(m.active()).toBe(c1);
      m.with(c2, () => expect(m.active()).toBe(c2));
      expect(m.active()).toBe(c1);
      return 'r';
    });
    expect(r).toBe('r');
    expect(m.active()).toBe(ROOT_CONTEXT);
  });

  it('passes thisArg and arguments', () => {
    const m = new StackContextManager();
    const self = { n: 1 };
    const r = m.with(c1, function (this: typeof self, a: number, b: string) {
      return [this.n, a, b];
    }, self, 2, 'x');
    expect(r).toEqual([1, 2, 'x']);
  });

  it('restores the outer context when the function throws', () => {
    const m = new StackContextManager();
    m.with(c1, () => {
      expect(() => m.with(c2, () => {
        throw new Error('boom');
      })).toThrow('boom');
      expect(m.active()).toBe(c1);
    });
    expect(m.active()).toBe(ROOT_CONTEXT);
  });

  it('bind() makes a function run with the context, passing this and arguments', () => {
    const m = new StackContextManager();
    const f = m.bind(c1, function (this: unknown, a: number) {
      return [m.active(), this, a];
    });
    const self = {};
    expect(f.call(self, 5)).toEqual([c1, self, 5]);
    m.with(c2, () => expect(f.call(undefined, 1)[0]).toBe(c1));
    expect(m.active()).toBe(ROOT_CONTEXT);
  });

  it('bind() returns anything but a function unchanged', () => {
    const m = new StackContextManager();
    const o = { addEventListener() {}, removeEventListener() {} };
    expect(m.bind(c1, o)).toBe(o);
    expect(m.bind(c1, 3)).toBe(3);
    expect(m.bind(c1, null)).toBe(null);
  });

  it('disable() forgets the active context', () => {
    const m = new StackContextManager();
    m.with(c1, () => {
      m.disable();
      expect(m.active()).toBe(ROOT_CONTEXT);
    });
  });

  it('follows synchronous calls only: async continuations start from the root (documented limit)', async () => {
    const m = new StackContextManager();
    const seen = await m.with(c1, async () => {
      const timer = await new Promise((r) => setTimeout(() => r(m.active()), 1));
      return [timer, m.active()];
    });
    expect(seen).toEqual([ROOT_CONTEXT, ROOT_CONTEXT]);
  });
});

import { beforeEach, describe, expect, it, vi } from 'vitest';
import { context } from './api';
import { createContextKey, ROOT_CONTEXT } from './context';
import { StackContextManager } from './stack';
import type { Context, ContextManager } from './types';

const KEY = Symbol.for('otelite');
const K = createContextKey('otelite test key');

beforeEach(() => {
  delete (globalThis as { [KEY]?: unknown })[KEY];
});

function fakeManager(active: Context): ContextManager & { [k: string]: ReturnType<typeof vi.fn> } {
  const m = {
    active: vi.fn(() => active),
    with: vi.fn((_c: Context, fn: (...a: unknown[]) => unknown, thisArg?: unknown, ...args: unknown[]) =>
      fn.call(thisArg, ...args),
    ),
    bind: vi.fn((_c: Context, t: unknown) => ({ bound: t })),
    enable: vi.fn(() => m),
    disable: vi.fn(() => m),
  };
  return m as unknown as ContextManager & { [k: string]: ReturnType<typeof vi.fn> };
}

describe('context API without a manager', () => {
  it('has the root context active', () => {
    expect(context.active()).toBe(ROOT_CONTEXT);
  });

  it('with() calls fn with thisArg and args and returns its value', () => {
    const self = { tag: 'this' };
    const ctx = ROOT_CONTEXT.setValue(K, 1);
    const r = context.with(
      ctx,
      function (this: typeof self, a: number, b: string) {
        return [this.tag, a, b];
      },
      self,
      1,
      'x',
    );
    expect(r).toEqual(['this', 1, 'x']);
  });

  it('with() cannot make ctx active: there is nothing to carry it', () => {
    const ctx = ROOT_CONTEXT.setValue(K, 1);
    expect(context.with(ctx, () => context.active())).toBe(ROOT_CONTEXT);
  });

  it('with() lets exceptions through unchanged', () => {
    const err = new Error('user code');
    expect(() =>
      context.with(ROOT_CONTEXT, () => {
        throw err;
      }),
    ).toThrow(err);
  });

  it('bind() returns the target unchanged', () => {
    const fn = (): number => 1;
    const obj = {};
    expect(context.bind(ROOT_CONTEXT, fn)).toBe(fn);
    expect(context.bind(ROOT_CONTEXT, obj)).toBe(obj);
  });

  it('disable() is harmless', () => {
    expect(() => context.disable()).not.toThrow();
  });
});

describe('context API with a manager', () => {
  it('installs a manager once; a second one is refused', () => {
    const a = fakeManager(ROOT_CONTEXT);
    const b = fakeManager(ROOT_CONTEXT);
    expect(context.setGlobalContextManager(a)).toBe(true);
    expect(context.setGlobalContextManager(b)).toBe(false);
    context.active();
    expect(a.active).toHaveBeenCalled();
    expect(b.active).not.toHaveBeenCalled();
  });

  it('delegates active, with and bind', () => {
    const ctx = ROOT_CONTEXT.setValue(K, 'v');
    const m = fakeManager(ctx);
    context.setGlobalContextManager(m);
    expect(context.active()).toBe(ctx);
    const fn = vi.fn(() => 7);
    expect(context.with(ctx, fn, undefined, 1, 2)).toBe(7);
    expect(m.with).toHaveBeenCalledWith(ctx, fn, undefined, 1, 2);
    expect(fn).toHaveBeenCalledWith(1, 2);
    expect(context.bind(ctx, 'target')).toEqual({ bound: 'target' });
    expect(m.bind).toHaveBeenCalledWith(ctx, 'target');
  });

  it('works with the stack manager: ctx is active inside with(), restored after', () => {
    context.setGlobalContextManager(new StackContextManager().enable());
    const ctx = ROOT_CONTEXT.setValue(K, 'inside');
    const seen = context.with(ctx, () => context.active().getValue(K));
    expect(seen).toBe('inside');
    expect(context.active()).toBe(ROOT_CONTEXT);
    const bound = context.bind(ctx, () => context.active().getValue(K));
    expect(bound()).toBe('inside');
  });

  it('disable() disables and removes the manager; another can then be installed', () => {
    const m = fakeManager(ROOT_CONTEXT.setValue(K, 1));
    context.setGlobalContextManager(m);
    context.disable();
    expect(m.disable).toHaveBeenCalledTimes(1);
    expect(context.active()).toBe(ROOT_CONTEXT);
    expect(context.setGlobalContextManager(fakeManager(ROOT_CONTEXT))).toBe(true);
  });

  it('uses a manager installed by another copy of otelite (the shared registry)', () => {
    const ctx = ROOT_CONTEXT.setValue(K, 'theirs');
    (globalThis as { [KEY]?: unknown })[KEY] = { c: fakeManager(ctx) };
    expect(context.active()).toBe(ctx);
  });
});

import { ROOT_CONTEXT } from './context';
import type { Context, ContextManager } from './types';

/**
 * The default context manager: the active context follows synchronous calls only. It is what
 * a page gets without zone.js or the esbuild plugin; async continuations start from the root.
 */
export class StackContextManager implements ContextManager {
  private c: Context = ROOT_CONTEXT;

  /** {@inheritDoc ContextManager.active} */
  active(): Context {
    return this.c;
  }

  /** {@inheritDoc ContextManager.with} */
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const prev = this.c;
    this.c = context;
    try {
      return fn.apply(thisArg, args);
    } finally {
      this.c = prev;
    }
  }

  /** {@inheritDoc ContextManager.bind} */
  bind<T>(context: Context, target: T): T {
    const m = this;
    return typeof target == 'function'
      ? (function (this: unknown, ...args: unknown[]) {
          return m.with(context, target as (...a: unknown[]) => unknown, this, ...args);
        } as T)
      : target;
  }

  /** {@inheritDoc ContextManager.enable} */
  enable(): this {
    return this;
  }

  /** {@inheritDoc ContextManager.disable} */
  disable(): this {
    this.c = ROOT_CONTEXT;
    return this;
  }
}

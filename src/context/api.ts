import { globals, setGlobal } from '../lib/global';
import { ROOT_CONTEXT } from './context';
import type { Context, ContextManager } from './types';

const manager = (): ContextManager | undefined => globals().c as ContextManager | undefined;

/**
 * The context API, shaped like `@opentelemetry/api`'s `context`. Without a registered manager
 * the root context is always active and `with` simply calls the function.
 */
export const context = {
  /** The active context. */
  active: (): Context => manager()?.active() || ROOT_CONTEXT,

  /** Runs `fn` with `ctx` active. */
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const m = manager();
    return m ? m.with(ctx, fn, thisArg, ...args) : fn.apply(thisArg, args);
  },

  /** Binds `target` to `ctx` (or to the active context). */
  bind: <T>(ctx: Context, target: T): T => (manager()?.bind(ctx, target) ?? target),

  /** Installs the global context manager; false when one is installed already. */
  setGlobalContextManager: (m: ContextManager): boolean => setGlobal('c', m),

  /** Disables and removes the global context manager. */
  disable(): void {
    manager()?.disable();
    globals().c = undefined;
  },
};

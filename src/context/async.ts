import { warnConfig } from '../lib/diag';
import { ROOT_CONTEXT } from './context';
import { StackContextManager } from './stack';
import type { Context } from './types';

/**
 * The part of `AsyncLocalStorage` (from `node:async_hooks`) that otelite uses: `run` and
 * `getStore` only, because workerd implements no more (`enterWith` and `disable` throw there).
 */
export interface AsyncLocalStorageLike {
  /** Calls `fn(...args)` with `store` as the store of everything it starts. */
  run<R, A extends unknown[]>(store: Context, fn: (...args: A) => R, ...args: A): R;
  /** The store of the running code, if any. */
  getStore(): unknown;
}

/** A constructor of {@link AsyncLocalStorageLike}, such as `AsyncLocalStorage` itself. */
export type AsyncLocalStorageClass = new () => AsyncLocalStorageLike;

/** Options of {@link AsyncContextManager}. */
export interface AsyncContextManagerOptions {
  /**
   * The `AsyncLocalStorage` class to use when the runtime has no native `AsyncContext`. Only
   * needed where otelite cannot find it itself (see {@link AsyncContextManager.load}); pass
   * the class you imported: `import { AsyncLocalStorage } from 'node:async_hooks'`.
   */
  AsyncLocalStorage?: AsyncLocalStorageClass;
}

/** `AsyncContext.Variable` of the TC39 proposal (only what is used here). */
type Variable = new (options: { name: string }) => {
  run<R, A extends unknown[]>(value: Context, fn: (...args: A) => R, ...args: A): R;
  get(): unknown;
};

/** The globals this module looks at, all optional. */
interface Env {
  AsyncContext?: { Variable?: Variable };
  /** Vercel's and Next.js's edge runtimes put the class on globalThis. */
  AsyncLocalStorage?: AsyncLocalStorageClass;
  process?: { getBuiltinModule?(id: string): { AsyncLocalStorage?: AsyncLocalStorageClass } | undefined };
}

/** A store: how to run `Reflect.apply(fn, thisArg, args)` with a context, and how to read it. */
type Slot = [
  run: <R>(context: Context, apply: typeof Reflect.apply, fn: () => R, thisArg: unknown, args: unknown[]) => R,
  get: () => unknown,
];

const G = globalThis as Env;
let loaded: AsyncLocalStorageClass | undefined;
let warned = false;

/** `AsyncLocalStorage` found without an import: loaded before, a global, or a builtin module. */
const findAls = (): AsyncLocalStorageClass | undefined => {
  try {
    // process.getBuiltinModule: Node >= 20.16, Deno 2, Bun, workerd with nodejs_compat and a
    // compatibility date from 2024-09-23 on (measured: an older date has no `process`)
    return loaded || G.AsyncLocalStorage || G.process?.getBuiltinModule?.('node:async_hooks')?.AsyncLocalStorage;
  } catch {
    return undefined;
  }
};

/** The store to use, native first; null (and one warning) when the runtime has none. */
const makeSlot = (given?: AsyncLocalStorageClass): Slot | null => {
  try {
    const V = G.AsyncContext?.Variable;
    // no class at all throws here too: `new undefined()`
    const s = V ? new V({ name: 'otelite' }) : new (given || findAls())!();
    return [s.run.bind(s), ((s as { get?(): unknown }).get || (s as AsyncLocalStorageLike).getStore).bind(s)] as Slot;
  } catch {
    // none, or a broken global: treated as absent
  }
  if (!warned) {
    warned = true;
    warnConfig(
      'contextManager',
      'neither AsyncContext nor AsyncLocalStorage (Workers: nodejs_compat or nodejs_als flag and await AsyncContextManager.load())',
      'StackContextManager',
    );
  }
  return null;
};

/**
 * A context manager that follows async code (await, timers, fetch, `ctx.waitUntil`) on
 * workerd, Deno and Node. It uses the native `AsyncContext.Variable` when the runtime has one,
 * else `AsyncLocalStorage` from `node:async_hooks`, looked up (not imported) on first use or at
 * `enable()`: importing this module never fails and never touches `node:` modules, so it also
 * leaves browser bundles alone.
 *
 * Finding `AsyncLocalStorage`: `options.AsyncLocalStorage`, else one loaded by
 * {@link AsyncContextManager.load}, else `globalThis.AsyncLocalStorage`, else
 * `process.getBuiltinModule('node:async_hooks')` (Node >= 20.16, Deno 2, workerd with
 * `nodejs_compat` and a compatibility date from 2024-09-23 on). On workerd with only
 * `nodejs_als`, or an older date, there is no `process`: await
 * `AsyncContextManager.load()` (or pass the class) before the manager is first used.
 *
 * Limits: the context follows only what the runtime tracks; with no store at all it warns
 * once and works like {@link StackContextManager}. `disable()` forgets every context set so
 * far (a new store is made on next use); it never calls `AsyncLocalStorage.disable`, which
 * throws on workerd.
 */
export class AsyncContextManager extends StackContextManager {
  /** The store: undefined before first use, null when the runtime has none. */
  private s?: Slot | null;

  /** @param o - see {@link AsyncContextManagerOptions} */
  constructor(private readonly o: AsyncContextManagerOptions = {}) {
    super();
  }

  /**
   * True when this runtime has native `AsyncContext` or an `AsyncLocalStorage` that can be
   * found without an import (see the class notes). False on workerd without
   * `nodejs_compat`: there, use {@link AsyncContextManager.load}.
   */
  static isAvailable(): boolean {
    return !!(G.AsyncContext?.Variable || findAls());
  }

  /**
   * Makes `AsyncLocalStorage` available where only an import reaches it (workerd with the
   * `nodejs_als` flag, Node < 20.16) by importing `node:async_hooks` dynamically. Resolves to
   * what {@link AsyncContextManager.isAvailable} then says; never rejects. When it resolves
   * false on Cloudflare Workers, the worker lacks `compatibility_flags = ["nodejs_als"]` (or
   * `"nodejs_compat"`).
   */
  static async load(): Promise<boolean> {
    if (!AsyncContextManager.isAvailable()) {
      try {
        // Inside try, esbuild (and so wrangler) leaves this import to the runtime, even when
        // bundling for browsers. `as string` keeps tsc from resolving it: the declaration
        // build has no Node types, and a browser user's tsc should not need them either.
        loaded = ((await import('node:async_hooks' as string)) as { AsyncLocalStorage?: AsyncLocalStorageClass }).AsyncLocalStorage;
      } catch {
        // no node:async_hooks here
      }
    }
    return AsyncContextManager.isAvailable();
  }

  /** {@inheritDoc ContextManager.active} */
  override active(): Context {
    const s = this.x();
    return s ? ((s[1]() as Context | undefined) ?? ROOT_CONTEXT) : super.active();
  }

  /** {@inheritDoc ContextManager.with} */
  override with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const s = this.x();
    // run() passes extra arguments on (Node, Deno, workerd, the proposal): without a `this`,
    // fn itself is run (measured ~30% faster than through Reflect.apply on Node 20); with one,
    // Reflect.apply still saves a closure per call (~40% of a bare run())
    return !s
      ? super.with(context, fn, thisArg, ...args)
      : thisArg === undefined
        ? (s[0] as unknown as (c: Context, f: F, ...a: A) => ReturnType<F>)(context, fn, ...args)
        : s[0](context, Reflect.apply, fn as () => ReturnType<F>, thisArg, args);
  }

  /** Finds the store now (warning once if there is none; looking again if none was found) rather than at first use. */
  override enable(): this {
    this.s ||= makeSlot(this.o.AsyncLocalStorage);
    return this;
  }

  /** {@inheritDoc ContextManager.disable} */
  override disable(): this {
    this.s = undefined;
    return super.disable();
  }

  private x(): Slot | null | undefined {
    return this.s === undefined ? this.enable().s : this.s;
  }
}

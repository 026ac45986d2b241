/**
 * otelite/esbuild/runtime: what code transformed by the esbuild plugin calls. Not for direct use.
 * @packageDocumentation
 */
import { context } from '../context/api';
import { ROOT_CONTEXT } from '../context/context';
import type { Context } from '../context/types';

type Step = (v?: unknown) => IteratorResult<unknown>;

/** The generator methods esbuild's async helpers drive. */
export interface Steps {
  /** Resumes with a value. */
  next: Step;
  /** Resumes by throwing. */
  throw: Step;
  /** Resumes by returning. */
  return: Step;
}

/** esbuild's `__async` or `__asyncGenerator` helper. */
export type AsyncHelper<T> = (self: unknown, args: unknown, gen: (...a: unknown[]) => Steps) => T;

/**
 * Wraps one call of esbuild's async helper. An async function lowered by esbuild is a
 * generator driven by promise callbacks; every resumption after an `await` is a call of
 * `next` or `throw`. Running those calls inside the context that was active when the function
 * was called gives each continuation its context back, and `context.with` puts the previous
 * one back when the step ends, so nothing leaks into unrelated code.
 */
export function __oteliteAsync<T>(helper: AsyncHelper<T>, self: unknown, args: unknown, gen: (...a: unknown[]) => Steps): T {
  const ctx: Context = context.active();
  // Continuations run from the microtask queue, where the root context is active anyway.
  if (ctx === ROOT_CONTEXT) return helper(self, args, gen);
  return helper(self, args, function (this: unknown, ...a: unknown[]) {
    const g = gen.apply(this, a);
    return {
      next: (v) => context.with(ctx, g.next, g, v),
      throw: (e) => context.with(ctx, g.throw, g, e),
      return: (v) => context.with(ctx, g.return, g, v),
    };
  });
}

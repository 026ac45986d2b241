/**
 * otelite/esbuild/runtime: what code transformed by the esbuild plugin calls. Not for direct use.
 *
 * An async function lowered by esbuild is a generator whose `yield`s are its `await`s; these
 * drivers run it, and run every resumption inside the context that was active when the
 * function was called, so each continuation after an `await` gets its context back while
 * `context.with` puts the previous one back when the step ends: nothing leaks into unrelated
 * code. They replace esbuild's own `__async` / `__asyncGenerator` helpers, which esbuild would
 * otherwise copy into every transformed module.
 * @packageDocumentation
 */
import { context } from '../context/api';
import { ROOT_CONTEXT } from '../context/context';
import type { Context } from '../context/types';

type Method = 'next' | 'throw' | 'return';
type Body = Generator<unknown, unknown, unknown>;
type Make = (this: unknown, ...args: unknown[]) => Body;

/** Marks a `yield` of a lowered async generator that is really an `await` (`s`: inside `yield*`). */
export class __oteliteAwait {
  /**
   * @param v - what is awaited
   * @param s - set by esbuild's `__yieldStar`: the awaited value is the delegate's result
   */
  constructor(
    readonly v: unknown,
    readonly s?: boolean,
  ) {}
}

/** Resumes `it` with `m(v)` inside `ctx` (the root needs no switch: microtasks run there). */
const step = (ctx: Context, it: Body, m: Method, v: unknown): IteratorResult<unknown> =>
  ctx === ROOT_CONTEXT ? it[m](v as never) : context.with(ctx, it[m], it, v as never);

/** Runs a lowered async function: replaces esbuild's `__async(this, arguments, function* () {...})`. */
export function __oteliteAsync(self: unknown, args: unknown, make: Make): Promise<unknown> {
  const ctx = context.active();
  return new Promise((resolve, reject) => {
    const it = make.apply(self, (args || []) as unknown[]);
    const go = (m: Method, v?: unknown): void => {
      let r: IteratorResult<unknown>;
      try {
        r = step(ctx, it, m, v);
      } catch (e) {
        return reject(e);
      }
      if (r.done) resolve(r.value);
      else Promise.resolve(r.value).then((x) => go('next', x), (e) => go('throw', e));
    };
    go('next');
  });
}

/** Runs a lowered async generator: replaces esbuild's `__asyncGenerator(...)`. */
export function __oteliteAsyncGen(self: unknown, args: unknown, make: Make): AsyncGenerator<unknown> {
  const ctx = context.active();
  const it = make.apply(self, (args || []) as unknown[]);
  // requests run one after another, as a native async generator queues them
  let last: Promise<unknown> = Promise.resolve();
  const resume = (m: Method, v: unknown, ok: (r: IteratorResult<unknown>) => void, no: (e: unknown) => void): void => {
    let r: IteratorResult<unknown>;
    try {
      r = step(ctx, it, m, v);
    } catch (e) {
      return no(e);
    }
    const x = r.value;
    if (x instanceof __oteliteAwait) {
      // After an await the body goes on with `next`, even while it is being closed by
      // `return()`: resuming with `return` again would skip the rest of its `finally` (the
      // bug in esbuild 0.28's own helper). Only a `yield*` delegate's result carries the
      // `return` on.
      Promise.resolve(x.v).then(
        (y) => resume(m == 'return' && x.s ? m : 'next', y, ok, no),
        (e) => resume('throw', e, ok, no),
      );
    } else {
      Promise.resolve(x).then(
        (value) => ok({ value, done: !!r.done }),
        (e) => resume('throw', e, ok, no),
      );
    }
  };
  const call = (m: Method) => (v?: unknown) => {
    const p = last.then(() => new Promise<IteratorResult<unknown>>((ok, no) => resume(m, v, ok, no)));
    last = p.catch(() => {});
    return p;
  };
  const gen = { next: call('next'), throw: call('throw'), return: call('return') } as unknown as AsyncGenerator<unknown>;
  gen[Symbol.asyncIterator] = () => gen;
  return gen;
}

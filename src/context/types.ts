/**
 * An immutable bag of values keyed by symbols. Same shape as `@opentelemetry/api`'s
 * `Context`, so contexts flow freely between otelite and code written for OpenTelemetry.
 */
export interface Context {
  /** The value stored under `key`, or `undefined`. */
  getValue(key: symbol): unknown;
  /** A new context that has `value` under `key`; this one is unchanged. */
  setValue(key: symbol, value: unknown): Context;
  /** A new context without `key`; this one is unchanged. */
  deleteValue(key: symbol): Context;
}

/**
 * Holds the active context and carries it across calls. Same shape as
 * `@opentelemetry/api`'s `ContextManager`.
 */
export interface ContextManager {
  /** The context active right now. */
  active(): Context;
  /** Runs `fn` with `context` active and restores the previous context afterwards. */
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F>;
  /** Returns `target` bound so that it runs with `context` active (functions; event targets where supported). */
  bind<T>(context: Context, target: T): T;
  /** Starts the manager. */
  enable(): this;
  /** Stops the manager and forgets the active context. */
  disable(): this;
}

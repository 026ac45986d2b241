import { warnConfig } from '../lib/diag';
import { ROOT_CONTEXT } from './context';
import { StackContextManager } from './stack';
import type { Context } from './types';

/*
 * The few parts of zone.js that this manager uses, declared here so that zone.js stays an
 * optional peer dependency: the app loads it (Angular's polyfills do) and we find it on
 * globalThis. Importing 'zone.js' here would patch the page at import time.
 */
interface ZoneLike {
  get(key: string): unknown;
  fork(spec: { name: string; properties: Record<string, unknown> }): ZoneLike;
  run<T, A extends unknown[]>(fn: (...args: A) => T, thisArg: unknown, args: A): T;
}

type Listener =
  | ((this: unknown, ...args: unknown[]) => unknown)
  | { handleEvent(...args: unknown[]): unknown };
type ListenerOptions = boolean | { capture?: boolean } | undefined;
type Listen = (this: unknown, type: string, listener: Listener | null, options?: ListenerOptions) => void;

/** What `bind` treats as an event target: anything with both listener methods. */
interface Listenable {
  addEventListener: Listen;
  removeEventListener: Listen;
}

/** The state of one bound target: its context, and the wrapper of each listener per type and phase. */
type Bound = [Context, WeakMap<object, Record<string, Listener>>];

let warned = false;
let keys = 0;

/** zone.js's `Zone`, looked up on every call so that zone.js may load after this module. */
const zone = (): { current: ZoneLike } | undefined => {
  const Z = (globalThis as { Zone?: { current: ZoneLike } }).Zone;
  if (!Z && !warned) {
    warned = true;
    warnConfig('contextManager', 'ZoneContextManager, but zone.js is not loaded', 'StackContextManager');
  }
  return Z;
};

/**
 * A context manager built on zone.js, for apps that load zone.js anyway (Angular). Each
 * `with()` runs in a zone forked from the current one that carries the context, so work that
 * zone.js tracks (timers, `Promise.then`, DOM and XHR listeners, fetch, rAF, ...) continues
 * with the context it was scheduled in.
 *
 * Limits: zone.js cannot see native `await` (ES2017+ output), so after the first `await` the
 * context is lost unless the code is compiled to ES2015 or built with `otelite/esbuild`. APIs
 * zone.js does not patch (ResizeObserver, requestIdleCallback, MessageChannel without its
 * extra patch) lose it too. Without zone.js on the page it warns once and works like
 * {@link StackContextManager}.
 */
export class ZoneContextManager extends StackContextManager {
  /** The zone property holding our context; renewed by `disable()` so old zones are forgotten. */
  private k = 'otelite' + ++keys;
  /** Bound event targets. */
  private t?: WeakMap<object, Bound>;

  /** {@inheritDoc ContextManager.active} */
  override active(): Context {
    const Z = zone();
    return Z ? ((Z.current.get(this.k) as Context | undefined) ?? ROOT_CONTEXT) : super.active();
  }

  /** {@inheritDoc ContextManager.with} */
  override with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const Z = zone();
    return Z
      ? Z.current.fork({ name: 'otelite', properties: { [this.k]: context } }).run(fn, thisArg, args)
      : super.with(context, fn, thisArg, ...args);
  }

  /**
   * Binds a function, or an event target (anything with `addEventListener` and
   * `removeEventListener`, patched on that object only): listeners added to it afterwards run
   * with `context` active, and `removeEventListener` with the original listener still removes
   * them. Binding the same target again switches all its listeners to the new context.
   * Anything else is returned unchanged.
   */
  override bind<T>(context: Context, target: T): T {
    if (typeof target == 'function') return super.bind(context, target);
    const t = target as Partial<Listenable> | null;
    if (t && typeof t.addEventListener == 'function' && typeof t.removeEventListener == 'function') {
      this.l(context, t as Listenable);
    }
    return target;
  }

  /** {@inheritDoc ContextManager.enable} */
  override enable(): this {
    zone(); // warn now, not at the first span, when zone.js is missing
    return this;
  }

  /** {@inheritDoc ContextManager.disable} */
  override disable(): this {
    this.k = 'otelite' + ++keys;
    return super.disable();
  }

  /** Patches the listener methods of `t`, once per target. */
  private l(context: Context, t: Listenable): void {
    const targets = (this.t ||= new WeakMap());
    const old = targets.get(t);
    if (old) {
      old[0] = context;
      return;
    }
    const b: Bound = [context, new WeakMap()];
    targets.set(t, b);
    const add = t.addEventListener;
    const remove = t.removeEventListener;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    // A target registers a (type, listener, capture) triple once, so each triple gets one
    // wrapper, reused while it is registered; that keeps duplicate adds and removal working.
    const key = (type: string, o: ListenerOptions): string =>
      (typeof o == 'object' ? o?.capture : o) ? 'c' + type : 'b' + type;
    t.addEventListener = function (type, listener, options) {
      let w: Listener | null = listener;
      if (listener && (typeof listener == 'function' || typeof listener == 'object')) {
        let m = b[1].get(listener);
        if (!m) b[1].set(listener, (m = {}));
        w = m[key(type, options)] ||= function (this: unknown, ...args: unknown[]) {
          // the context is read per call, so that binding the target again applies at once
          return typeof listener == 'function'
            ? self.with(b[0], listener, this, ...args)
            : self.with(b[0], listener.handleEvent, listener, ...args);
        };
      }
      return add.call(this, type, w, options);
    };
    t.removeEventListener = function (type, listener, options) {
      const m = listener && b[1].get(listener);
      const k = key(type, options);
      const w = m && m[k];
      if (w) {
        delete m[k];
        remove.call(this, type, w, options);
      }
      // also the listener itself, in case it was added before the target was bound
      return remove.call(this, type, listener, options);
    };
  }
}

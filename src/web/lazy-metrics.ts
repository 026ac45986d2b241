import { report } from '../lib/diag';
import { KINDS } from '../metrics/api';
import type { Attributes } from '../lib/types';
import type { Meter, MeterProvider } from '../metrics/types';

/** Recordings (add, record, callbacks) held at most while the SDK loads: past it they are dropped (bounded memory). */
const MAX = 1000;

type Fn = (...a: unknown[]) => unknown;

/**
 * A meter provider for a page whose metrics SDK is loaded on demand (the snippet's): `load` is
 * called at the first `getMeter`; until what it returns resolves, every call on the meters and
 * instruments handed out is held, then replayed on the real provider in order, and from then on
 * forwarded. Creations (meters, instruments) are always held; recordings and callback changes
 * up to 1000 (memory stays bounded on a busy page; past that they are dropped), each with a copy
 * of its attributes (a page may reuse and change one object). If loading fails, or resolves to
 * nothing (shut down meanwhile), the held calls are dropped and later ones are no-ops; a `load`
 * that returns nothing makes a no-op provider. Instruments keep their real one in `d`, where
 * the SDK's batch observable callbacks look for it (as with the API's proxies).
 */
export function lazyMeterProvider(load: () => Promise<MeterProvider | undefined> | undefined): MeterProvider {
  let real: MeterProvider | undefined;
  /** held calls; undefined before the load and once it is over */
  let q: (() => void)[] | undefined;
  /** recordings held */
  let n = 0;
  let asked = false;
  /** Runs `f` now, or holds it while loading (recordings, `r`, up to {@link MAX}). */
  const later = (f: () => void, r?: 1): void => {
    if (real) f();
    else if (q && !(r && n++ >= MAX)) q.push(f);
  };
  /**
   * An object whose `names` are methods calling the same methods of `of()`, later; nothing when
   * `of()` is not there (the load failed). `c`: the second argument is an attributes object
   * (or nothing), copied when held.
   */
  const forward = <T>(names: string[], of: () => Record<string, Fn> | undefined, c?: 1, x: Record<string, unknown> = {}): T => {
    for (const k of names)
      x[k] = (...a: unknown[]) => {
        // loaded: straight through (no closure per recording on the page's hot path)
        if (real) return void of()?.[k](...a);
        if (c && a[1]) a[1] = copy(a[1] as Attributes);
        later(() => of()?.[k](...a), 1);
      };
    return x as T;
  };
  return {
    getMeter(...m) {
      if (!asked) {
        asked = true;
        const l = load();
        if (l) {
          q = [];
          l.then(
            (p) => {
              if ((real = p))
                for (const f of q!.splice(0))
                  try {
                    f();
                  } catch (e) {
                    report(0, 'meter replay failed', e);
                  }
            },
            (e) => report(0, 'metrics SDK not loaded', e),
          ).finally(() => (q = undefined));
        }
      }
      const meter: { d?: Meter } & Record<string, unknown> = forward(
        ['addBatchObservableCallback', 'removeBatchObservableCallback'],
        () => meter.d as never,
      );
      later(() => (meter.d = real!.getMeter(...m)));
      for (const k of KINDS)
        meter['create' + k] = (...i: unknown[]) => {
          const x: { d?: Record<string, Fn> } = forward(['add', 'record', 'addCallback', 'removeCallback'], () => x.d, 1);
          later(() => (x.d = (meter.d as unknown as Record<string, Fn> | undefined)?.['create' + k](...i) as never));
          return x;
        };
      return meter as unknown as Meter;
    },
  };
}

/** A copy of attributes `o`, arrays too (as the SDK keeps them: the caller may change its own). */
const copy = (o: Attributes): Attributes => {
  const h: Attributes = {};
  for (const k in o) {
    const v = o[k];
    h[k] = Array.isArray(v) ? (v.slice() as typeof v) : v;
  }
  return h;
};

import { report } from '../lib/diag';
import { KINDS } from '../metrics/api';
import type { Meter, MeterProvider } from '../metrics/types';

/** Calls held at most while the SDK loads: past it they are dropped (bounded memory). */
const MAX = 1000;

type Fn = (...a: unknown[]) => unknown;

/**
 * A meter provider for a page whose metrics SDK is loaded on demand (the snippet's): `load` is
 * called at the first `getMeter`; until what it returns resolves, every call on the meters and
 * instruments handed out is held (up to 1000), then replayed on the real provider in order, and
 * from then on forwarded. Nothing recorded meanwhile is lost; if loading fails, the held calls
 * are dropped and later ones are no-ops (reported once); a `load` that returns nothing makes a
 * no-op provider. Instruments keep their real one in `d`, where the SDK's batch observable
 * callbacks look for it (as with the API's proxies).
 */
export function lazyMeterProvider(load: () => Promise<MeterProvider> | undefined): MeterProvider {
  let real: MeterProvider | undefined;
  /** held calls; undefined before the load and once it is over */
  let q: (() => void)[] | undefined;
  let asked = false;
  const later = (f: () => void): void => {
    if (real) f();
    else if (q && q.length < MAX) q.push(f);
  };
  /**
   * An object whose `names` are methods calling the same methods of `of()`, later; nothing when
   * `of()` is not there (its creation was dropped: past the bound, or the load failed).
   */
  const forward = <T>(names: string[], of: () => Record<string, Fn> | undefined, x: Record<string, unknown> = {}): T => {
    for (const k of names) x[k] = (...a: unknown[]) => later(() => of()?.[k](...a));
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
              real = p;
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
          const x: { d?: Record<string, Fn> } = forward(['add', 'record', 'addCallback', 'removeCallback'], () => x.d);
          later(() => (x.d = (meter.d as unknown as Record<string, Fn> | undefined)?.['create' + k](...i) as never));
          return x;
        };
      return meter as unknown as Meter;
    },
  };
}

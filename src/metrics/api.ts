import { report } from '../lib/diag';
import { globals, type Globals } from '../lib/global';
import type { Context } from '../context/types';
import type {
  BatchObservableCallback,
  Meter,
  MeterOptions,
  MeterProvider,
  MetricAttributes,
  MetricOptions,
  Observable,
  ObservableCallback,
} from './types';

/**
 * The registry also holds the work waiting for a meter provider: observable instruments and
 * batch callbacks created through the API before any SDK was registered. It lives in the shared
 * registry (not in this module) so that an SDK registered by another copy of otelite on the page
 * picks up this copy's waiting instruments too.
 */
type Waiting = Globals & { mq?: Array<(p: MeterProvider) => void> };

/**
 * The kinds of instrument, as in the `create…` method names of a meter (the SDK's instrument
 * type is the SNAKE_CASE form); the SDK's meter and the API's proxy meter both make their seven
 * methods from this list.
 */
export const KINDS = [
  'Counter',
  'UpDownCounter',
  'Histogram',
  'Gauge',
  'ObservableCounter',
  'ObservableUpDownCounter',
  'ObservableGauge',
];

const provider = (): MeterProvider | undefined => globals().m as MeterProvider | undefined;

/**
 * Installs the global meter provider; false when one is installed already. Instruments created
 * through the API before this call start recording now: their observable callbacks move to the
 * provider's instruments.
 */
export function setGlobalMeterProvider(p: MeterProvider): boolean {
  const g = globals() as Waiting;
  if (g.m) return false;
  g.m = p;
  g.mq?.splice(0).forEach((f) => {
    try {
      f(p);
    } catch (e) {
      report(0, 'meter replay failed', e);
    }
  });
  return true;
}

/** What a proxy needs of the real instrument (every kind of the SDK's has all four methods). */
type Real = Observable & {
  add(v: number, a?: MetricAttributes, c?: Context): void;
  record(v: number, a?: MetricAttributes, c?: Context): void;
};

/** An instrument handed out before an SDK is installed; see {@link proxyInstrument}. */
type ProxyInstrument = Real & {
  /** The real instrument, once there is a provider; the SDK's batch callbacks read it too. */
  d?: Real;
  /** The real instrument, created (with the callbacks kept so far) when a provider exists. */
  i(): Real | undefined;
};

/**
 * An instrument (of any kind) handed out before an SDK is installed: a no-op until then, and a
 * forwarder to the real instrument after. An observable one keeps its callbacks and moves them
 * to the real instrument when it appears (nothing else would call it again, unlike a synchronous
 * instrument, which finds its real one on its next use). `f` makes the real instrument when
 * there is a provider. (Objects of closures: fewer bytes than classes.)
 */
const proxyInstrument = (f: () => Real | undefined): ProxyInstrument => {
  const cb = new Set<ObservableCallback>();
  const x: ProxyInstrument = {
    i() {
      if (!x.d && (x.d = f())) for (const c of cb) x.d.addCallback(c);
      return x.d;
    },
    add: (v, a, c) => x.i()?.add(v, a, c),
    record: (v, a, c) => x.i()?.record(v, a, c),
    addCallback(c) {
      cb.add(c);
      x.i()?.addCallback(c);
    },
    removeCallback(c) {
      cb.delete(c);
      x.i()?.removeCallback(c);
    },
  };
  return x;
};

/**
 * A meter handed out before an SDK is installed: a no-op until then, and a working meter after,
 * so libraries that take their meter at import time record once the app registers an SDK.
 */
const proxyMeter = (n: string, v?: string, o?: MeterOptions): Meter => {
  let d: Meter | undefined;
  /** The real meter, once there is a provider. */
  const m = (): Meter | undefined => d || (d = provider()?.getMeter(n, v, o));
  /** observables and batch callbacks to hand over when a provider is registered */
  const w = new Map<ProxyInstrument | BatchObservableCallback, Observable[]>();
  /**
   * Keeps `x` until a provider is registered. The hook goes into the registry with the first
   * waiting item only, so meters taken again and again (per request, say) cost nothing there.
   */
  const wait = (x: ProxyInstrument | BatchObservableCallback, obs: Observable[] = []): void => {
    if (!w.size)
      ((globals() as Waiting).mq ||= []).push(() => {
        // callbacks are functions, proxies objects
        for (const [y, ob] of w) typeof y == 'object' ? y.i() : pm.addBatchObservableCallback(y, ob);
        w.clear();
      });
    w.set(x, obs);
  };
  const pm = {
    addBatchObservableCallback(cb: BatchObservableCallback, obs: Observable[]): void {
      const r = m();
      r ? r.addBatchObservableCallback(cb, obs) : wait(cb, obs);
    },
    removeBatchObservableCallback(cb: BatchObservableCallback, obs: Observable[]): void {
      w.delete(cb);
      m()?.removeBatchObservableCallback(cb, obs);
    },
  } as Meter;
  // seven methods written once; observables wait for a provider when there is none yet
  for (const k of KINDS)
    (pm as unknown as Record<string, unknown>)['create' + k] = (name: string, opts?: MetricOptions) => {
      const x = proxyInstrument(() => m()?.[('create' + k) as 'createGauge'](name, opts) as Real | undefined);
      if (k[0] == 'O' && !x.i()) wait(x);
      return x;
    };
  return pm;
};

/** The metrics API, shaped like `@opentelemetry/api`'s `metrics`. */
export const metrics = {
  /**
   * A meter for the named library; a working one once an SDK is registered (a meter taken
   * before that starts recording then).
   */
  getMeter(name: string, version?: string, options?: MeterOptions): Meter {
    return provider()?.getMeter(name, version, options) ?? proxyMeter(name, version, options);
  },
  /** The registered meter provider, or a no-op one. */
  getMeterProvider(): MeterProvider {
    return provider() ?? metrics;
  },
  setGlobalMeterProvider,
  /** Removes the global meter provider. */
  disable(): void {
    globals().m = undefined;
  },
};

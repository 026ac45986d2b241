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

/**
 * An instrument (of any kind) handed out before an SDK is installed: a no-op until then, and a
 * forwarder to the real instrument after. An observable one keeps its callbacks and moves them
 * to the real instrument when it appears (nothing else would call it again, unlike a synchronous
 * instrument, which finds its real one on its next use).
 */
class ProxyInstrument {
  /** The real instrument, once there is a provider; the SDK's batch callbacks read it too. */
  declare d?: Real;
  private readonly cb = new Set<ObservableCallback>();
  /** @param f - makes the real instrument, when there is a provider */
  constructor(private readonly f: () => Real | undefined) {}
  /** The real instrument, created (with the callbacks kept so far) when a provider exists. */
  i(): Real | undefined {
    if (!this.d && (this.d = this.f()))
      for (const c of this.cb) this.d.addCallback(c);
    return this.d;
  }
  add(v: number, a?: MetricAttributes, c?: Context): void {
    this.i()?.add(v, a, c);
  }
  record(v: number, a?: MetricAttributes, c?: Context): void {
    this.i()?.record(v, a, c);
  }
  addCallback(c: ObservableCallback): void {
    this.cb.add(c);
    this.i()?.addCallback(c);
  }
  removeCallback(c: ObservableCallback): void {
    this.cb.delete(c);
    this.i()?.removeCallback(c);
  }
}

/**
 * A meter handed out before an SDK is installed: a no-op until then, and a working meter after,
 * so libraries that take their meter at import time record once the app registers an SDK.
 */
class ProxyMeter implements Meter {
  private d?: Meter;
  /** observables and batch callbacks to hand over when a provider is registered */
  private readonly w = new Map<ProxyInstrument | BatchObservableCallback, Observable[]>();
  /** The real meter, once there is a provider. */
  declare readonly m: () => Meter | undefined;
  declare createCounter: Meter['createCounter'];
  declare createUpDownCounter: Meter['createUpDownCounter'];
  declare createHistogram: Meter['createHistogram'];
  declare createGauge: Meter['createGauge'];
  declare createObservableCounter: Meter['createObservableCounter'];
  declare createObservableUpDownCounter: Meter['createObservableUpDownCounter'];
  declare createObservableGauge: Meter['createObservableGauge'];

  constructor(n: string, v?: string, o?: MeterOptions) {
    (this as { m: ProxyMeter['m'] }).m = () => this.d || (this.d = provider()?.getMeter(n, v, o));
    // seven methods written once; observables wait for a provider when there is none yet
    for (const k of KINDS)
      (this as unknown as Record<string, unknown>)['create' + k] = (name: string, opts?: MetricOptions) => {
        const x = new ProxyInstrument(() => this.m()?.[('create' + k) as 'createGauge'](name, opts) as Real | undefined);
        if (k[0] == 'O' && !x.i()) this.wait(x);
        return x;
      };
  }
  /**
   * Keeps `x` until a provider is registered. The hook goes into the registry with the first
   * waiting item only, so meters taken again and again (per request, say) cost nothing there.
   */
  private wait(x: ProxyInstrument | BatchObservableCallback, obs: Observable[] = []): void {
    if (!this.w.size)
      ((globals() as Waiting).mq ||= []).push(() => {
        for (const [y, o] of this.w) y instanceof ProxyInstrument ? y.i() : this.addBatchObservableCallback(y, o);
        this.w.clear();
      });
    this.w.set(x, obs);
  }
  addBatchObservableCallback(cb: BatchObservableCallback, obs: Observable[]): void {
    const m = this.m();
    m ? m.addBatchObservableCallback(cb, obs) : this.wait(cb, obs);
  }
  removeBatchObservableCallback(cb: BatchObservableCallback, obs: Observable[]): void {
    this.w.delete(cb);
    this.m()?.removeBatchObservableCallback(cb, obs);
  }
}

/** The metrics API, shaped like `@opentelemetry/api`'s `metrics`. */
export const metrics = {
  /**
   * A meter for the named library; a working one once an SDK is registered (a meter taken
   * before that starts recording then).
   */
  getMeter(name: string, version?: string, options?: MeterOptions): Meter {
    return provider()?.getMeter(name, version, options) ?? new ProxyMeter(name, version, options);
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

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
  const q = g.mq;
  g.mq = undefined;
  if (q)
    for (const f of q) {
      try {
        f(p);
      } catch (e) {
        report(0, 'meter provider replay failed', e);
      }
    }
  return true;
}

type SyncKind = 'createCounter' | 'createUpDownCounter' | 'createHistogram' | 'createGauge';
type AsyncKind = 'createObservableCounter' | 'createObservableUpDownCounter' | 'createObservableGauge';
type Recorder = { add?(v: number, a?: MetricAttributes, c?: Context): void; record?(v: number, a?: MetricAttributes, c?: Context): void };

/** A synchronous instrument handed out before an SDK is installed; it finds the real one on use. */
class ProxySync {
  private d?: Recorder;
  constructor(
    private readonly m: ProxyMeter,
    private readonly k: SyncKind,
    private readonly n: string,
    private readonly o?: MetricOptions,
  ) {}
  private i(): Recorder | undefined {
    return this.d || (this.d = this.m.m()?.[this.k](this.n, this.o) as Recorder | undefined);
  }
  add(v: number, a?: MetricAttributes, c?: Context): void {
    this.i()?.add?.(v, a, c);
  }
  record(v: number, a?: MetricAttributes, c?: Context): void {
    this.i()?.record?.(v, a, c);
  }
}

/**
 * An observable instrument handed out before an SDK is installed. It keeps its callbacks and
 * moves them to the real instrument when a provider is registered (nothing else would call it
 * again, unlike a synchronous instrument).
 */
class ProxyObservable implements Observable {
  /** the real instrument, once there is a provider */
  d?: Observable;
  private readonly cb = new Set<ObservableCallback>();
  constructor(
    private readonly m: ProxyMeter,
    private readonly k: AsyncKind,
    private readonly n: string,
    private readonly o?: MetricOptions,
  ) {}
  /** The real instrument, created (with the callbacks kept so far) when a provider exists. */
  i(): Observable | undefined {
    if (!this.d) {
      const d = (this.d = this.m.m()?.[this.k](this.n, this.o));
      if (d) for (const c of this.cb) d.addCallback(c);
    }
    return this.d;
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

/** The real instrument of a proxy (the SDK's batch callbacks only know its own). */
const real = (o: Observable): Observable => (o instanceof ProxyObservable ? (o.i() ?? o) : o);

/** A batch callback that may observe proxies, for the SDK, which knows only its own instruments. */
const unproxied =
  (cb: BatchObservableCallback): BatchObservableCallback =>
  (r) =>
    cb({ observe: (o, v, a) => r.observe(real(o), v, a) });

/**
 * A meter handed out before an SDK is installed: a no-op until then, and a working meter after,
 * so libraries that take their meter at import time record once the app registers an SDK.
 */
class ProxyMeter implements Meter {
  private d?: Meter;
  /** batch callbacks → what the SDK got for them */
  private readonly b = new Map<BatchObservableCallback, BatchObservableCallback>();
  /** observables and batch callbacks to hand over when a provider is registered */
  private readonly w: Array<ProxyObservable | [BatchObservableCallback, Observable[]]> = [];
  constructor(
    private readonly n: string,
    private readonly v?: string,
    private readonly o?: MeterOptions,
  ) {}
  /**
   * Keeps `x` until a provider is registered. The hook goes into the registry with the first
   * waiting item only, so meters taken again and again (per request, say) cost nothing there.
   */
  private wait(x: ProxyObservable | [BatchObservableCallback, Observable[]]): void {
    if (!this.w.length)
      ((globals() as Waiting).mq ||= []).push(() => {
        for (const y of this.w.splice(0)) {
          if (y instanceof ProxyObservable) y.i();
          else this.addBatchObservableCallback(...y);
        }
      });
    this.w.push(x);
  }
  /** The real meter, once there is a provider. */
  m(): Meter | undefined {
    const p = provider();
    return this.d || (p && (this.d = p.getMeter(this.n, this.v, this.o)));
  }
  private s(k: SyncKind, name: string, o?: MetricOptions): never {
    return new ProxySync(this, k, name, o) as never;
  }
  private a(k: AsyncKind, name: string, o?: MetricOptions): never {
    const x = new ProxyObservable(this, k, name, o);
    if (!x.i()) this.wait(x);
    return x as never;
  }
  createCounter(name: string, o?: MetricOptions): never {
    return this.s('createCounter', name, o);
  }
  createUpDownCounter(name: string, o?: MetricOptions): never {
    return this.s('createUpDownCounter', name, o);
  }
  createHistogram(name: string, o?: MetricOptions): never {
    return this.s('createHistogram', name, o);
  }
  createGauge(name: string, o?: MetricOptions): never {
    return this.s('createGauge', name, o);
  }
  createObservableCounter(name: string, o?: MetricOptions): never {
    return this.a('createObservableCounter', name, o);
  }
  createObservableUpDownCounter(name: string, o?: MetricOptions): never {
    return this.a('createObservableUpDownCounter', name, o);
  }
  createObservableGauge(name: string, o?: MetricOptions): never {
    return this.a('createObservableGauge', name, o);
  }
  addBatchObservableCallback(cb: BatchObservableCallback, obs: Observable[]): void {
    const m = this.m();
    if (!m) return this.wait([cb, obs]);
    let u = this.b.get(cb);
    if (!u) this.b.set(cb, (u = unproxied(cb)));
    m.addBatchObservableCallback(u, obs.map(real));
  }
  removeBatchObservableCallback(cb: BatchObservableCallback, obs: Observable[]): void {
    const m = this.m();
    const u = this.b.get(cb);
    this.b.delete(cb);
    if (m) {
      if (u) m.removeBatchObservableCallback(u, obs.map(real));
    } else {
      const i = this.w.findIndex((x) => Array.isArray(x) && x[0] == cb);
      if (i >= 0) this.w.splice(i, 1);
    }
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

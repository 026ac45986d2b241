/**
 * What the snippet (dist/otelite.iife.js) runs when it loads: the config from the `<script>`
 * tag's `data-*` attributes and `window.oteliteConfig`, `initWith` with every instrumentation,
 * and the API on `window.otelite`. Never throws into the page.
 * @packageDocumentation
 */
import { onCLS, onFCP, onINP, onLCP, onTTFB } from 'web-vitals';
import { context } from '../context/api';
import { report, warnConfig } from '../lib/diag';
import { globals } from '../lib/global';
import type { Attributes } from '../lib/types';
import { logs } from '../logs/api';
import { setGlobalMeterProvider } from '../metrics/api';
import type { MeterProvider } from '../metrics/provider';
import type { MeterProvider as ApiMeterProvider } from '../metrics/types';
import { trace } from '../trace/api';
import { propagation } from '../trace/propagation/api';
import { each } from '../trace/provider';
import type { Resource } from '../trace/resource';
import { documentLoadInstrumentation } from '../instrumentations/document-load/document-load';
import { recordVitals, type VitalSink } from '../instrumentations/document-load/vitals';
import { errorsInstrumentation, recordError } from '../instrumentations/errors/errors';
import { fetchInstrumentation } from '../instrumentations/fetch/fetch';
import { xhrInstrumentation } from '../instrumentations/xhr/xhr';
import type { TextMapPropagator } from '../trace/propagation/types';
import type { WebConfig } from './config';
import type { WebVitalsOptions } from './lazy';
import { initWith, type Parts } from './setup';
import { lazyMeterProvider } from './lazy-metrics';
import { vitalsMetrics } from './vitals-metrics';

type Win = typeof globalThis & { oteliteConfig?: WebConfig; otelite?: unknown };

/**
 * The snippet's metrics: the web vitals' histograms through {@link vitalsMetrics}, and the
 * metrics SDK for the page's own metrics (`window.otelite.metrics`) loaded from beside the
 * snippet (`min/metrics.js`, `min/exporters/otlp-http-json.js`) when the page first takes a
 * meter: most pages never do, and the SDK is 3 KB gzip the snippet would otherwise carry.
 * What is recorded meanwhile waits for it (see {@link lazyMeterProvider}).
 */
const snippetMetrics =
  (load: (path: string) => Promise<never>, vitals: (s: VitalSink) => void): NonNullable<Parts['metrics']> =>
  (resource, c) => {
    const v = vitalsMetrics(resource, c);
    vitals(v.record);
    let p: MeterProvider | undefined;
    /** the SDK's load, once asked for (settles when it is over, the provider made or not) */
    let l: Promise<MeterProvider | undefined> | undefined;
    let down = false;
    setGlobalMeterProvider(
      lazyMeterProvider(() =>
        down
          ? undefined
          : (l = Promise.all([load('metrics'), load('exporters/otlp-http-json')]).then(
              // shut down while loading: no provider (its reader's timer and page-exit hook would
              // outlive the shutdown), and the held calls are dropped
              ([m, x]: [typeof import('../metrics/index'), typeof import('../exporters/otlp-http-json/index')]) =>
                down
                  ? undefined
                  : (p = new m.MeterProvider({ resource: v.resource, readers: [new m.PeriodicExportingMetricReader({ exporter: new x.OTLPMetricExporter(c) })] })),
            )),
      ),
    );
    const all = (k: 'forceFlush' | 'shutdown'): Promise<void> => each(p ? [v, p] : [v], (x) => x[k]());
    const flush = (): Promise<void> => all('forceFlush');
    // setup sets session.id here: on both resources
    const attributes = Object.defineProperty({}, 'session.id', {
      set: (id: string) => [v, p].forEach((x) => x && ((x.resource.attributes as Attributes)['session.id'] = id)),
    });
    return {
      resource: { attributes } as Resource,
      // A load in progress is waited for: what the page recorded meanwhile is replayed (at the
      // load's settling, before this) and flushed with the rest. Page exit cannot wait for the
      // network: what is still held when the page goes away before the SDK arrived is lost.
      forceFlush: () => Promise.resolve(l).then(flush, flush),
      shutdown: () => ((down = true), all('shutdown')),
    };
  };

/** A meter provider whose meters record nothing (made when first needed). */
let off: ApiMeterProvider | undefined;

/**
 * `window.otelite.metrics`: the metrics API (`@opentelemetry/api`'s `metrics` shape) without the
 * API's proxy meters, which the snippet does not need: reading the global meter provider makes
 * the SDK (see setup), whose meter provider holds what is recorded until the metrics SDK is
 * loaded. Without one (otelite disabled or shut down), meters record nothing.
 */
const meters = {
  getMeter: (...a: Parameters<ApiMeterProvider['getMeter']>) =>
    ((globals().m as ApiMeterProvider | undefined) || (off ||= lazyMeterProvider(() => undefined))).getMeter(...a),
  getMeterProvider: (): ApiMeterProvider => (globals().m as ApiMeterProvider | undefined) || meters,
  setGlobalMeterProvider,
  disable(): void {
    globals().m = undefined;
  },
};

/** Sets otelite up from the running `<script>` tag. */
export function autostart(): void {
  try {
    const w = globalThis as Win;
    const script = (document.currentScript || document.querySelector('script[src*="otelite"]')) as HTMLScriptElement | null;
    // the ESM builds beside the snippet (the package's dist/ layout): an IIFE cannot split them off
    // itself. A file that does not load is a deployment mistake (only the IIFE hosted): said
    // always, like bad config, since what needs it silently stops (a page's meters, B3 headers).
    const load = (path: string): Promise<never> => {
      const u = new URL('min/' + path + '.js', (script && script.src) || location.href).href;
      return import(u).catch((e) => {
        console.warn('otelite: could not load ' + u + ' (host dist/ whole, beside otelite.iife.js)');
        throw e;
      }) as Promise<never>;
    };
    let sink: VitalSink | undefined;
    // dataset turns data-service-name into serviceName: the config keys as they are
    const sdk = initWith(
      { ...(script && (script.dataset as WebConfig)), ...w.oteliteConfig },
      {
        instrumentations: {
          fetch: fetchInstrumentation,
          xhr: xhrInstrumentation,
          'document-load': documentLoadInstrumentation,
          // started after the metrics pipeline is made (see setup): `sink` is set by then; the
          // attribution build is not in the snippet (it is in `init`'s ESM build)
          'web-vitals': (o: WebVitalsOptions) => (
            o.attribution && warnConfig('web-vitals.attribution (not in the snippet)', true, false),
            recordVitals({ onCLS, onFCP, onINP, onLCP, onTTFB }, (n, v, a) => sink?.(n, v, a))
          ),
          errors: errorsInstrumentation,
        },
        metrics: snippetMetrics(load, (s) => (sink = s)),
        propagator: (n) =>
          load('propagators/' + (n == 'jaeger' ? n : 'b3')).then(
            (m: { JaegerPropagator: new () => TextMapPropagator; B3Propagator: new (o: object) => TextMapPropagator }) =>
              n == 'jaeger' ? new m.JaegerPropagator() : new m.B3Propagator({ injectEncoding: n == 'b3' ? 0 : 1 }),
          ),
      },
    );
    w.otelite = { ...sdk, trace, context, propagation, metrics: meters, logs, recordError };
  } catch (e) {
    report(0, 'snippet failed', e);
  }
}

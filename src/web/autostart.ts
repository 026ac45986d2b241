/**
 * What the snippets (dist/otelite.iife.js, dist/otelite-lite.iife.js) run when they load: the
 * config from the `<script>` tag's `data-*` attributes and `window.oteliteConfig`, `initWith`
 * with every instrumentation, and the API on `window.otelite`. Never throws into the page.
 * @packageDocumentation
 */
import { context } from '../context/api';
import { report } from '../lib/diag';
import { logs } from '../logs/api';
import { metrics } from '../metrics/api';
import { trace } from '../trace/api';
import { propagation } from '../trace/propagation/api';
import { documentLoadInstrumentation } from '../instrumentations/document-load/document-load';
import { webVitalsInstrumentation } from '../instrumentations/document-load/web-vitals';
import { errorsInstrumentation, recordError } from '../instrumentations/errors/errors';
import { fetchInstrumentation } from '../instrumentations/fetch/fetch';
import { xhrInstrumentation } from '../instrumentations/xhr/xhr';
import type { TextMapPropagator } from '../trace/propagation/types';
import type { WebConfig } from './config';
import { initWith, type Parts } from './setup';

type Win = typeof globalThis & { oteliteConfig?: WebConfig; otelite?: unknown };

/** Sets otelite up from the running `<script>` tag; `metrics` is the metrics pipeline, if any. */
export function autostart(metricsPipeline?: Parts['metrics']): void {
  try {
    const w = globalThis as Win;
    const script = (document.currentScript || document.querySelector('script[src*="otelite"]')) as HTMLScriptElement | null;
    const src = script && script.src;
    // dataset turns data-service-name into serviceName: the config keys as they are
    const sdk = initWith(
      { ...(script && (script.dataset as WebConfig)), ...w.oteliteConfig },
      {
        instrumentations: {
          fetch: fetchInstrumentation,
          xhr: xhrInstrumentation,
          'document-load': documentLoadInstrumentation,
          'web-vitals': webVitalsInstrumentation,
          errors: errorsInstrumentation,
        },
        metrics: metricsPipeline,
        // the ESM builds beside the snippet: an IIFE cannot split them off itself
        propagator: (n) =>
          import(new URL('min/propagators/' + (n == 'jaeger' ? n : 'b3') + '.js', src || location.href).href).then(
            (m: { JaegerPropagator: new () => TextMapPropagator; B3Propagator: new (o: object) => TextMapPropagator }) =>
              n == 'jaeger' ? new m.JaegerPropagator() : new m.B3Propagator({ injectEncoding: n == 'b3' ? 0 : 1 }),
          ),
      },
    );
    w.otelite = { ...sdk, trace, context, propagation, metrics, logs, recordError };
  } catch (e) {
    report(0, 'snippet failed', e);
  }
}

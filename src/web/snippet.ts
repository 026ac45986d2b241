/**
 * The zero-code snippet (dist/otelite.iife.js): one `<script>` tag is the whole setup.
 *
 * ```html
 * <script src="https://cdn.example.com/otelite/dist/otelite.iife.js" async
 *         data-service-name="shop" data-endpoint="https://collector.example.com"
 *         data-propagate-to="https://api.example.com"></script>
 * ```
 *
 * Every `init` key has a `data-*` form (camelCase → kebab-case, see `WebConfig`);
 * `window.oteliteConfig`, set before the tag runs, passes the rest (functions, objects) and wins
 * over the attributes. The API is then on `window.otelite`: `getTracer`, `forceFlush`,
 * `shutdown`, `sessionId`, `recordError`, and the `trace`, `context`, `propagation`, `metrics`
 * and `logs` globals. B3 and Jaeger propagators, when named, are loaded from
 * `min/propagators/{b3,jaeger}.js` next to the snippet (the package's `dist/` layout).
 *
 * This is the one entry of the package with side effects; it runs once, whenever it is loaded
 * (`async`, `defer` or neither), and never throws into the page.
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
import { metricsPipeline } from './metrics';
import { initWith } from './setup';

type Win = typeof globalThis & { oteliteConfig?: WebConfig; otelite?: unknown };

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

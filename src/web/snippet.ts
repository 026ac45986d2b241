/**
 * The zero-code snippet (dist/otelite.iife.js): one `<script>` tag is the whole setup.
 *
 * ```html
 * <script src="otelite.iife.js" async data-service-name="shop" data-endpoint="https://collector.example.com"
 *         data-propagate-to="https://api.example.com"></script>
 * ```
 *
 * Every `init` key has a `data-*` form (camelCase → kebab-case); `window.oteliteConfig` passes
 * the rest (functions, objects) and wins over the attributes. The API is then on
 * `window.otelite`. This is the one entry of the package with side effects.
 * @packageDocumentation
 */
import { context } from '../context/api';
import { report } from '../lib/diag';
import { logs } from '../logs/api';
import { metrics } from '../metrics/api';
import { trace } from '../trace/api';
import { propagation } from '../trace/propagation/api';
import { recordError } from '../instrumentations/errors/errors';
import type { WebConfig } from './config';
import { init } from './index';

type Win = typeof globalThis & { oteliteConfig?: WebConfig; otelite?: unknown };

try {
  const w = globalThis as Win;
  const script = document.currentScript as HTMLScriptElement | null;
  // dataset turns data-service-name into serviceName: the config keys as they are
  const config: WebConfig = { ...(script?.dataset as WebConfig | undefined), ...w.oteliteConfig };
  const sdk = init(config);
  w.otelite = {
    ...sdk,
    trace,
    context,
    propagation,
    metrics,
    logs,
    recordError,
    getTracer: sdk.getTracer,
  };
} catch (e) {
  report(0, 'snippet', e);
}

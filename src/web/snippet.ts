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
 * `min/propagators/{b3,jaeger}.js` next to the snippet (the package's `dist/` layout), and so is
 * the metrics SDK (`min/metrics.js`), when the page first takes a meter of its own; the web
 * vitals' histograms need no SDK.
 *
 * This is the one entry of the package with side
 * effects; it runs once, whenever it is loaded (`async`, `defer` or neither), and never throws
 * into the page.
 * @packageDocumentation
 */
import { autostart } from './autostart';

autostart();

import { onCLS, onFCP, onINP, onLCP, onTTFB } from 'web-vitals';
import type { Instrumentation } from '../lib/types';
import { meterSink, recordVitals } from './vitals';

/**
 * The web vitals instrumentation: LCP, INP, CLS, FCP and TTFB from the `web-vitals` package
 * (its standard build, about 3.3 KB gzip), each recorded twice, through the global meter and
 * logger providers (nothing is recorded where none is registered):
 *
 * - as histograms `browser.web_vital.lcp`, `.inp`, `.fcp`, `.ttfb` (unit `ms`) and
 *   `browser.web_vital.cls` (unit `1`), with bucket boundaries at each vital's "good" and "poor"
 *   thresholds and attribute `browser.web_vital.navigation_type`; one value per metric instance
 *   (its first report: a page hidden and shown again reports INP and CLS again, with the same id;
 *   only the events carry those updates);
 * - as `browser.web_vital` events (log records, in the root context) with
 *   `browser.web_vital.name` (`lcp`, `inp`, `cls`, `fcp`, `ttfb`), `.value`, `.delta` (since the
 *   previous event of the same id), `.id`, `.rating` and `.navigation_type`, for every report.
 *
 * INP and CLS are final when the page hides: web-vitals reports them in its `visibilitychange`
 * listeners, which run before the page-exit flush of otelite's metric reader and log processor
 * (both flush at `pagehide` and again at `visibilitychange` to hidden), so they leave with that
 * very exit. INP is asked for with every change and recorded once per hide, with its last value:
 * web-vitals 6.2 on its own loses an interaction followed by a navigation within about a second.
 *
 * web-vitals cannot be stopped once started: `disable()` mutes it, `enable()` unmutes it. For
 * what caused each value (elements, interaction types), use
 * {@link webVitalsAttributionInstrumentation} instead (not both).
 *
 * ```ts
 * webVitalsInstrumentation().enable();
 * ```
 */
export const webVitalsInstrumentation = (): Instrumentation => recordVitals({ onCLS, onFCP, onINP, onLCP, onTTFB }, meterSink());

import type { Metric } from 'web-vitals';
import { ROOT_CONTEXT } from '../../context/context';
import { report } from '../../lib/diag';
import type { Attributes } from '../../lib/types';
import { VERSION } from '../../lib/version';
import { logs } from '../../logs/api';
import type { LogAttributes } from '../../logs/types';
import { metrics } from '../../metrics/api';
import type { Histogram } from '../../metrics/types';
import type { Instrumentation } from '../lib/types';

/** The web-vitals functions used (the same in the standard and the attribution build). */
export type Vitals = Pick<typeof import('web-vitals'), 'onCLS' | 'onFCP' | 'onINP' | 'onLCP' | 'onTTFB'>;

/** Adds attributes of a report to its event (the attribution build's). */
export type Extra = (m: Metric, a: LogAttributes) => void;

/**
 * Records one value of the histogram `browser.web_vital.{name}` (`name`: `lcp`, `inp`, `cls`,
 * `fcp`, `ttfb`; unit `1` for `cls`, else `ms`; buckets {@link vitalBounds}).
 */
export type VitalSink = (name: string, value: number, attributes: Attributes) => void;

/*
 * Bucket boundaries containing each vital's "good" and "poor" thresholds (web.dev): LCP 2500/4000,
 * FCP 1800/3000, INP 200/500, TTFB 800/1800 ms; CLS 0.1/0.25. So the share of good page views
 * is exact from the histogram.
 */
const MS = [0, 50, 100, 200, 300, 500, 800, 1000, 1400, 1800, 2500, 3000, 4000, 6000, 10000, 20000];
const SCORE = [0, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1];

/** The bucket boundaries of a vital's histogram (see {@link VitalSink}). */
export const vitalBounds = (name: string): number[] => (name == 'cls' ? SCORE : MS);

/** A {@link VitalSink} that records through the global meter provider (the metrics API). */
export function meterSink(): VitalSink {
  const meter = metrics.getMeter('otelite/web-vitals', VERSION);
  const hist: Record<string, Histogram> = {};
  return (n, v, a) =>
    (hist[n] ||= meter.createHistogram('browser.web_vital.' + n, {
      description: 'Web vital ' + n.toUpperCase(),
      unit: n == 'cls' ? '1' : 'ms',
      advice: { explicitBucketBoundaries: vitalBounds(n) },
    })).record(v, a);
}

/**
 * The engine of `webVitalsInstrumentation` and `webVitalsAttributionInstrumentation`: starts
 * `v`'s five vitals (with `opts`) on the first `enable()` and records every report, each event
 * with what `extra` adds, each histogram value through `sink` (the global meter's: {@link meterSink}).
 */
export function recordVitals(v: Vitals, sink: VitalSink, opts?: object, extra?: Extra): Instrumentation {
  let on = false;
  let started = false;
  const logger = logs.getLogger('otelite/web-vitals', VERSION);
  /** the id and value last emitted for each vital */
  const seen: Record<string, [string, number]> = {};
  /** INP's latest report, emitted when the page hides (see enable) */
  let held: Metric | undefined;

  function record(m: Metric): void {
    try {
      if (!on) return;
      const n = m.name.toLowerCase();
      const { id, value } = m;
      const nav = { 'browser.web_vital.navigation_type': m.navigationType };
      const [was, prev] = seen[n] || [];
      seen[n] = [id, value];
      if (was != id) sink(n, value, nav);
      const a: LogAttributes = {
        'browser.web_vital.name': n,
        'browser.web_vital.value': value,
        // since the last report emitted (INP's changes before the hide are not)
        'browser.web_vital.delta': was == id ? value - prev! : value,
        'browser.web_vital.id': id,
        'browser.web_vital.rating': m.rating,
        ...nav,
      };
      extra?.(m, a);
      // the root context: a vital belongs to the page, not to whatever span is active then
      logger.emit({ eventName: 'browser.web_vital', attributes: a, context: ROOT_CONTEXT });
    } catch (e) {
      report(0, 'web-vitals', e);
    }
  }

  return {
    name: 'web-vitals',
    enable() {
      on = true;
      if (started || typeof document == 'undefined') return;
      started = true;
      try {
        // INP with every change, kept until the page hides, then recorded once: web-vitals 6
        // loses an interaction followed by a hide within ~1 s otherwise (the entries wait for an
        // idle callback that runs after its own hide report, which then has nothing to report),
        // and can report twice during one hide (the first-input fallback, then the
        // interaction). Its hide listeners are capture listeners on window; this one on the
        // document runs after all of them and before the page-exit flush (window, bubble).
        document.addEventListener('visibilitychange', () => {
          if (held && document.visibilityState == 'hidden') {
            record(held);
            held = undefined;
          }
        });
        for (const f of [v.onCLS, v.onFCP, v.onLCP, v.onTTFB]) f(record, opts);
        v.onINP((m) => (held = m), { ...opts, reportAllChanges: true });
      } catch (e) {
        report(0, 'web-vitals', e);
      }
    },
    disable() {
      on = false;
    },
  };
}

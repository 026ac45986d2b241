import { warnConfig } from '../lib/diag';
import type { AggregationTemporality, InstrumentType } from './sdk-types';

/**
 * The temporality preferences of the OTLP metrics exporter specification, spelled as the
 * `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE` values (case-insensitive on input).
 */
export const AggregationTemporalityPreference = {
  CUMULATIVE: 'cumulative',
  DELTA: 'delta',
  LOWMEMORY: 'lowmemory',
} as const;
/** One of the {@link AggregationTemporalityPreference} values. */
export type AggregationTemporalityPreference =
  (typeof AggregationTemporalityPreference)[keyof typeof AggregationTemporalityPreference];

/** Chooses a temporality per instrument kind. */
export type AggregationTemporalitySelector = (type: InstrumentType) => AggregationTemporality;

/**
 * The selector of a preference, as the OTLP exporter specification defines them
 * (https://opentelemetry.io/docs/specs/otel/metrics/sdk_exporters/otlp/):
 * - `cumulative`: everything cumulative;
 * - `delta`: counters, observable counters and histograms delta, up-down counters cumulative
 *   (gauges, which the specification leaves open, delta: only values recorded since the previous
 *   export are sent, as in otel-js);
 * - `lowmemory`: only the synchronous counter and histogram delta (no state kept between
 *   exports for them, none to derive deltas for observable counters).
 *
 * Anything else gets one `console.warn` and cumulative. Case and surrounding spaces are ignored,
 * so the environment variable's value can be passed as it is.
 */
export function temporalitySelector(preference?: string): AggregationTemporalitySelector {
  const p = String(preference ?? 'cumulative').trim().toLowerCase();
  return p == 'delta'
    ? (t) => (t.includes('UP_DOWN') ? 1 : 0)
    : p == 'lowmemory'
      ? (t) => (t == 'COUNTER' || t == 'HISTOGRAM' ? 0 : 1)
      : (p == 'cumulative' || warnConfig('temporalityPreference', preference, 'cumulative'), () => 1);
}

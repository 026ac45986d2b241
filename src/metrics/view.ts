import { report, warnConfig } from '../lib/diag';
import type { InstrumentationScope } from '../lib/types';
import type { InstrumentDescriptor, InstrumentType } from './sdk-types';
import { bounds, canonical, type AggregationKind, type View } from './stream';

/**
 * How a view shapes the stream of an instrument it selects. Every field is optional; what is
 * not given comes from the instrument (name, description, advice) and the reader.
 */
export interface StreamConfig {
  /** The stream's name (default: the instrument's). */
  name?: string;
  /** The stream's description (default: the instrument's). */
  description?: string;
  /** Keep only these attribute keys (default: all). */
  attributeKeys?: string[];
  /**
   * How to aggregate (default: by instrument kind: sums for counters, last value for gauges,
   * histogram for histograms); `drop` reports nothing. Observable instruments cannot be
   * histograms: such a config falls back to the default with a diagnostic.
   */
  aggregation?: 'default' | 'drop' | 'sum' | 'lastValue' | 'histogram';
  /** Histogram bucket boundaries (default: the instrument's advice, else the spec's defaults). */
  boundaries?: number[];
  /** Attribute sets per stream and collection (default: the reader's, else the provider's). */
  aggregationCardinalityLimit?: number;
}

/** A view's instrument selection criteria (all given ones must match) and its stream config. */
export interface ViewOptions extends StreamConfig {
  /** Instrument name; `*` matches any run of characters, `?` one character; case-insensitive. */
  instrumentName?: string;
  /** Instrument kind. */
  instrumentType?: InstrumentType;
  /** Instrument unit. */
  instrumentUnit?: string;
  /** Meter name. */
  meterName?: string;
  /** Meter version. */
  meterVersion?: string;
  /** Meter schema URL. */
  meterSchemaUrl?: string;
}

/** The aggregations a view can ask for ('default' and unknown names: the instrument kind's). */
const AGG: Record<string, AggregationKind> = { drop: -1, sum: 0, lastValue: 1, histogram: 2 };

/**
 * A view with the specification's selection criteria and stream configuration
 * (https://opentelemetry.io/docs/specs/otel/metrics/sdk/#view), for `MeterProvider({ views })`:
 *
 * ```ts
 * view({ instrumentName: 'http.*.duration', boundaries: [0, 100, 500, 2500] })
 * view({ instrumentName: '*', aggregation: 'drop' }) // with other views: only those are kept
 * ```
 *
 * A view without any criterion selects nothing (the spec calls it an error) and gets one
 * `console.warn`. Give `name` only to a view that selects one instrument, or the streams collide.
 * Views live in this module so that apps without views do not carry their code.
 */
export function view(o: ViewOptions): View {
  const n = o.instrumentName;
  const re =
    n != null &&
    new RegExp('^' + n.replace(/[^\w*?]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$', 'i');
  const crit: Array<[unknown, (i: InstrumentDescriptor, s: InstrumentationScope) => unknown]> = [
    [o.instrumentType, (i) => i.type],
    [o.instrumentUnit, (i) => i.unit],
    [o.meterName, (_, s) => s.name],
    [o.meterVersion, (_, s) => s.version],
    [o.meterSchemaUrl, (_, s) => s.schemaUrl],
  ];
  const any = re || crit.some((c) => c[0] != null);
  if (!any) warnConfig('view (no selection criteria)', o, 'selects nothing');
  const ks = o.attributeKeys && [...o.attributeKeys].sort();
  return (i, s, dflt) => {
    if (!any || (re && !re.test(i.name)) || !crit.every(([want, have]) => want == null || want == have(i, s))) return;
    let g = AGG[o.aggregation!] ?? dflt.g;
    if (g > 1 && i.type[0] == 'O') {
      // observations are not distributions: the spec says warn and ignore such a view
      report(1, 'no histogram view for', i.name);
      g = dflt.g;
    }
    return {
      g,
      b: o.boundaries ? bounds(o.boundaries) : dflt.b,
      md: { ...i, name: o.name || i.name, description: o.description ?? i.description },
      l: o.aggregationCardinalityLimit,
      f: ks && ((e) => canonical(e[1], ks)),
    };
  };
}

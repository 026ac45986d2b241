import { warnConfig } from '../lib/diag';
import type { InstrumentationScope } from '../lib/types';
import type { StreamConfig, View } from './provider';
import type { InstrumentDescriptor, InstrumentType } from './sdk-types';

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

/**
 * A view with the specification's selection criteria
 * (https://opentelemetry.io/docs/specs/otel/metrics/sdk/#view), for `MeterProvider({ views })`:
 *
 * ```ts
 * view({ instrumentName: 'http.*.duration', boundaries: [0, 100, 500, 2500] })
 * view({ instrumentName: '*', aggregation: 'drop' }) // with other views: only those are kept
 * ```
 *
 * A view without any criterion selects nothing (the spec calls it an error) and gets one
 * `console.warn`. Give `name` only to a view that selects one instrument, or the streams collide.
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
  return (i, s) => any && (!re || re.test(i.name)) && crit.every(([want, have]) => want == null || want == have(i, s)) && o;
}

import { onPageExit } from '../lib/page-exit';
import { now } from '../lib/time';
import type { Attributes } from '../lib/types';
import { VERSION } from '../lib/version';
import { OtlpExporter } from '../exporters/otlp-http-json/exporter';
import { encodeMetricItems, type MetricItem, type OTLPMetricExporterConfig } from '../exporters/otlp-http-json/metrics';
import { vitalBounds, type VitalSink } from '../instrumentations/document-load/vitals';
import { defaultResource, type Resource } from '../trace/resource';
import type { Pipeline } from './setup';

/** One histogram point: the name, attributes and the running aggregate. */
interface Point {
  /** vital name (`lcp`, ...) */
  n: string;
  /** attributes */
  a: Attributes;
  /** bucket counts */
  b: number[];
  /** count */
  c: number;
  /** sum */
  s: number;
  /** min */
  l: number;
  /** max */
  h: number;
  /** changed since the last export */
  d?: boolean;
}

/**
 * The snippet's web-vitals metrics without the metrics SDK: the five vitals are recorded a few
 * times per page, so the SDK's general machinery (meters, instruments, views, cardinality,
 * readers; about 3 KB gzip) is replaced by one map of explicit-bucket histogram points,
 * exported as the same OTLP histograms the SDK would send (`browser.web_vital.{name}`, scope
 * `otelite/web-vitals`) by the shared OTLP sender: cumulative from the pipeline's start, or,
 * when `temporalityPreference` is `delta` or `lowmemory` (histograms are delta in both, see
 * `temporalitySelector` in `metrics/temporality.ts`), what was recorded since the last export.
 *
 * A point goes out when it changed: at page exit (after web-vitals' hide reports, so the final
 * INP and CLS leave with that exit), on `forceFlush`, and a minute after a change at the latest.
 * `resource` is merged over the default one; its attributes may be updated later (session.id).
 */
export function vitalsMetrics(resource: Resource, exporter: OTLPMetricExporterConfig): Pipeline & { readonly resource: Resource; record: VitalSink } {
  const res = defaultResource().merge(resource);
  const scope = { name: 'otelite/web-vitals', version: VERSION };
  let start = now();
  // (not `temporalitySelector`, which the snippet does not carry: the exporter checks the value)
  const delta = /^\s*(delta|lowmemory)\s*$/i.test(exporter.temporalityPreference!);
  const x = new OtlpExporter<MetricItem>(exporter, 'metrics', encodeMetricItems);
  const points = new Map<string, Point>();
  let timer: ReturnType<typeof setTimeout> | undefined;

  /** Sends the points that changed, as they are now (cumulative), or since the last export (delta: then forgotten). */
  const flush = (): void => {
    clearTimeout(timer);
    timer = undefined;
    const t = now();
    const items: MetricItem[] = [];
    for (const p of points.values())
      if (p.d) {
        p.d = false;
        items.push({
          r: res,
          s: scope,
          m: {
            descriptor: { name: 'browser.web_vital.' + p.n, description: 'Web vital ' + p.n.toUpperCase(), unit: p.n == 'cls' ? '1' : 'ms', type: 'HISTOGRAM', valueType: 1 },
            aggregationTemporality: delta ? 0 : 1,
            dataPointType: 0,
            dataPoints: [
              { startTime: start, endTime: t, attributes: p.a, value: { buckets: { boundaries: vitalBounds(p.n), counts: p.b.slice() }, count: p.c, sum: p.s, min: p.l, max: p.h } },
            ],
          },
        });
      }
    if (items.length) x.send(items);
    if (delta) (start = t), points.clear();
  };
  const off = onPageExit(flush);

  return {
    resource: res,
    record(n, v, a) {
      const k = n + ' ' + a['browser.web_vital.navigation_type'];
      let p = points.get(k);
      if (!p) points.set(k, (p = { n, a, b: vitalBounds(n).map(() => 0).concat(0), c: 0, s: 0, l: v, h: v }));
      let i = 0;
      for (const b of vitalBounds(n)) if (v > b) i++;
      p.b[i]++;
      p.c++;
      p.s += v;
      p.l = Math.min(p.l, v);
      p.h = Math.max(p.h, v);
      p.d = true;
      timer ||= setTimeout(flush, 6e4);
    },
    forceFlush() {
      flush();
      return x.forceFlush();
    },
    shutdown() {
      flush();
      off();
      return x.shutdown();
    },
  };
}

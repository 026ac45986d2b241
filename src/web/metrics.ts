import type { OTLPExporterConfig } from '../exporters/otlp-http-json/config';
import { OTLPMetricExporter } from '../exporters/otlp-http-json/metrics';
import { PeriodicExportingMetricReader } from '../metrics/periodic-reader';
import { MeterProvider } from '../metrics/provider';
import type { Resource } from '../trace/resource';

/**
 * The distro's metrics pipeline: a registered `MeterProvider` whose periodic reader exports
 * through the OTLP exporter every 60 s, on `forceFlush` and at page exit (where the web vitals
 * INP and CLS become final).
 */
export function metricsPipeline(resource: Resource, exporter: OTLPExporterConfig): MeterProvider {
  const mp = new MeterProvider({ resource, readers: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter(exporter) })] });
  mp.register();
  return mp;
}

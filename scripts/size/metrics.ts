// Typical use of otelite/metrics: provider + counter + histogram + periodic reader (no exporter).
import { MeterProvider, PeriodicExportingMetricReader } from 'otelite/metrics';
import type { PushMetricExporter } from 'otelite/metrics';

declare const exporter: PushMetricExporter;
const provider = new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter })] });
provider.register();
const meter = provider.getMeter('app', '1.0.0');
meter.createCounter('requests').add(1, { route: '/' });
meter.createHistogram('duration', { unit: 'ms' }).record(12, { route: '/' });

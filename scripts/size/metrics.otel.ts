// The same with opentelemetry-js.
import { metrics } from '@opentelemetry/api';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';

declare const exporter: PushMetricExporter;
const provider = new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter })] });
metrics.setGlobalMeterProvider(provider);
const meter = provider.getMeter('app', '1.0.0');
meter.createCounter('requests').add(1, { route: '/' });
meter.createHistogram('duration', { unit: 'ms' }).record(12, { route: '/' });

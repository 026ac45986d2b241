// The core SDK with the OTLP/HTTP JSON trace exporter: what a hand-assembled SPA ships.
import { trace } from 'otelite';
import { BatchSpanProcessor, TracerProvider } from 'otelite/trace';
import { OTLPTraceExporter } from 'otelite/exporters/otlp-http-json';

new TracerProvider({
  spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ endpoint: 'https://collector.example.com' }))],
}).register();
trace.getTracer('app').startActiveSpan('work', (span) => span.end());

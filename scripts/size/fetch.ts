// The core SDK (as in core.ts) plus the fetch instrumentation: measured on top of core.
import { trace } from 'otelite';
import { BatchSpanProcessor, TracerProvider, type SpanExporter } from 'otelite/trace';
import { fetchInstrumentation } from 'otelite/instrumentations/fetch';

const exporter: SpanExporter = {
  export: (spans, done) => (console.log(spans.length), done({ code: 0 })),
  shutdown: async () => {},
};
new TracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] }).register();
fetchInstrumentation({ propagateTo: ['https://api.example.com'] }).enable();
trace.getTracer('app').startActiveSpan('work', (span) => span.end());

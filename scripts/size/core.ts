// The core SDK: provider, batch processor, W3C trace context and baggage, register.
import { trace } from 'otelite';
import { BatchSpanProcessor, TracerProvider, type SpanExporter } from 'otelite/trace';

const exporter: SpanExporter = {
  export: (spans, done) => (console.log(spans.length), done({ code: 0 })),
  shutdown: async () => {},
};
new TracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] }).register();
trace.getTracer('app').startActiveSpan('work', (span) => span.end());

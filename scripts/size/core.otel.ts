import { trace } from '@opentelemetry/api';
import { BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { WebTracerProvider } from '@opentelemetry/sdk-trace-web';

const exporter: SpanExporter = {
  export: (spans, done) => (console.log(spans.length), done({ code: 0 })),
  shutdown: async () => {},
};
new WebTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] }).register();
trace.getTracer('app').startActiveSpan('work', (span) => span.end());

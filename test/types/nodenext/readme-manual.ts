// README.md, quick start 2 (an SPA), the parts by hand, as it is there (package-types.test.ts
// checks that README.md still contains the code below the marker).
// ---- README.md ----
import { trace } from 'otelite';
import { BatchSpanProcessor, TracerProvider } from 'otelite/trace';
import { OTLPTraceExporter } from 'otelite/exporters/otlp-http-json';
import { fetchInstrumentation } from 'otelite/instrumentations/fetch';

new TracerProvider({
  spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ endpoint: 'https://collector.example.com' }))],
}).register();
fetchInstrumentation({ propagateTo: ['https://api.example.com'] }).enable();

trace.getTracer('shop').startActiveSpan('checkout', async (span) => {
  await fetch('/api/checkout', { method: 'POST' }); // a CLIENT span, child of "checkout"
  span.end();
});

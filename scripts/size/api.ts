// A library that depends on the API only.
import { trace } from 'otelite';

trace.getTracer('app').startActiveSpan('work', (span) => span.end());

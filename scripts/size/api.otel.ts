import { trace } from '@opentelemetry/api';

trace.getTracer('app').startActiveSpan('work', (span) => span.end());

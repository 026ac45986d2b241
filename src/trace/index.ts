/**
 * otelite/trace: the tracing SDK. Where spans are born (`tracer.ts` → `span.ts`) and how
 * they leave (`batch-processor.ts` → an exporter).
 * @packageDocumentation
 */
export { TracerProvider } from './provider';
export type { RegisterConfig, TracerProviderConfig } from './provider';
export { SdkTracer } from './tracer';
export { RecordingSpan } from './span';
export { BatchSpanProcessor } from './batch-processor';
export type { BatchSpanProcessorConfig } from './batch-processor';
export { SimpleSpanProcessor } from './simple-processor';
export {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  SamplingDecision,
  TraceIdRatioBasedSampler,
} from './sampler';
export type { ParentBasedSamplerConfig, Sampler, SamplingResult } from './sampler';
export { RandomIdGenerator } from './id-generator';
export type { IdGenerator } from './id-generator';
export { defaultResource, resourceFromAttributes } from './resource';
export type { Resource } from './resource';
export type {
  ExportResult,
  ReadableSpan,
  SpanExporter,
  SpanLimits,
  SpanProcessor,
  TimedEvent,
} from './sdk-types';
export { StackContextManager } from '../context/stack';
export { W3CTraceContextPropagator } from './propagation/trace-context';
export { W3CBaggagePropagator } from './propagation/baggage';
export { CompositePropagator } from './propagation/composite';

import { BatchQueue, type BatchConfig } from '../lib/batch-queue';
import type { ReadableSpan, SpanExporter, SpanProcessor } from './sdk-types';
import { contextOf, type RecordingSpan } from './span';

/**
 * Options of {@link BatchSpanProcessor}; the defaults are the specification's: `maxQueueSize`
 * 2048, `maxExportBatchSize` 512, `scheduledDelayMillis` 5000 (`Infinity`: export only when a
 * batch is full, on `forceFlush` and at page exit, for edge workers whose timers must not outlive
 * a request), `exportTimeoutMillis` 30000.
 */
export type BatchSpanProcessorConfig = BatchConfig;

/**
 * Queues ended, sampled spans and exports them in batches, on a timer, when a batch is full, on
 * `forceFlush`, and (in browsers) synchronously when the page hides, so that the exporter can
 * send them with a request that survives the unload. Bounded: one batch in flight and
 * `maxQueueSize` spans waiting; what does not fit is dropped and counted in `dropped`.
 */
export class BatchSpanProcessor extends BatchQueue<ReadableSpan> implements SpanProcessor {
  /**
   * @param exporter - where spans go
   * @param config - queue bounds and timing
   */
  constructor(exporter: SpanExporter, config: BatchSpanProcessorConfig = {}) {
    super(exporter, config, 5000, 'bsp');
  }

  /** {@inheritDoc SpanProcessor.onStart} */
  onStart(): void {}

  /** {@inheritDoc SpanProcessor.onEnd} */
  onEnd(span: ReadableSpan): void {
    // the flags without writing out the ids of an SDK span (see RecordingSpan.spanContext)
    if (contextOf(span as RecordingSpan).traceFlags & 1) this.add(span);
  }
}

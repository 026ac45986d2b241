import { BatchQueue, type BatchConfig } from '../lib/batch-queue';
import type { LogRecordExporter, LogRecordProcessor, ReadableLogRecord } from './sdk-types';

/** Options of {@link BatchLogRecordProcessor}; the defaults are the specification's. */
export type BatchLogRecordProcessorConfig = BatchConfig;

/**
 * Queues emitted records and exports them in batches: every `scheduledDelayMillis` (1000 ms),
 * when a batch is full, on `forceFlush`, and (in browsers) synchronously when the page hides, so
 * the exporter can send them with a request that survives the unload. Bounded by `maxQueueSize`
 * (2048): what does not fit is dropped and counted in `dropped`.
 */
export class BatchLogRecordProcessor extends BatchQueue<ReadableLogRecord> implements LogRecordProcessor {
  /**
   * @param exporter - where records go
   * @param config - queue bounds and timing
   */
  constructor(exporter: LogRecordExporter, config: BatchLogRecordProcessorConfig = {}) {
    super(exporter, config, 1000, 'blrp');
  }

  /** {@inheritDoc LogRecordProcessor.onEmit} */
  onEmit(record: ReadableLogRecord): void {
    this.add(record);
  }
}

/**
 * Exports each record as soon as it is emitted, one export per record. For tests and
 * development; use the batch processor in production.
 */
export class SimpleLogRecordProcessor extends BatchQueue<ReadableLogRecord> implements LogRecordProcessor {
  /** @param exporter - where records go */
  constructor(exporter: LogRecordExporter) {
    // a batch of one is sent at once: the queue never holds anything, so no timer is ever set
    super(exporter, { maxExportBatchSize: 1 }, Infinity, 'slrp');
  }

  /** {@inheritDoc LogRecordProcessor.onEmit} */
  onEmit(record: ReadableLogRecord): void {
    this.add(record);
  }
}

import { context } from '../context/api';
import { report } from '../lib/diag';
import type { InstrumentationScope } from '../lib/types';
import { each } from '../trace/provider';
import { defaultResource, type Resource } from '../trace/resource';
import { logs } from './api';
import { cleanAnyValue, SdkLogRecord, type LoggerState } from './record';
import type { LogRecordLimits, LogRecordProcessor } from './sdk-types';
import type { Logger, LoggerOptions, LoggerProvider as ApiLoggerProvider, LogRecord } from './types';

/** Options of {@link LoggerProvider}. */
export interface LoggerProviderConfig {
  /** Merged over the default resource (`service.name`, `telemetry.sdk.*`). */
  resource?: Resource;
  /** Where records go. */
  processors?: LogRecordProcessor[];
  /** Default: the specification's limits. */
  logRecordLimits?: LogRecordLimits;
}

const limit = (v: number | undefined, d: number): number => (typeof v == 'number' && v >= 0 ? v : d);

/** The SDK's logger. Get one from `LoggerProvider.getLogger`. */
export class SdkLogger implements Logger {
  /**
   * @param s - what the provider's loggers share
   * @param scope - this logger's instrumentation scope
   */
  constructor(
    private readonly s: LoggerState,
    readonly scope: InstrumentationScope,
  ) {}

  /** {@inheritDoc Logger.emit} */
  emit(r: LogRecord): void {
    if (!this.enabled()) return;
    let rec: SdkLogRecord, ctx;
    try {
      // the spec: the given context, else the active one, supplies the span
      rec = new SdkLogRecord(this.s, this.scope, r, (ctx = r.context || context.active()));
    } catch (e) {
      return report(0, 'log record dropped', e);
    }
    for (const p of this.s.p) {
      try {
        p.onEmit(rec, ctx);
      } catch (e) {
        report(0, 'log processor failed', e);
      }
    }
  }

  /** {@inheritDoc Logger.enabled} */
  enabled(): boolean {
    return !this.s.down && this.s.p.length > 0;
  }
}

/** The logs SDK's entry point: makes loggers whose records go to the configured processors. */
export class LoggerProvider implements ApiLoggerProvider {
  /** The resource every record carries. */
  readonly resource: Resource;
  private readonly s: LoggerState;
  private readonly loggers = new Map<string, Logger>();

  /** @param config - resource, processors and limits (none, or null: the defaults) */
  constructor(config?: LoggerProviderConfig | null) {
    config ||= {};
    this.resource = defaultResource().merge(config.resource);
    const l = config.logRecordLimits ?? {};
    this.s = {
      r: this.resource,
      p: [...(config.processors ?? [])],
      a: limit(l.attributeCountLimit, 128),
      l: limit(l.attributeValueLengthLimit, Infinity),
    };
  }

  /** {@inheritDoc LoggerProvider.getLogger} */
  getLogger(name: string, version?: string, options?: LoggerOptions): Logger {
    const schemaUrl = options?.schemaUrl;
    const key = `${name}@${version || ''}:${schemaUrl || ''}`;
    let l = this.loggers.get(key);
    if (!l) {
      const attributes = cleanAnyValue(options?.attributes, this.s.l) as InstrumentationScope['attributes'];
      this.loggers.set(key, (l = new SdkLogger(this.s, { name: String(name || ''), version, schemaUrl, attributes })));
    }
    return l;
  }

  /**
   * Makes this the global logger provider, so `logs.getLogger` from the API (here and in
   * libraries, and loggers they took before) emits through it.
   */
  register(): void {
    if (logs.setGlobalLoggerProvider(this) != this) report(1, 'a logger provider is registered already');
  }

  /** Exports everything pending in every processor. */
  forceFlush(): Promise<void> {
    return each(this.s.p, (p) => p.forceFlush());
  }

  /** Flushes and stops every processor; later records are dropped. */
  shutdown(): Promise<void> {
    this.s.down = true;
    return each(this.s.p, (p) => p.shutdown());
  }
}

import { globals } from '../lib/global';
import type { Logger, LoggerOptions, LoggerProvider, LogRecord } from './types';

const provider = (): LoggerProvider | undefined => globals().l as LoggerProvider | undefined;

/**
 * A logger handed out before an SDK is installed. It looks the real logger up on each use, so
 * libraries that take their logger at import time start emitting once the app registers an SDK;
 * until then records are dropped (the API records nothing by itself).
 */
class ProxyLogger implements Logger {
  private d?: Logger;
  constructor(
    private readonly n: string,
    private readonly v?: string,
    private readonly o?: LoggerOptions,
  ) {}
  private l(): Logger | undefined {
    const p = provider();
    return this.d || (p && (this.d = p.getLogger(this.n, this.v, this.o)));
  }
  emit(record: LogRecord): void {
    this.l()?.emit(record);
  }
  enabled(options?: Parameters<Logger['enabled']>[0]): boolean {
    return !!this.l()?.enabled(options);
  }
}

/** The logs API, shaped like `@opentelemetry/api-logs`' `logs`. */
export const logs = {
  /** A logger for the named library; a working one once an SDK is registered. */
  getLogger(name: string, version?: string, options?: LoggerOptions): Logger {
    return provider()?.getLogger(name, version, options) ?? new ProxyLogger(name, version, options);
  },
  /** The registered logger provider, or a no-op one (this API, whose loggers wait for one). */
  getLoggerProvider(): LoggerProvider {
    return provider() ?? logs;
  },
  /**
   * Installs the global logger provider. Like `@opentelemetry/api-logs`, returns the provider that
   * is global afterwards: `p`, or the one installed before (which is kept).
   */
  setGlobalLoggerProvider(p: LoggerProvider): LoggerProvider {
    return provider() ?? (globals().l = p);
  },
  /** Removes the global logger provider. */
  disable(): void {
    globals().l = undefined;
  },
};

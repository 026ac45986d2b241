import { globals } from './global';

/** Receives otelite's own diagnostics. Same shape as `@opentelemetry/api`'s `DiagLogger`. */
export interface DiagLogger {
  /** Failures that lose data or break a feature. */
  error(message: string, ...args: unknown[]): void;
  /** Bad input that was replaced by a safe default. */
  warn(message: string, ...args: unknown[]): void;
  /** Notable but expected events. */
  info(message: string, ...args: unknown[]): void;
  /** Detail for debugging otelite itself. */
  debug(message: string, ...args: unknown[]): void;
  /** Everything. */
  verbose(message: string, ...args: unknown[]): void;
}

/** How much the diagnostic logger is told; numbers match `@opentelemetry/api`'s `DiagLogLevel`. */
export const DiagLogLevel = {
  NONE: 0,
  ERROR: 30,
  WARN: 50,
  INFO: 60,
  DEBUG: 70,
  VERBOSE: 80,
  ALL: 9999,
} as const;

/** One of the {@link DiagLogLevel} values. */
export type DiagLogLevel = (typeof DiagLogLevel)[keyof typeof DiagLogLevel];

type Sink = [Partial<DiagLogger>, number];

/** The logger methods of the five report levels; their `DiagLogLevel` is 30, 50, 60, 70, 80. */
const NAMES = ['error', 'warn', 'info', 'debug', 'verbose'] as const;

/** How many failures otelite caught, per diagnostic key (a fixed set of our own strings). */
export const failures: Record<string, number> = {};

/**
 * Reports through the installed diagnostic logger; silent when none is installed, so a page
 * never sees otelite's noise unless its owner asks for it.
 */
export function report(level: 0 | 1 | 2 | 3 | 4, message: string, ...args: unknown[]): void {
  const sink = globals().d as Sink | undefined;
  if (sink && sink[1] >= (level ? 40 + level * 10 : 30)) {
    try {
      sink[0][NAMES[level]]?.('otelite: ' + message, ...args);
    } catch {
      // a broken logger must not break the host
    }
  }
}

/**
 * Counts a failure under `key` and reports it the first time only: a failure that repeats on
 * every span must not flood the console.
 */
export function reportOnce(key: string, message: string, ...args: unknown[]): void {
  if ((failures[key] = (failures[key] || 0) + 1) == 1) report(0, message, ...args);
}

/** `v` for a message: JSON where it can (strings quoted), as itself where JSON cannot (NaN, cycles, bigint). */
const show = (v: unknown): string => {
  try {
    if (typeof v != 'number') return JSON.stringify(v) || String(v);
  } catch {
    // cyclic, bigint
  }
  return String(v);
};

/**
 * Bad configuration is the one thing otelite always says, even without a diagnostic logger:
 * one `console.warn` naming the key, the value and the default used instead.
 */
export function warnConfig(key: string, value: unknown, fallback: unknown): void {
  try {
    console.warn(`otelite: invalid ${key} ${show(value)}; using ${show(fallback)}`);
  } catch {
    // console may be missing or patched badly
  }
}

/** The diagnostic API, shaped like `@opentelemetry/api`'s `diag`. */
export const diag = {
  /** Installs `logger` at `level` (default WARN); pass nothing to go silent again. */
  setLogger(logger?: Partial<DiagLogger>, level: DiagLogLevel | { logLevel?: DiagLogLevel } = 50): boolean {
    const lvl = typeof level == 'number' ? level : (level.logLevel ?? 50);
    globals().d = logger ? [logger, lvl] : undefined;
    return true;
  },
  /** Removes the logger. */
  disable(): void {
    globals().d = undefined;
  },
  /** {@inheritDoc DiagLogger.error} */
  error: (m: string, ...a: unknown[]): void => report(0, m, ...a),
  /** {@inheritDoc DiagLogger.warn} */
  warn: (m: string, ...a: unknown[]): void => report(1, m, ...a),
  /** {@inheritDoc DiagLogger.info} */
  info: (m: string, ...a: unknown[]): void => report(2, m, ...a),
  /** {@inheritDoc DiagLogger.debug} */
  debug: (m: string, ...a: unknown[]): void => report(3, m, ...a),
  /** {@inheritDoc DiagLogger.verbose} */
  verbose: (m: string, ...a: unknown[]): void => report(4, m, ...a),
};

/** A logger that writes to the console, for `diag.setLogger(new DiagConsoleLogger())`. */
export class DiagConsoleLogger implements DiagLogger {
  /** {@inheritDoc DiagLogger.error} */
  error(m: string, ...a: unknown[]): void {
    console.error(m, ...a);
  }
  /** {@inheritDoc DiagLogger.warn} */
  warn(m: string, ...a: unknown[]): void {
    console.warn(m, ...a);
  }
  /** {@inheritDoc DiagLogger.info} */
  info(m: string, ...a: unknown[]): void {
    console.info(m, ...a);
  }
  /** {@inheritDoc DiagLogger.debug} */
  debug(m: string, ...a: unknown[]): void {
    console.debug(m, ...a);
  }
  /** {@inheritDoc DiagLogger.verbose} */
  verbose(m: string, ...a: unknown[]): void {
    console.debug(m, ...a);
  }
}

/**
 * `o[key]` when it is a number of at least `min`; else `fallback`, with a {@link warnConfig}
 * when a value was given (undefined is an option left unset). For the numeric options of
 * processors and limits.
 */
export function numberOption<O>(o: O, key: keyof O & string, fallback: number, min: number): number {
  // (`o` null: a config given as null, as untyped code may; the defaults then)
  const v = o?.[key];
  if (typeof v == 'number' && v >= min) return v;
  if (v !== undefined) warnConfig(key, v, fallback);
  return fallback;
}

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { diag, DiagConsoleLogger, DiagLogLevel, failures, report, reportOnce, warnConfig } from './diag';

const KEY = Symbol.for('otelite');

function logger() {
  return { error: vi.fn(), warn: vi.fn(), info: vi.fn(), debug: vi.fn(), verbose: vi.fn() };
}

beforeEach(() => {
  delete (globalThis as { [KEY]?: unknown })[KEY];
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('report', () => {
  it('is silent when no logger is installed (and never touches the console)', () => {
    const spies = (['error', 'warn', 'info', 'debug', 'log'] as const).map((m) =>
      vi.spyOn(console, m).mockImplementation(() => {}),
    );
    report(0, 'boom', 1);
    report(4, 'detail');
    diag.error('x');
    for (const s of spies) expect(s).not.toHaveBeenCalled();
  });

  it('prefixes messages with "otelite: " and passes the arguments on', () => {
    const l = logger();
    diag.setLogger(l, DiagLogLevel.ALL);
    const err = new Error('e');
    report(0, 'export failed', err, 2);
    expect(l.error).toHaveBeenCalledWith('otelite: export failed', err, 2);
  });

  it('maps the five report levels to error, warn, info, debug, verbose', () => {
    const l = logger();
    diag.setLogger(l, DiagLogLevel.ALL);
    report(0, 'a');
    report(1, 'b');
    report(2, 'c');
    report(3, 'd');
    report(4, 'e');
    expect(l.error).toHaveBeenCalledWith('otelite: a');
    expect(l.warn).toHaveBeenCalledWith('otelite: b');
    expect(l.info).toHaveBeenCalledWith('otelite: c');
    expect(l.debug).toHaveBeenCalledWith('otelite: d');
    expect(l.verbose).toHaveBeenCalledWith('otelite: e');
  });

  it('filters by level; WARN is the default', () => {
    const l = logger();
    diag.setLogger(l);
    report(0, 'a');
    report(1, 'b');
    report(2, 'c');
    report(3, 'd');
    report(4, 'e');
    expect(l.error).toHaveBeenCalledTimes(1);
    expect(l.warn).toHaveBeenCalledTimes(1);
    expect(l.info).not.toHaveBeenCalled();
    expect(l.debug).not.toHaveBeenCalled();
    expect(l.verbose).not.toHaveBeenCalled();
  });

  it.each([
    [DiagLogLevel.NONE, 0],
    [DiagLogLevel.ERROR, 1],
    [DiagLogLevel.WARN, 2],
    [DiagLogLevel.INFO, 3],
    [DiagLogLevel.DEBUG, 4],
    [DiagLogLevel.VERBOSE, 5],
    [DiagLogLevel.ALL, 5],
  ])('level %i lets %i of the five levels through', (level, n) => {
    const l = logger();
    diag.setLogger(l, level);
    for (const lv of [0, 1, 2, 3, 4] as const) report(lv, 'm');
    const calls = Object.values(l).reduce((s, f) => s + f.mock.calls.length, 0);
    expect(calls).toBe(n);
  });

  it('accepts the level as an options object, like @opentelemetry/api', () => {
    const l = logger();
    diag.setLogger(l, { logLevel: DiagLogLevel.ERROR });
    report(1, 'w');
    report(0, 'e');
    expect(l.warn).not.toHaveBeenCalled();
    expect(l.error).toHaveBeenCalledTimes(1);
    diag.setLogger(l, {});
    report(1, 'w');
    expect(l.warn).toHaveBeenCalledTimes(1); // default WARN
  });

  it('tolerates a partial logger and a logger that throws', () => {
    diag.setLogger({ error: () => {} }, DiagLogLevel.ALL);
    expect(() => report(1, 'no warn method')).not.toThrow();
    diag.setLogger(
      {
        error: () => {
          throw new Error('broken logger');
        },
      },
      DiagLogLevel.ALL,
    );
    expect(() => report(0, 'x')).not.toThrow();
  });

  it('goes silent again with setLogger() or disable()', () => {
    const l = logger();
    expect(diag.setLogger(l)).toBe(true);
    diag.setLogger();
    report(0, 'a');
    diag.setLogger(l);
    diag.disable();
    report(0, 'b');
    expect(l.error).not.toHaveBeenCalled();
  });

  it('uses a logger installed by another copy of otelite (the shared registry)', () => {
    const l = logger();
    (globalThis as { [KEY]?: unknown })[KEY] = { d: [l, DiagLogLevel.ALL] };
    report(2, 'shared');
    expect(l.info).toHaveBeenCalledWith('otelite: shared');
  });

  it('diag.* methods report at their level', () => {
    const l = logger();
    diag.setLogger(l, DiagLogLevel.ALL);
    diag.error('a', 1);
    diag.warn('b');
    diag.info('c');
    diag.debug('d');
    diag.verbose('e');
    expect(l.error).toHaveBeenCalledWith('otelite: a', 1);
    expect(l.warn).toHaveBeenCalledWith('otelite: b');
    expect(l.info).toHaveBeenCalledWith('otelite: c');
    expect(l.debug).toHaveBeenCalledWith('otelite: d');
    expect(l.verbose).toHaveBeenCalledWith('otelite: e');
  });
});

describe('reportOnce', () => {
  it('counts every failure under its key and reports only the first, as an error', () => {
    const l = logger();
    diag.setLogger(l, DiagLogLevel.ALL);
    const key = 'test.once.' + Math.random();
    reportOnce(key, 'first', 1);
    reportOnce(key, 'second');
    reportOnce(key, 'third');
    expect(failures[key]).toBe(3);
    expect(l.error).toHaveBeenCalledTimes(1);
    expect(l.error).toHaveBeenCalledWith('otelite: first', 1);
  });

  it('keeps keys apart', () => {
    const l = logger();
    diag.setLogger(l, DiagLogLevel.ALL);
    const k = 'test.keys.' + Math.random();
    reportOnce(k + 'a', 'a');
    reportOnce(k + 'b', 'b');
    expect(l.error).toHaveBeenCalledTimes(2);
  });

  it('counts even when silent', () => {
    const key = 'test.silent.' + Math.random();
    reportOnce(key, 'x');
    reportOnce(key, 'x');
    expect(failures[key]).toBe(2);
  });
});

describe('warnConfig', () => {
  it('always writes one console.warn naming the key, the value and the default, without a diag logger', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    warnConfig('maxQueueSize', -1, 2048);
    expect(warn).toHaveBeenCalledTimes(1);
    const msg = warn.mock.calls[0][0] as string;
    expect(msg).toContain('maxQueueSize');
    expect(msg).toContain('-1');
    expect(msg).toContain('2048');
    expect(msg.startsWith('otelite: ')).toBe(true);
  });

  it('shows strings quoted and objects as JSON', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    warnConfig('sampler', 'bogus', 'parentbased_always_on');
    expect(warn.mock.calls[0][0]).toBe('otelite: invalid sampler "bogus"; using "parentbased_always_on"');
    warnConfig('headers', { a: 1 }, {});
    expect(warn.mock.calls[1][0]).toContain('{"a":1}');
  });

  it('names non-JSON numbers (NaN, Infinity) as they are, not as "null"', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    warnConfig('scheduledDelayMillis', NaN, 5000);
    warnConfig('maxQueueSize', -Infinity, 2048);
    expect(warn.mock.calls[0][0]).toBe('otelite: invalid scheduledDelayMillis NaN; using 5000');
    expect(warn.mock.calls[1][0]).toBe('otelite: invalid maxQueueSize -Infinity; using 2048');
  });

  it('copes with values JSON cannot show (undefined, functions, cycles, bigint)', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => warnConfig('a', undefined, 1)).not.toThrow();
    expect(() => warnConfig('b', () => 1, 1)).not.toThrow();
    expect(() => warnConfig('c', cyclic, 1)).not.toThrow();
    expect(() => warnConfig('d', 10n, 1)).not.toThrow();
    expect(warn).toHaveBeenCalledTimes(4);
    expect(warn.mock.calls[0][0]).toContain('invalid a undefined');
    expect(warn.mock.calls[2][0]).toContain('[object Object]');
    expect(warn.mock.calls[3][0]).toContain('invalid d 10');
  });

  it('never throws, even when console.warn does', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {
      throw new Error('patched console');
    });
    expect(() => warnConfig('x', 1, 2)).not.toThrow();
  });
});

describe('DiagConsoleLogger', () => {
  it('writes each level to the matching console method', () => {
    const e = vi.spyOn(console, 'error').mockImplementation(() => {});
    const w = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const i = vi.spyOn(console, 'info').mockImplementation(() => {});
    const d = vi.spyOn(console, 'debug').mockImplementation(() => {});
    const c = new DiagConsoleLogger();
    c.error('e', 1);
    c.warn('w');
    c.info('i');
    c.debug('d');
    c.verbose('v');
    expect(e).toHaveBeenCalledWith('e', 1);
    expect(w).toHaveBeenCalledWith('w');
    expect(i).toHaveBeenCalledWith('i');
    expect(d).toHaveBeenCalledWith('d');
    expect(d).toHaveBeenCalledWith('v');
  });

  it('works as the diag logger', () => {
    const w = vi.spyOn(console, 'warn').mockImplementation(() => {});
    diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.WARN);
    report(1, 'hello');
    expect(w).toHaveBeenCalledWith('otelite: hello');
  });
});

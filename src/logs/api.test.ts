import { beforeEach, describe, expect, it, vi } from 'vitest';
import { globals } from '../lib/global';
import { logs } from './api';
import type { Logger, LoggerProvider, LogRecord } from './types';

const KEY = Symbol.for('otelite');

function fakeProvider(): LoggerProvider & { emitted: Array<[string, LogRecord]>; getLogger: ReturnType<typeof vi.fn> } {
  const emitted: Array<[string, LogRecord]> = [];
  const getLogger = vi.fn(
    (name: string): Logger => ({
      emit: (r) => emitted.push([name, r]),
      enabled: () => true,
    }),
  );
  return { emitted, getLogger };
}

beforeEach(() => {
  delete (globalThis as { [KEY]?: unknown })[KEY];
});

describe('logs API', () => {
  it('is a no-op without an SDK: emit does nothing, enabled is false, nothing throws', () => {
    const l = logs.getLogger('lib');
    expect(() => l.emit({ body: 'x' })).not.toThrow();
    expect(l.enabled()).toBe(false);
    expect(logs.getLoggerProvider().getLogger('x').enabled()).toBe(false);
  });

  it('stores the provider in the shared registry, key l', () => {
    const p = fakeProvider();
    expect(logs.setGlobalLoggerProvider(p)).toBe(p);
    expect(globals().l).toBe(p);
    expect(logs.getLoggerProvider()).toBe(p);
  });

  it('keeps the first provider, and returns it to a second registration', () => {
    const a = fakeProvider();
    const b = fakeProvider();
    logs.setGlobalLoggerProvider(a);
    expect(logs.setGlobalLoggerProvider(b)).toBe(a);
    expect(logs.getLoggerProvider()).toBe(a);
  });

  it('a logger taken before registration emits through the provider registered later', () => {
    const early = logs.getLogger('lib', '1.0', { schemaUrl: 's' });
    early.emit({ body: 'lost' });
    const p = fakeProvider();
    logs.setGlobalLoggerProvider(p);
    early.emit({ body: 'kept' });
    early.emit({ body: 'again' });
    expect(early.enabled()).toBe(true);
    expect(p.emitted.map(([n, r]) => [n, r.body])).toEqual([
      ['lib', 'kept'],
      ['lib', 'again'],
    ]);
    // resolved once, with the name, version and options it was asked with
    expect(p.getLogger).toHaveBeenCalledTimes(1);
    expect(p.getLogger).toHaveBeenCalledWith('lib', '1.0', { schemaUrl: 's' });
  });

  it('getLogger after registration goes straight to the provider', () => {
    const p = fakeProvider();
    logs.setGlobalLoggerProvider(p);
    logs.getLogger('x').emit({ body: 1 });
    expect(p.emitted).toEqual([['x', { body: 1 }]]);
  });

  it('disable removes the provider', () => {
    logs.setGlobalLoggerProvider(fakeProvider());
    logs.disable();
    expect(globals().l).toBeUndefined();
    expect(logs.getLogger('x').enabled()).toBe(false);
  });
});

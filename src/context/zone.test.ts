/// <reference types="zone.js" />
// zone.js's types only: the runtime is loaded below, after the tests that run without it.
// vitest runs each test file in its own worker, so loading zone.js here patches no other file.
import { afterAll, beforeAll, describe, it, expect, vi } from 'vitest';
import { createContextKey, ROOT_CONTEXT } from './context';
import type { Context } from './types';
import { ZoneContextManager } from './zone';

const K = createContextKey('zone test');
const ctx = (v: unknown): Context => ROOT_CONTEXT.setValue(K, v);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('without zone.js', () => {
  it('warns once and works like the stack manager', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const m = new ZoneContextManager().enable();
    expect(m.active()).toBe(ROOT_CONTEXT);
    const c = ctx('sync');
    expect(m.with(c, () => m.active())).toBe(c);
    expect(m.bind(c, () => m.active())()).toBe(c);
    expect(await m.with(c, () => new Promise((r) => setTimeout(() => r(m.active()), 1)))).toBe(ROOT_CONTEXT);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/ZoneContextManager.*zone\.js is not loaded/);
    warn.mockRestore();
  });
});

describe('with zone.js', () => {
  let m: ZoneContextManager;
  const early = new ZoneContextManager(); // made before zone.js loads, like in an app bundle
  const val = (): unknown => m.active().getValue(K);

  beforeAll(async () => {
    await import('zone.js');
    m = new ZoneContextManager().enable();
  });
  afterAll(() => {
    m.disable();
  });

  it('uses zone.js once it is loaded, also in a manager made before', () => {
    const c = ctx('early');
    expect(early.with(c, () => Zone.current.name)).toBe('otelite');
    expect(early.with(c, () => early.active())).toBe(c);
  });

  it('starts at the root; with() sets and restores, passing this and arguments', () => {
    expect(m.active()).toBe(ROOT_CONTEXT);
    const self = { n: 1 };
    const r = m.with(ctx(1), function (this: typeof self, a: number, b: string) {
      return [val(), this.n, a, b];
    }, self, 2, 'x');
    expect(r).toEqual([1, 1, 2, 'x']);
    expect(m.active()).toBe(ROOT_CONTEXT);
  });

  it('forks the current zone, so the app zone (NgZone) stays an ancestor', () => {
    const app = Zone.current.fork({ name: 'app', properties: { app: true } });
    app.run(() => {
      m.with(ctx('in app'), () => {
        expect(Zone.current.parent).toBe(app);
        expect(Zone.current.get('app')).toBe(true);
        expect(val()).toBe('in app');
      });
    });
  });

  it('nested with() and errors restore the outer context', () => {
    m.with(ctx('outer'), () => {
      m.with(ctx('inner'), () => expect(val()).toBe('inner'));
      expect(val()).toBe('outer');
      expect(() =>
        m.with(ctx('inner'), () => {
          throw new Error('boom');
        }),
      ).toThrow('boom');
      expect(val()).toBe('outer');
    });
    expect(m.active()).toBe(ROOT_CONTEXT);
  });

  it('keeps the context in timers, Promise.then, queueMicrotask and setInterval', async () => {
    const c = ctx('kept');
    const seen: Record<string, unknown> = {};
    const done = m.with(c, () =>
      Promise.all([
        new Promise<void>((r) => setTimeout(() => ((seen.timeout = m.active()), r()), 1)),
        Promise.resolve()
          .then(() => (seen.then1 = m.active()))
          .then(() => sleep(1))
          .then(() => (seen.then2 = m.active())),
        new Promise<void>((r) => queueMicrotask(() => ((seen.microtask = m.active()), r()))),
        new Promise<void>((r) => {
          const id = setInterval(() => {
            seen.interval = m.active();
            clearInterval(id);
            r();
          }, 1);
        }),
        new Promise<void>((r, j) => setTimeout(() => j(new Error('x')), 1)).catch(() => {
          seen.catch = m.active();
        }),
      ]),
    );
    expect(m.active()).toBe(ROOT_CONTEXT);
    await done;
    for (const [where, got] of Object.entries(seen)) expect([where, got]).toEqual([where, c]);
    expect(Object.keys(seen)).toHaveLength(6);
  });

  it('a timer cleared inside with() does not fire', async () => {
    const fired = vi.fn();
    m.with(ctx(1), () => clearTimeout(setTimeout(fired, 1)));
    await sleep(5);
    expect(fired).not.toHaveBeenCalled();
  });

  it('loses the context after a native await (zone.js limit), while .then code keeps it', async () => {
    const c = ctx('await');
    const seen = await m.with(c, async () => {
      const before = m.active();
      await sleep(1);
      const after = m.active();
      return { before, after };
    });
    expect(seen.before).toBe(c);
    expect(seen.after).toBe(ROOT_CONTEXT); // what really happens in native async code
    const viaThen = await m.with(c, () => sleep(1).then(() => m.active()));
    expect(viaThen).toBe(c);
  });

  it('concurrent flows written with .then keep their own context', async () => {
    const flow = (name: string, d: number): Promise<unknown[]> =>
      m.with(ctx(name), () =>
        sleep(d)
          .then(() => val())
          .then((a) => sleep(3 - d).then(() => [a, val()])),
      );
    expect(await Promise.all([flow('a', 2), flow('b', 1), flow('c', 0)])).toEqual([
      ['a', 'a'],
      ['b', 'b'],
      ['c', 'c'],
    ]);
  });

  it('bind() runs a function with the bound context wherever it is called', async () => {
    const f = m.bind(ctx('bound'), function (this: unknown, a: number) {
      return [val(), this, a];
    });
    const self = {};
    expect(f.call(self, 1)).toEqual(['bound', self, 1]);
    expect(m.with(ctx('other'), () => f.call(undefined, 2))[0]).toBe('bound');
    const later = await m.with(ctx('other'), () => new Promise((r) => setTimeout(() => r(f.call(undefined, 3)[0]), 1)));
    expect(later).toBe('bound');
  });

  it('bind() returns anything but functions and event targets unchanged', () => {
    const o = { addEventListener() {} }; // no removeEventListener: not a target
    expect(m.bind(ctx(1), o)).toBe(o);
    expect(m.bind(ctx(1), o).addEventListener).toBe(o.addEventListener);
    expect(m.bind(ctx(1), 5)).toBe(5);
    expect(m.bind(ctx(1), null)).toBe(null);
    expect(m.bind(ctx(1), undefined)).toBe(undefined);
  });

  describe('bind() of an EventTarget', () => {
    const fire = (t: EventTarget, type = 'e'): boolean => t.dispatchEvent(new Event(type));

    it('runs listeners added afterwards with the context, from anywhere', () => {
      const t = new EventTarget();
      const c = ctx('target');
      expect(m.bind(c, t)).toBe(t);
      const seen: unknown[] = [];
      t.addEventListener('e', () => seen.push(m.active()));
      fire(t);
      m.with(ctx('other'), () => fire(t));
      expect(seen).toEqual([c, c]);
    });

    it('passes the event and this, and supports handleEvent objects', () => {
      const t = new EventTarget();
      m.bind(ctx('h'), t);
      const got: unknown[] = [];
      function fn(this: unknown, e: Event) {
        got.push(this, e.type, val());
      }
      const obj = {
        handleEvent(this: unknown, e: Event) {
          got.push(this === obj, e.type, val());
        },
      };
      t.addEventListener('e', fn);
      t.addEventListener('e', obj);
      fire(t);
      expect(got).toEqual([t, 'e', 'h', true, 'e', 'h']);
    });

    it('removeEventListener with the original listener removes it', () => {
      const t = new EventTarget();
      m.bind(ctx(1), t);
      const l = vi.fn();
      const obj = { handleEvent: vi.fn() };
      t.addEventListener('e', l);
      t.addEventListener('e', obj);
      fire(t);
      t.removeEventListener('e', l);
      t.removeEventListener('e', obj);
      fire(t);
      expect(l).toHaveBeenCalledTimes(1);
      expect(obj.handleEvent).toHaveBeenCalledTimes(1);
    });

    it('keeps the target semantics: one registration per type, listener and capture', () => {
      const t = new EventTarget();
      m.bind(ctx(1), t);
      const l = vi.fn();
      t.addEventListener('e', l);
      t.addEventListener('e', l); // duplicate: ignored by the target
      t.addEventListener('e', l, { capture: true }); // another registration
      t.addEventListener('f', l);
      fire(t);
      expect(l).toHaveBeenCalledTimes(2);
      t.removeEventListener('e', l); // the bubbling one only
      fire(t);
      expect(l).toHaveBeenCalledTimes(3);
      t.removeEventListener('e', l, true);
      fire(t);
      expect(l).toHaveBeenCalledTimes(3);
      fire(t, 'f');
      expect(l).toHaveBeenCalledTimes(4);
    });

    it('once listeners fire once and can be added again', () => {
      const t = new EventTarget();
      m.bind(ctx('once'), t);
      const seen: unknown[] = [];
      const l = (): number => seen.push(val());
      t.addEventListener('e', l, { once: true });
      fire(t);
      fire(t);
      t.addEventListener('e', l, { once: true });
      fire(t);
      expect(seen).toEqual(['once', 'once']);
    });

    it('removes a listener added before the target was bound', () => {
      const t = new EventTarget();
      const l = vi.fn();
      t.addEventListener('e', l);
      m.bind(ctx(1), t);
      t.removeEventListener('e', l);
      fire(t);
      expect(l).not.toHaveBeenCalled();
    });

    it('binding again switches the target to the new context', () => {
      const t = new EventTarget();
      m.bind(ctx('first'), t);
      const seen: unknown[] = [];
      t.addEventListener('e', () => seen.push(val()));
      const add = t.addEventListener;
      m.bind(ctx('second'), t);
      expect(t.addEventListener).toBe(add); // not patched twice
      fire(t);
      expect(seen).toEqual(['second']);
    });

    it('patches only that object, not EventTarget.prototype', () => {
      const proto = EventTarget.prototype.addEventListener;
      const t = new EventTarget();
      m.bind(ctx(1), t);
      expect(EventTarget.prototype.addEventListener).toBe(proto);
      expect(new EventTarget().addEventListener).toBe(proto);
      expect(Object.prototype.hasOwnProperty.call(t, 'addEventListener')).toBe(true);
    });

    it('works for any object with both listener methods (not patched by zone.js)', () => {
      const ls = new Set<(e: string) => void>();
      const emitter = {
        addEventListener(_: string, l: (e: string) => void) {
          ls.add(l);
        },
        removeEventListener(_: string, l: (e: string) => void) {
          ls.delete(l);
        },
        emit(e: string) {
          for (const l of ls) l(e);
        },
      };
      m.bind(ctx('custom'), emitter);
      const seen: unknown[] = [];
      const l = (e: string): number => seen.push(e, val());
      emitter.addEventListener('x', l);
      emitter.emit('a');
      emitter.removeEventListener('x', l);
      emitter.emit('b');
      expect(seen).toEqual(['a', 'custom']);
      expect(ls.size).toBe(0);
    });
  });

  it('disable() forgets every context set so far; the manager keeps working', async () => {
    const m2 = new ZoneContextManager().enable();
    const p = m2.with(ctx('before'), () => sleep(2).then(() => m2.active()));
    m2.disable();
    expect(await p).toBe(ROOT_CONTEXT);
    expect(m2.with(ctx('after'), () => m2.active().getValue(K))).toBe('after');
  });

  it('two managers do not see each other', () => {
    const other = new ZoneContextManager();
    m.with(ctx('m'), () => expect(other.active()).toBe(ROOT_CONTEXT));
  });
});

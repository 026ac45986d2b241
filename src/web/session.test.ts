import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSession, KEY } from './session';

/** A Web Storage stand-in; `fail` makes every access throw, as a sandboxed iframe's does. */
class MemoryStorage {
  m = new Map<string, string>();
  fail = false;
  writes = 0;
  getItem(k: string): string | null {
    if (this.fail) throw new DOMException('blocked', 'SecurityError');
    return this.m.get(k) ?? null;
  }
  setItem(k: string, v: string): void {
    if (this.fail) throw new DOMException('blocked', 'SecurityError');
    this.writes++;
    this.m.set(k, v);
  }
}

let t = 0;
let local: MemoryStorage;
let session: MemoryStorage;
const starts: [string, string | undefined][] = [];
const onStart = (id: string, prev?: string): void => void starts.push([id, prev]);

beforeEach(() => {
  t = 1000;
  starts.length = 0;
  local = new MemoryStorage();
  session = new MemoryStorage();
  vi.stubGlobal('localStorage', local);
  vi.stubGlobal('sessionStorage', session);
  vi.spyOn(performance, 'now').mockImplementation(() => t);
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('createSession', () => {
  it('starts a session with a random 32-hex id on first use, stored in sessionStorage', () => {
    const sid = createSession({}, onStart);
    expect(starts).toEqual([]);
    const id = sid();
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(starts).toEqual([[id, undefined]]);
    expect(JSON.parse(session.m.get(KEY)!)).toMatchObject({ i: id });
    expect(local.m.size).toBe(0);
    expect(sid()).toBe(id);
    expect(starts.length).toBe(1);
  });

  it('continues the stored session on the next page', () => {
    const id = createSession({}, onStart)();
    t += 60_000;
    expect(createSession({}, onStart)()).toBe(id);
    expect(starts.length).toBe(1);
  });

  it('rolls over after the inactivity timeout, naming the previous session', () => {
    const sid = createSession({ inactivityTimeoutMs: 10_000 }, onStart);
    const a = sid();
    t += 9_000;
    expect(sid()).toBe(a); // activity keeps it alive
    t += 9_000;
    expect(sid()).toBe(a);
    t += 10_001;
    const b = sid();
    expect(b).not.toBe(a);
    expect(starts).toEqual([
      [a, undefined],
      [b, a],
    ]);
  });

  it('rolls over after the maximum duration, however active', () => {
    const sid = createSession({ inactivityTimeoutMs: 10_000, maxDurationMs: 30_000 }, onStart);
    const a = sid();
    for (let i = 0; i < 6; i++) {
      t += 5_000;
      expect(sid()).toBe(a);
    }
    t += 1;
    expect(sid()).not.toBe(a);
  });

  it('a stored session that expired while the page was closed gives a new one', () => {
    const a = createSession({}, onStart)();
    t += 15 * 60_000 + 1;
    const b = createSession({}, onStart)();
    expect(b).not.toBe(a);
    expect(starts[1]).toEqual([b, a]);
  });

  it('writes activity back at most every 5 s', () => {
    const sid = createSession({}, onStart);
    sid();
    expect(session.writes).toBe(1);
    for (let i = 0; i < 100; i++) {
      t += 40;
      sid();
    }
    expect(session.writes).toBe(1);
    t += 1000;
    sid();
    expect(session.writes).toBe(2);
  });

  it("shares a localStorage session across tabs and follows another tab's rollover", () => {
    const tab1 = createSession({ storage: 'local' }, onStart);
    const a = tab1();
    const tab2 = createSession({ storage: 'local' }, onStart);
    expect(tab2()).toBe(a);
    expect(session.m.size).toBe(0);
    // tab 2 stores a new session (as after an expiry there); tab 1 adopts it at its next read
    const at = performance.timeOrigin + t;
    local.m.set(KEY, JSON.stringify({ i: 'f'.repeat(32), s: at, l: at }));
    t += 5_000;
    expect(tab1()).toBe('f'.repeat(32));
  });

  it('works in memory when storage throws on access (sandboxed iframe, blocked storage)', () => {
    session.fail = true;
    const sid = createSession({}, onStart);
    const a = sid();
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    t += 60_000;
    expect(sid()).toBe(a);
    expect(starts.length).toBe(1);
  });

  it('works when the storage getter itself throws or storage is missing', () => {
    Object.defineProperty(globalThis, 'sessionStorage', {
      configurable: true,
      get() {
        throw new DOMException('The document is sandboxed', 'SecurityError');
      },
    });
    expect(createSession({}, onStart)()).toMatch(/^[0-9a-f]{32}$/);
    vi.stubGlobal('sessionStorage', undefined);
    expect(createSession({}, onStart)()).toMatch(/^[0-9a-f]{32}$/);
  });

  it('works when writes fail (quota) and ignores values that are not its own', () => {
    session.m.set(KEY, '{"not":"ours"}');
    session.setItem = () => {
      throw new DOMException('full', 'QuotaExceededError');
    };
    const sid = createSession({}, onStart);
    const a = sid();
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(sid()).toBe(a);
    session.m.set(KEY, 'garbage{');
    t += 6000;
    expect(sid()).toBe(a);
  });

  it('warns about bad expiry options and uses the defaults', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const sid = createSession({ inactivityTimeoutMs: -1, maxDurationMs: 'x' as never }, onStart);
    expect(warn.mock.calls.map((c) => c[0])).toEqual([
      'otelite: invalid inactivityTimeoutMs -1; using 900000',
      'otelite: invalid maxDurationMs "x"; using 14400000',
    ]);
    const a = sid();
    t += 14 * 60_000;
    expect(sid()).toBe(a);
  });
});

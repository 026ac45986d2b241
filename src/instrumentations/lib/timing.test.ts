import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ROOT_CONTEXT } from '../../context/context';
import { trace } from '../../trace/api';
import type { RecordingSpan } from '../../trace/span';
import { registerSdk, spans } from './testing';
import { settle, track } from './timing';

/*
 * A fake PerformanceObserver: tests hand it resource entries as the browser would. Times are
 * performance.now() values, like real entries.
 */
// timing.ts keeps its one observer for good: so does this list
const observers: FakeObserver[] = [];
class FakeObserver {
  static supportedEntryTypes = ['resource'];
  on = false;
  constructor(private cb: (l: { getEntries(): unknown[] }) => void) {
    observers.push(this);
  }
  observe() {
    this.on = true;
  }
  disconnect() {
    this.on = false;
  }
  emit(entries: unknown[]) {
    if (this.on) this.cb({ getEntries: () => entries });
  }
}
const emit = (...entries: unknown[]) => observers.forEach((o) => o.emit(entries));
const connected = () => observers.filter((o) => o.on).length;

/** An entry for `name` starting at `t`, as a same-origin HTTP/1.1 request on a new connection. */
function entry(name: string, t: number, over: Record<string, unknown> = {}) {
  return {
    name,
    initiatorType: 'fetch',
    startTime: t,
    fetchStart: t,
    domainLookupStart: t + 1,
    domainLookupEnd: t + 2,
    connectStart: t + 2,
    secureConnectionStart: t + 3,
    connectEnd: t + 4,
    requestStart: t + 5,
    responseStart: t + 6,
    responseEnd: t + 7,
    nextHopProtocol: 'http/1.1',
    ...over,
  };
}

const span = () => trace.getTracer('t').startSpan('GET', { kind: 2 }, ROOT_CONTEXT) as RecordingSpan;
const o = performance.timeOrigin;

beforeAll(() => void registerSdk());
beforeEach(() => {
  spans.length = 0;
  vi.stubGlobal('PerformanceObserver', FakeObserver);
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('resource timing', () => {
  it('ends at once where there is no resource timing (Deno, workerd)', () => {
    vi.stubGlobal('PerformanceObserver', undefined);
    const s = span();
    settle(track(s, 'https://a.example/', 'fetch'));
    expect(s.ended).toBe(true);
    expect(s.events).toEqual([]);
  });

  it('adds the network phases of the entry that comes after the answer, and ends at responseEnd', () => {
    const s = span();
    const w = track(s, 'https://a.example/x', 'fetch');
    const t = w.t;
    settle(w);
    expect(s.ended).toBe(false);
    emit(entry('https://a.example/x', t + 0.5, { nextHopProtocol: 'h2', responseEnd: t + 5000 }));
    expect(s.ended).toBe(true);
    // event times are epoch ms: timeOrigin + the entry's value
    expect(s.events.map((e) => [e.name, Math.round((e.time - o - t) * 100) / 100])).toEqual([
      ['fetchStart', 0.5],
      ['domainLookupStart', 1.5],
      ['domainLookupEnd', 2.5],
      ['connectStart', 2.5],
      ['secureConnectionStart', 3.5],
      ['connectEnd', 4.5],
      ['requestStart', 5.5],
      ['responseStart', 6.5],
      ['responseEnd', 5000],
    ]);
    expect(s.attributes['network.protocol.version']).toBe('2');
    expect(s.endTime).toBeCloseTo(o + t + 5000, 3);
    expect(connected()).toBe(0);
  });

  it('keeps an entry that comes before the answer until the answer', () => {
    const s = span();
    const w = track(s, 'https://a.example/x', 'fetch');
    emit(entry('https://a.example/x', w.t, { nextHopProtocol: 'h3' }));
    expect(s.ended).toBe(false);
    settle(w);
    expect(s.ended).toBe(true);
    expect(s.attributes['network.protocol.version']).toBe('3');
  });

  it('reports only what a cross-origin entry without Timing-Allow-Origin shows', () => {
    const s = span();
    const w = track(s, 'https://b.example/x', 'fetch');
    settle(w);
    const t = w.t;
    emit({
      ...entry('https://b.example/x', t),
      domainLookupStart: 0,
      domainLookupEnd: 0,
      connectStart: 0,
      secureConnectionStart: 0,
      connectEnd: 0,
      requestStart: 0,
      responseStart: 0,
      nextHopProtocol: '',
    });
    expect(s.events.map((e) => e.name)).toEqual(['fetchStart', 'responseEnd']);
    expect(s.attributes['network.protocol.version']).toBeUndefined();
  });

  it('leaves out empty phases of a reused connection and plain http', () => {
    const s = span();
    const w = track(s, 'http://a.example/x', 'fetch');
    settle(w);
    const t = w.t;
    emit(entry('http://a.example/x', t, { domainLookupStart: t, domainLookupEnd: t, connectStart: t, connectEnd: t, secureConnectionStart: 0 }));
    expect(s.events.map((e) => e.name)).toEqual(['fetchStart', 'requestStart', 'responseStart', 'responseEnd']);
    expect(s.attributes['network.protocol.version']).toBe('1.1');
  });

  it('matches by initiator, URL (or the URL after redirects) and start time', () => {
    const a = span();
    const b = span();
    const c = span();
    const wa = track(a, 'https://a.example/same', 'fetch');
    const wb = track(b, 'https://a.example/same', 'fetch');
    const wc = track(c, 'https://a.example/moved', 'xmlhttprequest');
    wb.t = wa.t + 10; // b started later
    settle(wa);
    settle(wb);
    settle(wc, 'https://a.example/final');
    // someone else's resources: another initiator, another URL, too early
    emit(entry('https://a.example/same', wa.t, { initiatorType: 'img' }), entry('https://a.example/other', wa.t), entry('https://a.example/same', wa.t - 1));
    expect([a.ended, b.ended, c.ended]).toEqual([false, false, false]);
    // b's entry first: the latest-started candidate takes it
    emit(entry('https://a.example/same', wb.t + 1, { responseEnd: wb.t + 100 }));
    expect([a.ended, b.ended]).toEqual([false, true]);
    expect(b.endTime).toBeCloseTo(o + wb.t + 100, 3);
    emit(entry('https://a.example/same', wa.t + 1, { responseEnd: wa.t + 50 }));
    expect(a.ended).toBe(true);
    expect(a.endTime).toBeCloseTo(o + wa.t + 50, 3);
    emit(entry('https://a.example/final', wc.t, { initiatorType: 'xmlhttprequest' }));
    expect(c.ended).toBe(true);
    expect(connected()).toBe(0);
  });

  it('does not wait for an entry that never comes, and keeps nothing afterwards', () => {
    vi.useFakeTimers();
    const s = span();
    const w = track(s, 'https://a.example/x', 'fetch');
    expect(connected()).toBe(1);
    settle(w);
    vi.advanceTimersByTime(999);
    expect(s.ended).toBe(false);
    vi.advanceTimersByTime(1);
    expect(s.ended).toBe(true);
    expect(s.events).toEqual([]);
    expect(connected()).toBe(0);
    // a late entry changes nothing
    emit(entry('https://a.example/x', w.t));
    expect(s.events).toEqual([]);
  });

  it('ends the span when answered: the end is the answer time without an entry', () => {
    vi.stubGlobal('PerformanceObserver', undefined);
    const s = span();
    const w = track(s, 'https://a.example/', 'fetch');
    settle(w);
    settle(w); // twice: no second end
    expect(spans.length).toBe(1);
    expect(s.endTime).toBeGreaterThanOrEqual(s.startTime);
  });
});

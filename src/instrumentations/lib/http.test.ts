import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { context } from '../../context/api';
import { suppressTracing } from '../../lib/suppress';
import { trace } from '../../trace/api';
import type { RecordingSpan } from '../../trace/span';
import { done, outcome, start, type Timed } from './http';
import { registerSdk, spans } from './testing';
import type { HttpInstrumentationOptions } from './types';
import { urlRules } from './url';

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

const o = performance.timeOrigin;
const tracer = () => trace.getTracer('t');
/** Starts a request's span (traced for sure). */
const track = (url: string, initiator = 'fetch', o: HttpInstrumentationOptions = {}): Timed =>
  start(urlRules(o), tracer(), initiator, 'GET', url)!;
/** Its span. */
const sp = (w: Timed) => w.s as RecordingSpan;
const settle = (w: Timed) => done(w, 200);

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
    const w = track('https://a.example/');
    const s = sp(w);
    settle(w);
    expect(s.ended).toBe(true);
    expect(s.events).toEqual([]);
  });

  it('adds the network phases of the entry that comes after the answer, and ends at responseEnd', () => {
    const w = track('https://a.example/x');
    const s = sp(w);
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
    const w = track('https://a.example/x');
    const s = sp(w);
    emit(entry('https://a.example/x', w.t, { nextHopProtocol: 'h3' }));
    expect(s.ended).toBe(false);
    settle(w);
    expect(s.ended).toBe(true);
    expect(s.attributes['network.protocol.version']).toBe('3');
  });

  it('reports only what a cross-origin entry without Timing-Allow-Origin shows', () => {
    const w = track('https://b.example/x');
    const s = sp(w);
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

  it('leaves out phases that did not take place after fetchStart (reused connection, cached DNS, plain http)', () => {
    const w = track('http://a.example/x');
    const s = sp(w);
    settle(w);
    const t = w.t;
    emit(entry('http://a.example/x', t, { domainLookupStart: t, domainLookupEnd: t, connectStart: t, connectEnd: t, secureConnectionStart: 0 }));
    expect(s.events.map((e) => e.name)).toEqual(['fetchStart', 'requestStart', 'responseStart', 'responseEnd']);
    const w2 = track('http://a.example/y');
    settle(w2);
    // cached DNS, new TLS connection: the connection starts at fetchStart (no event of its own)
    emit(entry('http://a.example/y', w2.t, { domainLookupStart: w2.t, domainLookupEnd: w2.t, connectStart: w2.t }));
    expect(sp(w2).events.map((e) => e.name)).toEqual(['fetchStart', 'secureConnectionStart', 'connectEnd', 'requestStart', 'responseStart', 'responseEnd']);
    expect(s.attributes['network.protocol.version']).toBe('1.1');
  });

  it('matches by initiator, URL and start time', () => {
    const wa = track('https://a.example/same');
    const wb = track('https://a.example/same');
    const wc = track('https://a.example/moved', 'xmlhttprequest');
    const [a, b, c] = [sp(wa), sp(wb), sp(wc)];
    wb.t = wa.t + 10; // b started later
    settle(wa);
    settle(wb);
    settle(wc);
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
    // an XHR's entry: initiator xmlhttprequest, named by the URL requested (redirects or not)
    emit(entry('https://a.example/moved', wc.t));
    expect(c.ended).toBe(false);
    emit(entry('https://a.example/moved', wc.t, { initiatorType: 'xmlhttprequest' }));
    expect(c.ended).toBe(true);
    expect(connected()).toBe(0);
  });

  it('does not wait for an entry that never comes, and keeps nothing afterwards', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
    const w = track('https://a.example/x');
    const s = sp(w);
    expect(connected()).toBe(1);
    settle(w);
    vi.advanceTimersByTime(999);
    expect(s.ended).toBe(false);
    // ended 1 s after the answer
    vi.advanceTimersByTime(300);
    expect(s.ended).toBe(true);
    expect(s.events).toEqual([]);
    expect(connected()).toBe(0);
    // a late entry changes nothing
    emit(entry('https://a.example/x', w.t));
    expect(s.events).toEqual([]);
  });

  it('lets at most 500 requests wait (bounded memory); the others end at once', () => {
    const ws = Array.from({ length: 501 }, (_, i) => track('https://a.example/' + i));
    ws.forEach((w) => settle(w));
    expect(ws.filter((w) => sp(w).ended).map((w) => w.u)).toEqual(['https://a.example/500']);
    // their entries end the others
    emit(...ws.slice(0, 500).map((w) => entry(w.u, w.t)));
    expect(ws.every((w) => sp(w).ended)).toBe(true);
    expect(connected()).toBe(0);
  });

  it('does not wait after a failure (no response, no entry)', () => {
    const w = track('https://a.example/x');
    done(w, 0, 'TypeError', 'Failed to fetch');
    expect(sp(w).ended).toBe(true);
    expect(connected()).toBe(0);
  });

  it('ends the span when answered: the end is the answer time without an entry', () => {
    vi.stubGlobal('PerformanceObserver', undefined);
    const w = track('https://a.example/');
    settle(w);
    expect(spans.length).toBe(1);
    expect(sp(w).endTime).toBeGreaterThanOrEqual(sp(w).startTime);
  });
});

describe('start', () => {
  const attrs = (method: string, url: string, o?: HttpInstrumentationOptions) => {
    vi.stubGlobal('PerformanceObserver', undefined);
    const s = sp(start(urlRules(o ?? {}), tracer(), 'fetch', method, url)!);
    return { name: s.name, kind: s.kind, ...s.attributes } as Record<string, unknown>;
  };

  it('starts a CLIENT span named by the method with the required attributes', () => {
    expect(attrs('GET', 'https://api.example.com/users/1?x=2#frag')).toEqual({
      name: 'GET',
      kind: 2,
      'http.request.method': 'GET',
      'url.full': 'https://api.example.com/users/1?x=2#frag',
      'server.address': 'api.example.com',
      'server.port': 443,
    });
  });

  it('reports the default port of the scheme, or the explicit one', () => {
    expect(attrs('GET', 'http://a.example/')['server.port']).toBe(80);
    expect(attrs('GET', 'https://a.example:8443/')['server.port']).toBe(8443);
    expect(attrs('GET', 'http://a.example:443/')['server.port']).toBe(443);
  });

  it('gives IPv6 addresses without brackets', () => {
    expect(attrs('GET', 'http://[::1]:8080/')['server.address']).toBe('::1');
  });

  it('normalises the methods fetch and XHR upper-case, and only those', () => {
    const pick = (m: string) => {
      const a = attrs(m, 'https://a.example/');
      return [a.name, a['http.request.method'], a['http.request.method_original']];
    };
    expect(pick('post')).toEqual(['POST', 'POST', undefined]);
    expect(pick('PATCH')).toEqual(['PATCH', 'PATCH', undefined]);
    expect(pick('CONNECT')).toEqual(['CONNECT', 'CONNECT', undefined]);
    // fetch sends 'patch' as is: not the PATCH method
    expect(pick('patch')).toEqual(['HTTP', '_OTHER', 'patch']);
    expect(pick('PURGE')).toEqual(['HTTP', '_OTHER', 'PURGE']);
  });

  it('redacts credentials and signed-URL secrets, then applies redactUrl', () => {
    const full = (u: string) => attrs('GET', u)['url.full'];
    expect(full('https://user:pw@a.example/p@x//y@z')).toBe('https://REDACTED:REDACTED@a.example/p@x//y@z');
    expect(full('https://user@a.example/p')).toBe('https://REDACTED:REDACTED@a.example/p');
    expect(full('https://a.example/p//y@z')).toBe('https://a.example/p//y@z');
    expect(full('https://a.example/o?sig=abc&color=blue&Signature=s%20t&X-Goog-Signature=1#sig=keep')).toBe(
      'https://a.example/o?sig=REDACTED&color=blue&Signature=REDACTED&X-Goog-Signature=REDACTED#sig=keep',
    );
    expect(full('https://a.example/o?AWSAccessKeyId=AK&signature=lower')).toBe('https://a.example/o?AWSAccessKeyId=REDACTED&signature=lower');
    const redactUrl = (u: string) => u.replace(/token=[^&]*/, 'token=x');
    expect(attrs('GET', 'https://a.example/?token=secret&sig=1', { redactUrl })['url.full']).toBe('https://a.example/?token=x&sig=REDACTED');
  });

  it('traces nothing when suppressed, ignored, or not http(s)', () => {
    const rules = urlRules({ ignoreUrls: [/\/health$/] });
    expect(start(rules, tracer(), 'fetch', 'GET', 'https://a.example/health')).toBeUndefined();
    expect(start(rules, tracer(), 'fetch', 'GET', 'data:,x')).toBeUndefined();
    expect(start(rules, tracer(), 'fetch', 'GET', 'not a url')).toBeUndefined();
    expect(context.with(suppressTracing(context.active()), () => start(rules, tracer(), 'fetch', 'GET', 'https://a.example/'))).toBeUndefined();
    expect(spans).toEqual([]);
  });

  it('parents the span on the active context and carries it for the call', () => {
    vi.stubGlobal('PerformanceObserver', undefined);
    tracer().startActiveSpan('parent', (p) => {
      const w = start(urlRules({}), tracer(), 'fetch', 'GET', 'https://a.example/')!;
      expect(sp(w).parentSpanContext?.spanId).toBe(p.spanContext().spanId);
      expect(trace.getSpan(w.c)).toBe(w.s);
      p.end();
    });
  });
});

describe('outcome', () => {
  const span = () => tracer().startSpan('GET') as RecordingSpan;

  it('records a success without error', () => {
    const s = span();
    outcome(s, 204);
    expect(s.attributes['http.response.status_code']).toBe(204);
    expect(s.attributes['error.type']).toBeUndefined();
    expect(s.status).toEqual({ code: 0 });
  });

  it('makes 4xx and 5xx errors typed by their code, without a description', () => {
    const s = span();
    outcome(s, 503);
    expect(s.attributes['error.type']).toBe('503');
    expect(s.status).toEqual({ code: 2 });
  });

  it('types a failure without a response by its exception, with its message, no exception event', () => {
    const s = span();
    outcome(s, 0, 'TypeError', 'Failed to fetch');
    expect(s.attributes['http.response.status_code']).toBeUndefined();
    expect(s.attributes['error.type']).toBe('TypeError');
    expect(s.status).toEqual({ code: 2, message: 'Failed to fetch' });
    expect(s.events).toEqual([]);
  });
});

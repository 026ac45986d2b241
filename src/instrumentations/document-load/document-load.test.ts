import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ReadableSpan } from '../../trace/sdk-types';
import { registerSdk, spans } from '../lib/testing';
import { documentLoadInstrumentation, RESOURCES_DROPPED } from './document-load';
import type { DocumentLoadOptions } from './document-load';

/*
 * A fake page: navigation, paint and resource entries as Chromium reports them, a buffered
 * PerformanceObserver fed by the test, `document` (readyState, meta tags) and window events
 * (`load`, `pagehide`) on an EventTarget standing in for `window`. Times are ms after timeOrigin.
 */
const win = new EventTarget();
const O = performance.timeOrigin;

type Entry = Partial<PerformanceResourceTiming> & { name: string };
let nav: Record<string, unknown>;
let resources: Entry[];
let paints: { name: string; startTime: number }[];
let meta: string | undefined;
let observers: FakeObserver[];
const doc = { readyState: 'complete' as DocumentReadyState, querySelector: () => (meta === undefined ? null : { content: meta }) };

class FakeObserver {
  /** entries not delivered yet */
  q: Entry[] = [];
  on = false;
  constructor(private readonly cb: (l: { getEntries(): Entry[] }) => void) {
    observers.push(this);
  }
  observe(o: { type: string; buffered?: boolean }) {
    expect(o).toEqual({ type: 'resource', buffered: true });
    this.on = true;
    this.q.push(...resources);
  }
  /** delivers what is queued, as the browser does in a later task */
  deliver() {
    if (this.on && this.q.length) this.cb({ getEntries: () => this.q.splice(0) });
  }
  takeRecords() {
    return this.q.splice(0);
  }
  disconnect() {
    this.on = false;
  }
}

/** A resource entry: fetched from `t` for 10 ms over a fresh connection, with sizes. */
const res = (name: string, t: number, x: Partial<PerformanceResourceTiming> = {}): Entry => ({
  name,
  initiatorType: 'img',
  startTime: t,
  redirectStart: 0,
  fetchStart: t,
  domainLookupStart: t + 1,
  domainLookupEnd: t + 2,
  connectStart: t + 2,
  secureConnectionStart: 0,
  connectEnd: t + 3,
  requestStart: t + 4,
  responseStart: t + 8,
  responseEnd: t + 10,
  nextHopProtocol: 'http/1.1',
  responseStatus: 200,
  encodedBodySize: 100,
  ...x,
});

beforeAll(() => {
  registerSdk();
  vi.stubGlobal('addEventListener', win.addEventListener.bind(win));
  vi.stubGlobal('removeEventListener', win.removeEventListener.bind(win));
  vi.stubGlobal('document', doc);
  vi.stubGlobal('navigator', { userAgent: 'TestBrowser/1.0' });
  vi.stubGlobal('PerformanceObserver', FakeObserver);
  vi.spyOn(performance, 'getEntriesByType').mockImplementation(
    (t: string) =>
      (t == 'navigation' ? [nav] : t == 'paint' ? paints : t == 'resource' ? resources : []) as unknown as PerformanceEntryList,
  );
});

beforeEach(() => {
  spans.length = 0;
  observers = [];
  meta = undefined;
  doc.readyState = 'complete';
  paints = [
    { name: 'first-paint', startTime: 30 },
    { name: 'first-contentful-paint', startTime: 31 },
  ];
  resources = [res('http://site.test/a.png', 20), res('http://site.test/b.css', 21, { initiatorType: 'link' })];
  nav = {
    ...res('http://site.test/page?x=1', 0, { initiatorType: 'navigation' }),
    startTime: 0,
    fetchStart: 2,
    unloadEventStart: 0,
    unloadEventEnd: 0,
    domInteractive: 40,
    domContentLoadedEventStart: 41,
    domContentLoadedEventEnd: 42,
    domComplete: 50,
    loadEventStart: 51,
    loadEventEnd: 52,
    serverTiming: [],
  };
});

afterEach(() => {
  // page-exit's listeners stay on `win`; each test's instrumentation has removed its hook
  vi.useRealTimers();
});

const tick = () => new Promise((r) => setTimeout(r, 1));
const byName = (n: string) => spans.filter((s) => s.name == n);
const one = (n: string): ReadableSpan => {
  const l = byName(n);
  expect(l, n).toHaveLength(1);
  return l[0];
};

/** Enables, lets the observer deliver, waits for the after-load task; returns the instrumentation. */
async function run(o?: DocumentLoadOptions) {
  const i = documentLoadInstrumentation(o);
  i.enable();
  observers.forEach((x) => x.deliver());
  await tick();
  return i;
}

describe('documentLoadInstrumentation', () => {
  it('makes documentLoad → documentFetch + resourceFetch spans with timing events', async () => {
    const i = await run();
    expect(spans.map((s) => s.name).sort()).toEqual(['documentFetch', 'documentLoad', 'resourceFetch', 'resourceFetch']);
    const root = one('documentLoad');
    expect(root.parentSpanContext).toBeUndefined();
    expect(root.instrumentationScope.name).toBe('otelite/document-load');
    expect(root.kind).toBe(0);
    expect([root.startTime, root.endTime]).toEqual([O, O + 52]);
    expect(root.attributes).toEqual({ 'url.full': 'http://site.test/page?x=1', 'user_agent.original': 'TestBrowser/1.0' });
    expect(root.events.map((e) => [e.name, e.time - O])).toEqual([
      ['fetchStart', 2],
      ['domInteractive', 40],
      ['domContentLoadedEventStart', 41],
      ['domContentLoadedEventEnd', 42],
      ['domComplete', 50],
      ['loadEventStart', 51],
      ['loadEventEnd', 52],
      ['firstPaint', 30],
      ['firstContentfulPaint', 31],
    ]);
    const id = root.spanContext();
    for (const s of spans.filter((s) => s != root)) {
      expect(s.parentSpanContext?.spanId).toBe(id.spanId);
      expect(s.spanContext().traceId).toBe(id.traceId);
    }
    const doc = one('documentFetch');
    expect([doc.startTime - O, doc.endTime - O]).toEqual([2, 10]);
    expect(doc.attributes).toEqual({
      'url.full': 'http://site.test/page?x=1',
      'http.response.status_code': 200,
      'http.response.body.size': 100,
      'network.protocol.version': '1.1',
    });
    const img = byName('resourceFetch').find((s) => s.attributes['url.full'] == 'http://site.test/a.png')!;
    expect([img.startTime - O, img.endTime - O]).toEqual([20, 30]);
    expect(img.events.map((e) => [e.name, e.time - O])).toEqual([
      ['fetchStart', 20],
      ['domainLookupStart', 21],
      ['domainLookupEnd', 22],
      ['connectStart', 22],
      ['connectEnd', 23],
      ['requestStart', 24],
      ['responseStart', 28],
      ['responseEnd', 30],
    ]);
    expect(img.status).toEqual({ code: 0 });
    // once per page: enabling again does nothing
    i.disable();
    i.enable();
    await tick();
    expect(spans).toHaveLength(4);
  });

  it('waits for the end of the load event, in a task after it', async () => {
    doc.readyState = 'loading';
    nav.loadEventEnd = 0;
    const i = documentLoadInstrumentation();
    i.enable();
    await tick();
    expect(spans).toEqual([]);
    // a resource of the page loads late; the observer delivers it
    resources.push(res('http://site.test/late.js', 45, { initiatorType: 'script' }));
    observers[0].q.push(resources[2]);
    nav.loadEventEnd = 52;
    win.dispatchEvent(new Event('load'));
    expect(spans).toEqual([]);
    await tick();
    expect(byName('resourceFetch')).toHaveLength(3);
    i.disable();
  });

  it('leaves out scripted requests, non-http URLs, ignoreUrls and what starts after load', async () => {
    resources.push(
      res('http://site.test/api', 22, { initiatorType: 'fetch' }),
      res('http://site.test/xhr', 22, { initiatorType: 'xmlhttprequest' }),
      res('http://collector.test/v1/traces', 22, { initiatorType: 'beacon' }),
      res('blob:http://site.test/1', 22),
      res('http://ads.test/pixel.gif', 22),
      res('http://site.test/lazy.png', 60),
    );
    await run({ ignoreUrls: ['http://ads.test'] });
    expect(byName('resourceFetch').map((s) => s.attributes['url.full'])).toEqual(['http://site.test/a.png', 'http://site.test/b.css']);
    expect(one('documentLoad').attributes[RESOURCES_DROPPED]).toBeUndefined();
  });

  it('caps resourceFetch spans and counts the rest', async () => {
    resources = Array.from({ length: 20 }, (_, k) => res(`http://site.test/${k}.png`, 10 + k));
    await run({ maxResourceSpans: 5 });
    expect(byName('resourceFetch').map((s) => s.attributes['url.full'])).toEqual([0, 1, 2, 3, 4].map((k) => `http://site.test/${k}.png`));
    expect(one('documentLoad').attributes[RESOURCES_DROPPED]).toBe(15);
  });

  it('counts the entries the observer had not delivered yet', async () => {
    resources = Array.from({ length: 4 }, (_, k) => res(`http://site.test/${k}.png`, 10 + k));
    const i = documentLoadInstrumentation({ maxResourceSpans: 0 });
    i.enable();
    await tick(); // not delivered: takeRecords() hands them over
    expect(byName('resourceFetch')).toEqual([]);
    expect(one('documentLoad').attributes[RESOURCES_DROPPED]).toBe(4);
  });

  it('warns about a bad cap and uses 250', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    resources = Array.from({ length: 260 }, (_, k) => res(`http://site.test/${k}.png`, 10));
    await run({ maxResourceSpans: -1 });
    expect(warn.mock.calls[0][0]).toMatch(/invalid maxResourceSpans -1; using 250/);
    expect(byName('resourceFetch')).toHaveLength(250);
    expect(one('documentLoad').attributes[RESOURCES_DROPPED]).toBe(10);
    warn.mockRestore();
  });

  it('joins the server trace from Server-Timing', async () => {
    nav.serverTiming = [
      { name: 'cache', description: 'hit', duration: 0 },
      { name: 'traceparent', description: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', duration: 0 },
    ];
    meta = '00-11111111111111111111111111111111-2222222222222222-01';
    await run();
    const root = one('documentLoad');
    expect(root.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(root.parentSpanContext).toMatchObject({ spanId: 'b7ad6b7169203331', isRemote: true });
    expect(one('documentFetch').spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
  });

  it('joins the server trace from <meta name="traceparent">', async () => {
    meta = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await run();
    const root = one('documentLoad');
    expect(root.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(root.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
  });

  it('starts a new trace when the traceparent is invalid', async () => {
    nav.serverTiming = [{ name: 'traceparent', description: '00-00000000000000000000000000000000-b7ad6b7169203331-01', duration: 0 }];
    meta = 'garbage';
    await run();
    expect(one('documentLoad').parentSpanContext).toBeUndefined();
  });

  it('follows an unsampled server decision', async () => {
    meta = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00';
    await run();
    expect(spans).toEqual([]);
  });

  it('reports status codes; 4xx and 5xx as errors; leaves hidden values out', async () => {
    resources = [
      res('http://site.test/missing.png', 20, { responseStatus: 404 }),
      // cross-origin without Timing-Allow-Origin: only fetchStart and responseEnd, no sizes
      res('http://cdn.test/x.js', 20, {
        initiatorType: 'script',
        responseStatus: 0,
        encodedBodySize: 0,
        domainLookupStart: 0,
        domainLookupEnd: 0,
        connectStart: 0,
        connectEnd: 0,
        requestStart: 0,
        responseStart: 0,
        nextHopProtocol: '',
      }),
    ];
    await run();
    const [missing, cdn] = byName('resourceFetch');
    expect(missing.attributes).toMatchObject({ 'http.response.status_code': 404, 'error.type': '404' });
    expect(missing.status).toEqual({ code: 2 });
    expect(cdn.attributes).toEqual({ 'url.full': 'http://cdn.test/x.js' });
    expect(cdn.events.map((e) => e.name)).toEqual(['fetchStart', 'responseEnd']);
    expect(cdn.status).toEqual({ code: 0 });
  });

  it('redacts url.full: credentials, signed-URL secrets, then redactUrl', async () => {
    resources = [res('http://u:p@site.test/a.png?sig=abc&w=1', 20)];
    await run({ redactUrl: (u) => u.replace('w=1', 'w=X') });
    expect(one('resourceFetch').attributes['url.full']).toBe('http://REDACTED:REDACTED@site.test/a.png?sig=REDACTED&w=X');
  });

  it('leaves url.full out when redactUrl throws', async () => {
    await run({
      redactUrl: () => {
        throw new Error('no');
      },
    });
    expect(one('documentLoad').attributes['url.full']).toBeUndefined();
    expect(byName('resourceFetch')).toHaveLength(2);
  });

  it('makes the spans at page exit when that comes before the idle callback', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const i = documentLoadInstrumentation();
    i.enable();
    expect(spans).toEqual([]);
    win.dispatchEvent(new Event('pagehide'));
    expect(spans).toHaveLength(4);
    vi.runAllTimers();
    expect(spans).toHaveLength(4);
    i.disable();
  });

  it('reports nothing when the page exits before the end of load', async () => {
    doc.readyState = 'interactive';
    nav.loadEventEnd = 0;
    const i = documentLoadInstrumentation();
    i.enable();
    win.dispatchEvent(new Event('pagehide'));
    await tick();
    expect(spans).toEqual([]);
    i.disable();
    win.dispatchEvent(new Event('load'));
    await tick();
    expect(spans).toEqual([]);
  });

  it('does nothing while disabled, and collects when enabled again', async () => {
    const i = documentLoadInstrumentation();
    i.enable();
    i.disable();
    expect(observers[0].on).toBe(false);
    await tick();
    expect(spans).toEqual([]);
    i.enable();
    observers.forEach((x) => x.deliver());
    await tick();
    // the second observer got the buffered entries again; none counted twice
    expect(byName('resourceFetch')).toHaveLength(2);
  });

  it('reads the resource buffer where there is no resource observer', async () => {
    vi.stubGlobal('PerformanceObserver', undefined);
    try {
      await run();
      expect(byName('resourceFetch')).toHaveLength(2);
    } finally {
      vi.stubGlobal('PerformanceObserver', FakeObserver);
    }
  });

  it('does nothing without a document (workers, edge runtimes), and creating one has no effect', async () => {
    vi.stubGlobal('document', undefined);
    try {
      const i = documentLoadInstrumentation();
      expect(observers).toEqual([]);
      i.enable();
      await tick();
      expect(observers).toEqual([]);
      expect(spans).toEqual([]);
    } finally {
      vi.stubGlobal('document', doc);
    }
  });
});

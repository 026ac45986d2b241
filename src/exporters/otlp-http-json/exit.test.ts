/**
 * The page-exit and beacon paths, in Node with a pretend page: `document` and
 * `navigator.sendBeacon` stubbed, `lib/page-exit` replaced by a switch and a hook list.
 * (The real thing runs in Chromium: test/e2e/exporter.test.ts.)
 */
import { gunzipSync } from 'node:zlib';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ExportResult } from '../../trace/sdk-types';
import { createOtlpSender } from './exporter';
import { KEEPALIVE_BUDGET, budgetLeft } from './transport';

const page = vi.hoisted(() => ({ exiting: false, hooks: [] as Array<() => void> }));
vi.mock('../../lib/page-exit', () => ({
  isExiting: () => page.exiting,
  onPageExit: (fn: () => void) => {
    page.hooks.push(fn);
    return () => page.hooks.splice(page.hooks.indexOf(fn), 1);
  },
}));

const URL_ = 'http://collector.test/v1/logs';

interface Req {
  keepalive: boolean;
  type: string | null;
  encoding: string | null;
  size: number;
  items: number[];
}
const reqs: Req[] = [];
let answer: () => Response = () => new HttpResponse(null);
const server = setupServer(
  http.post(URL_, async ({ request }) => {
    const raw = new Uint8Array(await request.arrayBuffer());
    const gz = raw[0] == 0x1f && raw[1] == 0x8b;
    const body = JSON.parse(new TextDecoder().decode(gz ? gunzipSync(raw) : raw));
    reqs.push({
      keepalive: request.keepalive,
      type: request.headers.get('content-type'),
      encoding: request.headers.get('content-encoding'),
      size: raw.length,
      items: body.items,
    });
    return answer();
  }),
);

/** Every fetch init, in call order, and how many calls happened synchronously so far. */
const inits: RequestInit[] = [];
const beacons: Array<{ url: string; type: string; bytes: Uint8Array }> = [];
let beaconOk = true;

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
beforeEach(() => {
  const f = globalThis.fetch;
  vi.stubGlobal('fetch', (u: string, init: RequestInit) => {
    inits.push(init);
    return f(u, init);
  });
  vi.stubGlobal('document', {});
  vi.stubGlobal('navigator', {
    sendBeacon(url: string, data: Blob) {
      if (!beaconOk) return false;
      // Blob bytes are read asynchronously; keep the promise's result for the test
      const entry = { url, type: data.type, bytes: new Uint8Array() };
      beacons.push(entry);
      void data.arrayBuffer().then((b) => (entry.bytes = new Uint8Array(b)));
      return true;
    },
  });
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  reqs.length = inits.length = beacons.length = 0;
  page.exiting = false;
  page.hooks.length = 0;
  answer = () => new HttpResponse(null);
  beaconOk = true;
});
afterAll(() => server.close());

/** ~1 KB per item once encoded. */
const enc = (items: number[]): string => JSON.stringify({ items, pad: items.map(() => 'x'.repeat(1000)) });
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const sendP = (s: { send(i: number[], d: (r: ExportResult) => void): void }, items: number[]): Promise<ExportResult> =>
  new Promise((r) => s.send(items, r));
const settle = async (): Promise<void> => {
  for (let i = 0; i < 50; i++) await new Promise((r) => setTimeout(r, 5));
};

describe('page exit, fetch transport', () => {
  it('sends synchronously, uncompressed, with keepalive', async () => {
    const s = createOtlpSender({ url: URL_ }, 'logs', enc);
    page.exiting = true;
    const p = sendP(s, [1, 2, 3]);
    expect(inits).toHaveLength(1); // before export returned
    expect(inits[0].keepalive).toBe(true);
    expect(await p).toEqual({ code: 0 });
    expect(reqs).toEqual([{ keepalive: true, type: 'application/json', encoding: null, size: expect.any(Number), items: [1, 2, 3] }]);
    expect(budgetLeft()).toBe(KEEPALIVE_BUDGET); // the response was read: its share is free again
  });

  it('splits a batch over the budget: keepalive pieces within it, the rest by plain fetch, each item once', async () => {
    const s = createOtlpSender({ url: URL_ }, 'logs', enc);
    page.exiting = true;
    const p = sendP(s, range(300)); // ~300 KB
    const kept = inits.filter((i) => i.keepalive);
    expect(kept.length).toBeGreaterThan(1);
    const keptBytes = kept.reduce((n, i) => n + (i.body as Uint8Array).length, 0);
    expect(keptBytes).toBeLessThanOrEqual(KEEPALIVE_BUDGET);
    expect(keptBytes).toBeGreaterThan(KEEPALIVE_BUDGET / 2); // the budget is put to use
    expect(inits.length).toBeLessThan(20); // not one request per item
    expect(await p).toEqual({ code: 0 });
    expect(reqs.flatMap((r) => r.items).sort((a, b) => a - b)).toEqual(range(300));
  });

  it('a retry waiting for Retry-After goes out at once when the page exits', async () => {
    answer = () => new HttpResponse(null, { status: 503, headers: { 'Retry-After': '30' } });
    const s = createOtlpSender({ url: URL_ }, 'logs', enc);
    const p = sendP(s, [7]);
    await vi.waitFor(() => expect(reqs).toHaveLength(1));
    expect(reqs[0].encoding).toBe('gzip');
    answer = () => new HttpResponse(null);
    await settle();
    page.exiting = true;
    for (const h of page.hooks) h();
    expect(inits).toHaveLength(2);
    expect(inits[1].keepalive).toBe(true);
    expect(await p).toEqual({ code: 0 });
    expect(reqs[1]).toMatchObject({ encoding: null, items: [7] });
  });

  it('data still being compressed when the page exits is sent once, uncompressed', async () => {
    const s = createOtlpSender({ url: URL_ }, 'logs', enc);
    const p = sendP(s, [1, 2]); // gzip has started, asynchronously
    page.exiting = true;
    for (const h of page.hooks) h();
    expect(inits).toHaveLength(1);
    expect(await p).toEqual({ code: 0 });
    await settle();
    expect(reqs).toHaveLength(1);
    expect(reqs[0]).toMatchObject({ keepalive: true, encoding: null, items: [1, 2] });
  });

  it('keepalive is used outside exit too while the body fits, plain fetch above the budget', async () => {
    const s = createOtlpSender({ url: URL_, compression: 'none' }, 'logs', enc);
    await sendP(s, [1]);
    await sendP(s, range(100));
    expect(inits.map((i) => i.keepalive)).toEqual([true, false]);
  });

  it('a failed keepalive attempt is retried without keepalive (someone else may hold the budget)', async () => {
    let n = 0;
    answer = () => (n++ ? new HttpResponse(null) : HttpResponse.error());
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const s = createOtlpSender({ url: URL_ }, 'logs', enc);
    expect(await sendP(s, [1])).toEqual({ code: 0 });
    expect(inits.map((i) => i.keepalive)).toEqual([true, false]);
  });
});

describe('beacon transport', () => {
  it('gzip bytes in a text/plain Blob, no fetch', async () => {
    const s = createOtlpSender({ url: URL_ }, 'logs', enc);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    createOtlpSender({ url: URL_, transport: 'beacon', headers: { a: 'b' } }, 'logs', enc);
    expect(warn).toHaveBeenCalledTimes(1); // headers cannot go with beacons
    const b = createOtlpSender({ url: URL_, transport: 'beacon' }, 'logs', enc);
    expect(await sendP(b, [1, 2])).toEqual({ code: 0 });
    await settle();
    expect(inits).toHaveLength(0);
    expect(beacons).toHaveLength(1);
    expect(beacons[0].type).toBe('text/plain');
    expect([...beacons[0].bytes.slice(0, 2)]).toEqual([0x1f, 0x8b]);
    expect(JSON.parse(gunzipSync(beacons[0].bytes).toString()).items).toEqual([1, 2]);
    void s;
  });

  it('at exit: uncompressed text/plain beacons, split to fit', async () => {
    const b = createOtlpSender({ url: URL_, transport: 'beacon' }, 'logs', enc);
    page.exiting = true;
    const p = sendP(b, range(40));
    expect(beacons.length).toBeGreaterThan(0);
    expect(await p).toEqual({ code: 0 });
    await settle();
    for (const x of beacons) expect(x.bytes[0]).toBe(0x7b);
    expect(beacons.flatMap((x) => JSON.parse(new TextDecoder().decode(x.bytes)).items)).toEqual(range(40));
  });

  it('when the browser refuses the beacon: fetch with text/plain and no Content-Encoding (a simple request)', async () => {
    beaconOk = false;
    const b = createOtlpSender({ url: URL_, transport: 'beacon', headers: {} }, 'logs', enc);
    expect(await sendP(b, [5])).toEqual({ code: 0 });
    expect(reqs).toEqual([{ keepalive: true, type: 'text/plain', encoding: null, size: expect.any(Number), items: [5] }]);
  });
});

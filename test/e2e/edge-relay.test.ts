/**
 * The OTLP relay (`relay()` of otelite/cloudflare and otelite/deno) in workerd and Deno: a page
 * in Chromium exports through it with otelite's exporter (beacon mode: gzip as `text/plain`, no
 * preflight; fetch mode: `Content-Encoding: gzip`, preflighted), and direct requests check CORS,
 * the refusals and the collector's answers passing through.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Miniflare } from 'miniflare';
import type { MiniflareOptions } from 'miniflare';
import {
  htmlPage,
  launchBrowser,
  newPage,
  sampleLogs,
  sampleMetrics,
  sampleTraces,
  startDeno,
  startReceiver,
  startServer,
} from './harness';
import type { Browser, Receiver, TestDeno, TestServer } from './harness';
import { bundle, FIXTURES } from './fixtures/edge/build';
import { WAIT } from './fixtures/edge/spans';

let rcv: Receiver;
let page: TestServer;
let other: TestServer;
let browser: Browser;
let mf: Miniflare;
let deno: TestDeno;
let dir: string;
const output: string[] = [];
/** relay base URLs by runtime, and one whose collector is down */
const relays: Record<'workerd' | 'deno', string> = { workerd: '', deno: '' };
let deadRelay: string;
const secrets = { workerd: 'cf-secret', deno: 'deno-secret' };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'otelite-relay-'));
  const [r, p, o, b, workerCode, denoCode, pageCode] = await Promise.all([
    startReceiver(),
    startServer(),
    startServer(),
    launchBrowser(),
    bundle('relay-worker.ts'),
    bundle('deno-relay.ts'),
    bundle('page.ts'),
  ]);
  [rcv, page, other, browser] = [r, p, o, b];
  for (const s of [page, other]) s.route('/page.js', { body: pageCode, type: 'text/javascript' }), s.route('/', { body: htmlPage({ scripts: ['/page.js'] }), type: 'text/html' });
  const collect = (s: NodeJS.ReadableStream) => s.on('data', (d: Buffer) => output.push(...d.toString('utf8').split('\n')));
  const relayWorker = (name: string, endpoint: string) => ({
    name,
    modules: [{ type: 'ESModule', path: FIXTURES + name + '.mjs', contents: workerCode }],
    compatibilityDate: '2025-09-01',
    compatibilityFlags: ['nodejs_als'],
    bindings: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, SECRET: secrets.workerd, PAGE_ORIGIN: page.origin },
  });
  mf = new Miniflare({
    cf: false,
    host: '127.0.0.1',
    port: 0,
    handleRuntimeStdio: (out: NodeJS.ReadableStream, err: NodeJS.ReadableStream) => (collect(out), collect(err)),
    workers: [relayWorker('relay', rcv.url), relayWorker('dead', 'http://127.0.0.1:9')],
  } as MiniflareOptions);
  relays.workerd = (await mf.ready).origin;
  const dead = (await mf.getWorker('dead')) as unknown as { fetch(u: string, i?: RequestInit): Promise<Response> };
  deadRelay = 'http://relay.test';
  deadFetch = (u, i) => dead.fetch(u, i);
  const script = join(dir, 'relay.mjs');
  writeFileSync(script, denoCode);
  deno = await startDeno(script, { flags: ['--allow-net=127.0.0.1'], args: [rcv.url, page.origin], timeoutMs: 120_000 });
  relays.deno = deno.url;
}, 180_000);

let deadFetch: (u: string, i?: RequestInit) => Promise<Response>;

afterAll(async () => {
  await Promise.all([mf?.dispose(), deno?.stop(), browser?.close(), rcv?.close(), page?.close(), other?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const gz = (o: unknown) => gzipSync(JSON.stringify(o));
const json = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));

for (const runtime of ['workerd', 'deno'] as const) {
  describe(`relay in ${runtime}`, () => {
    const relay = () => relays[runtime];
    const post = (path: string, body: BodyInit, headers: Record<string, string> = {}) =>
      fetch(relay() + path, { method: 'POST', body, headers: { origin: page.origin, ...headers } });

    it('forwards a beacon from Chromium to the collector, with the secret header and no preflight', async () => {
      const log = runtime == 'deno' ? deno.output : output;
      const before = log.length;
      const id = `${runtime}-beacon`;
      const p = await newPage(browser);
      try {
        await p.page.goto(`${page.url}/?mode=beacon&id=${id}&relay=${encodeURIComponent(relay())}`);
        await p.page.waitForFunction(() => (window as unknown as { done?: boolean }).done);
        const got = await rcv.waitFor(() => rcv.received.find((r) => rcv.spans().some((s) => s.req == r && s.name == `page-span-${id}`)), WAIT);
        expect(got.headers['x-secret']).toBe(secrets[runtime]);
        expect(got).toMatchObject({ gzip: true, contentType: 'application/json', contentEncoding: 'gzip', errors: [] });
        expect(got.headers.origin).toBeUndefined();
        expect(got.headers.cookie).toBeUndefined();
        const lines = log.slice(before).filter((l) => l.includes('/v1/traces'));
        expect(lines.some((l) => /relay POST \/v1\/traces text\/plain/.test(l))).toBe(true);
        expect(lines.some((l) => /OPTIONS/.test(l))).toBe(false);
        expect(p.problems()).toEqual([]);
      } finally {
        await p.close();
      }
    });

    it('forwards a gzip fetch export from Chromium after a CORS preflight', async () => {
      const id = `${runtime}-fetch`;
      const p = await newPage(browser);
      try {
        await p.page.goto(`${page.url}/?mode=fetch&id=${id}&relay=${encodeURIComponent(relay())}`);
        await p.page.waitForFunction(() => (window as unknown as { done?: boolean }).done);
        const got = await rcv.waitFor(() => rcv.received.find((r) => rcv.spans().some((s) => s.req == r && s.name == `page-span-${id}`)), WAIT);
        expect(got.headers['x-secret']).toBe(secrets[runtime]);
        expect(p.problems()).toEqual([]);
      } finally {
        await p.close();
      }
    });

    it('refuses a page of another origin', async () => {
      const id = `${runtime}-other`;
      const p = await newPage(browser);
      try {
        // a beacon is not subject to CORS at all: it is sent, and the relay itself must refuse it
        await p.page.goto(`${other.url}/?mode=beacon&id=${id}&relay=${encodeURIComponent(relay())}`);
        await p.page.waitForFunction(() => (window as unknown as { done?: boolean }).done);
        const direct = await fetch(relay() + '/v1/traces', { method: 'POST', body: gz(sampleTraces()), headers: { origin: other.origin, 'content-type': 'text/plain' } });
        expect(direct.status).toBe(403);
        expect(direct.headers.get('access-control-allow-origin')).toBeNull();
        await new Promise((r) => setTimeout(r, 200));
        expect(rcv.spans().some((s) => s.name == `page-span-${id}`)).toBe(false);
      } finally {
        await p.close();
      }
    });

    it('answers CORS preflights for allowed origins only', async () => {
      const pre = (origin: string) =>
        fetch(relay() + '/v1/traces', {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-encoding,content-type' },
        });
      const ok = await pre(page.origin);
      expect(ok.status).toBe(204);
      expect(Object.fromEntries([...ok.headers].filter(([k]) => k.startsWith('access-control') || k == 'vary'))).toEqual({
        'access-control-allow-origin': page.origin,
        'access-control-allow-credentials': 'true',
        'access-control-allow-methods': 'POST',
        'access-control-allow-headers': 'content-type, content-encoding',
        'access-control-max-age': '86400',
        vary: 'Origin',
      });
      const no = await pre(other.origin);
      expect(no.status).toBe(403);
      expect(no.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('relays JSON, gzip with and without Content-Encoding, all three signals, under a mounted path', async () => {
      const before = rcv.received.length;
      const cases: [string, BodyInit, Record<string, string>][] = [
        ['/v1/traces', json(sampleTraces({ serviceName: 'plain-json' })), { 'content-type': 'application/json' }],
        ['/v1/traces', gz(sampleTraces({ serviceName: 'gzip-header' })), { 'content-type': 'application/json', 'content-encoding': 'gzip' }],
        ['/v1/traces', gz(sampleTraces({ serviceName: 'gzip-text' })), { 'content-type': 'text/plain;charset=UTF-8' }],
        ['/v1/traces', gz(sampleTraces({ serviceName: 'gzip-untyped' })), {}],
        ['/v1/metrics', json(sampleMetrics()), { 'content-type': 'application/json' }],
        ['/v1/logs', gz(sampleLogs()), { 'content-type': 'text/plain' }],
      ];
      if (runtime == 'workerd') cases.push(['/otlp/v1/traces', json(sampleTraces({ serviceName: 'mounted' })), { 'content-type': 'application/json' }]);
      for (const [path, body, headers] of cases) {
        const r = await post(path, body, headers);
        expect(r.status, path + JSON.stringify(headers)).toBe(200);
        expect(r.headers.get('access-control-allow-origin')).toBe(page.origin);
      }
      const got = rcv.received.slice(before);
      expect(got.map((r) => r.path)).toEqual(cases.map(([p]) => p.replace('/otlp', '')));
      for (const r of got) {
        expect(r).toMatchObject({ gzip: true, contentType: 'application/json', contentEncoding: 'gzip', errors: [] });
        expect(r.headers['x-secret']).toBe(secrets[runtime]);
      }
      expect(rcv.errors()).toEqual([]);
    });

    it('refuses what is not OTLP JSON, or too large, with a clear 4xx, and forwards nothing', async () => {
      const before = rcv.received.length;
      const big = new Uint8Array(70 * 1024).fill(32);
      const cases: [string, string, BodyInit | undefined, Record<string, string>, number, RegExp][] = [
        ['no origin', '/v1/traces', json(sampleTraces()), { origin: '' }, 403, /origin \(none\) not allowed/],
        ['protobuf', '/v1/traces', new Uint8Array([10, 0]), { 'content-type': 'application/x-protobuf' }, 415, /send OTLP JSON/],
        ['brotli', '/v1/traces', json({}), { 'content-encoding': 'br' }, 415, /Content-Encoding br/],
        ['not json', '/v1/traces', 'hello', { 'content-type': 'text/plain' }, 400, /not JSON/],
        ['other json', '/v1/traces', json({ foo: 1 }), {}, 400, /not an OTLP JSON traces request/],
        ['array', '/v1/traces', json([]), {}, 400, /not an OTLP JSON traces request/],
        ['wrong type', '/v1/traces', json({ resourceSpans: {} }), {}, 400, /not an OTLP JSON/],
        ['wrong signal', '/v1/metrics', json(sampleTraces()), {}, 400, /expected \{"resourceMetrics"/],
        ['fake gzip', '/v1/traces', json({}), { 'content-encoding': 'gzip' }, 400, /not gzip/],
        ['broken gzip', '/v1/traces', gz(sampleTraces()).subarray(0, 30), {}, 400, /does not decompress/],
        ['too large', '/v1/traces', big, {}, 413, /body over 65536 bytes/],
        ['gzip bomb', '/v1/traces', gzipSync(new Uint8Array(10 << 20)), {}, 413, /body over 65536 bytes/],
        ['unknown signal', '/v1/profiles', json({}), {}, 404, /v1\/traces/],
      ];
      for (const [name, path, body, headers, status, message] of cases) {
        const h = { ...headers };
        const r = await fetch(relay() + path, { method: 'POST', body, headers: h.origin === '' ? (delete h.origin, h) : { origin: page.origin, ...h } }).catch(
          (e: Error) => e,
        );
        // the relay answers 413 before reading a too-large body: a client still sending may see the connection reset instead
        if (r instanceof Error && status == 413 && /ECONNRESET|EPIPE/.test(String(r.cause))) continue;
        if (r instanceof Error) throw r;
        const answer = await r.json();
        expect([r.status, answer], name).toEqual([status, { code: expect.any(Number), message: expect.stringMatching(message) }]);
      }
      const get = await fetch(relay() + '/v1/traces', { headers: { origin: page.origin } });
      expect(get.status).toBe(405);
      // a body that streams past the limit without a Content-Length
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(c) {
          if (sent > 200 * 1024) return c.close();
          sent += 16 * 1024;
          c.enqueue(new Uint8Array(16 * 1024).fill(32));
        },
      });
      const streamed = await fetch(relay() + '/v1/traces', { method: 'POST', body: stream, headers: { origin: page.origin }, duplex: 'half' } as RequestInit).then(
        (r) => String(r.status),
        (e: Error) => String(e.cause),
      );
      expect(streamed).toMatch(/^413$|ECONNRESET|EPIPE/);
      expect(rcv.received.length).toBe(before);
    });

    it("passes the collector's answer through: status, Retry-After, partialSuccess", async () => {
      rcv.script({ status: 503, retryAfter: 7 }, { partialSuccess: { rejected: 2, message: 'two bad' } });
      const a = await post('/v1/traces', json(sampleTraces()), { 'content-type': 'application/json' });
      expect([a.status, a.headers.get('retry-after'), a.headers.get('access-control-allow-origin')]).toEqual([503, '7', page.origin]);
      const b = await post('/v1/traces', json(sampleTraces()), { 'content-type': 'application/json' });
      expect(b.status).toBe(200);
      expect(await b.json()).toEqual({ partialSuccess: { rejectedSpans: '2', errorMessage: 'two bad' } });
    });
  });
}

describe('relay with the collector down', () => {
  it('answers 502', async () => {
    const r = await deadFetch(deadRelay + '/v1/traces', {
      method: 'POST',
      body: json(sampleTraces()),
      headers: { origin: page.origin, 'content-type': 'application/json' },
    });
    // the dead relay allows the page origin too; its own origin is relay.test
    expect(r.status).toBe(502);
    expect(await r.json()).toMatchObject({ message: /collector is unreachable/ });
  });
});

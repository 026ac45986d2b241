/**
 * Self-tests of the real-runtime harness (test/e2e/harness): the OTLP schema validator, the
 * receiver, the static/API server, Chromium across two origins, workerd and Deno.
 * They use hand-made payloads only, never the SDK.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  NEWER_FIELDS,
  htmlPage,
  launchBrowser,
  newPage,
  sampleLogs,
  sampleMetrics,
  sampleTraces,
  startDeno,
  startReceiver,
  startServer,
  startWorker,
  validateOtlp,
  denoBinary,
} from './harness';
import type { Browser, Receiver, Signal, TestServer } from './harness';

/** Timings measured here, printed at the end of the file for the record. */
const timings: Record<string, number> = {};
const since = (t: number) => Math.round(performance.now() - t);

afterAll(() => {
  console.log('harness timings (ms):', JSON.stringify(timings));
});

// -------------------------------------------------------------------------------------------
describe('OTLP schema validation', () => {
  it('accepts hand-made payloads that use every field', () => {
    expect(validateOtlp('traces', sampleTraces())).toEqual([]);
    expect(validateOtlp('metrics', sampleMetrics())).toEqual([]);
    expect(validateOtlp('logs', sampleLogs())).toEqual([]);
    expect(validateOtlp('traces', {})).toEqual([]);
    expect(validateOtlp('traces', { resourceSpans: [] })).toEqual([]);
  });

  it('accepts upper-case hex ids, empty optional ids and newer OTLP fields', () => {
    const t = sampleTraces();
    const span = t.resourceSpans![0]!.scopeSpans![0]!.spans![0]!;
    span.traceId = span.traceId.toUpperCase();
    span.parentSpanId = '';
    expect(validateOtlp('traces', t)).toEqual([]);
    expect(NEWER_FIELDS).toEqual(['Span.flags (OTLP 1.1.0)', 'Link.flags (OTLP 1.1.0)', 'Metric.metadata (OTLP 1.2.0)', 'LogRecord.eventName (OTLP 1.5.0)']);
  });

  // test payloads are mutated freely to break them: untyped JSON on purpose
  type Json = any;
  type Mut = (body: Json) => void;
  const span = (b: Json) => b.resourceSpans[0].scopeSpans[0].spans[0];
  // [name, signal, mutation, expected message, number of errors (default 1)]
  const cases: [string, Signal, Mut, RegExp, number?][] = [
    ['misspelled id field', 'traces', (b) => ((span(b).spanID = span(b).spanId), delete span(b).spanId), /spans\[0\]\.spanID: unknown field "spanID" in Span \(OTLP\/JSON uses lowerCamelCase: did you mean "spanId"\?\)[\s\S]*spanId: required field Span.spanId is missing/, 2],
    ['misspelled field', 'logs', (b) => (b.resourceLogs[0].scopeLogs[0].logRecords[0].severityTxt = 'x'), /logRecords\[0\]\.severityTxt: unknown field "severityTxt" in LogRecord \(did you mean "severityText"\?\)/],
    ['snake_case key', 'traces', (b) => (span(b).start_time_unix_nano = '1'), /start_time_unix_nano: unknown field .*did you mean "startTimeUnixNano"/],
    ['int64 time as a number', 'traces', (b) => (span(b).startTimeUnixNano = 1763776800000000000), /startTimeUnixNano: 64-bit integer must be a decimal string in OTLP\/JSON, got the number/],
    ['intValue as a number', 'traces', (b) => (span(b).attributes[2].value.intValue = -42), /attributes\[2\]\.value\.intValue: 64-bit integer must be a decimal string/],
    ['histogram count as a number', 'metrics', (b) => (b.resourceMetrics[0].scopeMetrics[0].metrics[2].histogram.dataPoints[0].count = 3), /dataPoints\[0\]\.count: 64-bit integer must be a decimal string/],
    ['bucket count as a number', 'metrics', (b) => (b.resourceMetrics[0].scopeMetrics[0].metrics[2].histogram.dataPoints[0].bucketCounts[1] = 2), /bucketCounts\[1\]: 64-bit integer must be a decimal string/],
    ['negative unsigned time', 'traces', (b) => (span(b).endTimeUnixNano = '-1'), /endTimeUnixNano: 64-bit unsigned integer as decimal string expected/],
    ['short trace id', 'traces', (b) => (span(b).traceId = 'abc123'), /traceId: traceId must be 32 hex characters \(16 bytes\), got "abc123" \(6 chars\)/],
    ['base64 span id', 'traces', (b) => (span(b).spanId = '7uGbfsPBsXQ='), /spanId: spanId must be 16 hex characters/],
    ['all-zero trace id', 'traces', (b) => (span(b).traceId = '0'.repeat(32)), /all-zero traceId is invalid/],
    ['wrong-length log span id', 'logs', (b) => (b.resourceLogs[0].scopeLogs[0].logRecords[0].spanId = 'abcd'), /logRecords\[0\]\.spanId: spanId must be 16 hex/],
    ['enum as its name', 'traces', (b) => (span(b).kind = 'SPAN_KIND_CLIENT'), /kind: enum must be an integer in OTLP\/JSON, got the string "SPAN_KIND_CLIENT"/],
    ['status code as its name', 'traces', (b) => (span(b).status.code = 'STATUS_CODE_ERROR'), /status\.code: enum must be an integer/],
    ['enum out of range', 'logs', (b) => (b.resourceLogs[0].scopeLogs[0].logRecords[0].severityNumber = 25), /severityNumber: enum value 25 out of range 0\.\.24/],
    ['uint32 as a string', 'traces', (b) => (span(b).droppedAttributesCount = '1'), /droppedAttributesCount: 32-bit integer \(JSON number\) expected, got string "1"/],
    ['name as a number', 'traces', (b) => (span(b).name = 5), /spans\[0\]\.name: string expected, got number 5/],
    ['missing span id', 'traces', (b) => delete span(b).spanId, /spans\[0\]\.spanId: required field Span\.spanId is missing/],
    ['null value', 'traces', (b) => (span(b).traceState = null), /traceState: null is not allowed/],
    ['unknown AnyValue kind', 'traces', (b) => (span(b).attributes[0].value = { strValue: 'x' }), /value\.strValue: unknown field "strValue" in AnyValue/],
    ['two AnyValue kinds', 'traces', (b) => (span(b).attributes[0].value = { stringValue: 'x', boolValue: true }), /protobuf verify: .*multiple values/],
    ['newer field mistyped', 'logs', (b) => (b.resourceLogs[0].scopeLogs[0].logRecords[0].eventName = 1), /eventName: string expected/],
    ['span flags as a string', 'traces', (b) => (span(b).flags = '769'), /spans\[0\]\.flags: 32-bit integer/],
    ['attributes not a list', 'traces', (b) => (span(b).attributes = { a: 1 }), /attributes: array expected/],
    ['bad base64 bytes', 'traces', (b) => (span(b).attributes[8].value.bytesValue = '!!'), /bytesValue: base64 string expected/],
    ['wrong top-level key', 'metrics', (b) => ((b.resourceMetric = b.resourceMetrics), delete b.resourceMetrics), /^resourceMetric: unknown field .*did you mean "resourceMetrics"/],
  ];
  const samples = { traces: sampleTraces, metrics: sampleMetrics, logs: sampleLogs };

  it.each(cases)('rejects %s with a clear message', (_name, signal, mutate, message, count = 1) => {
    const body: Json = samples[signal]();
    mutate(body);
    const errors = validateOtlp(signal, body);
    expect(errors.length, errors.join('\n')).toBeGreaterThan(0);
    expect(errors.join('\n')).toMatch(message);
    // one report per problem: the round trip does not repeat what the rules explained
    expect(errors.length, errors.join('\n')).toBe(count);
  });

  it('the protobuf layer alone catches misspelled and mistyped fields too', () => {
    const check = (mutate: Mut) => {
      const b: Json = sampleTraces();
      mutate(b);
      return validateOtlp('traces', b, { only: 'schema' }).join('\n');
    };
    expect(validateOtlp('traces', sampleTraces(), { only: 'schema' })).toEqual([]);
    expect(check((b) => ((span(b).spanID = span(b).spanId), delete span(b).spanId))).toMatch(/^resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.spanID: lost in the protobuf round trip/);
    expect(check((b) => (span(b).kind = 'SPAN_KIND_CLIENT'))).toMatch(/protobuf verify: .*kind: enum value expected/);
    expect(check((b) => (span(b).name = 5))).toMatch(/protobuf verify: .*name: string expected/);
    expect(check((b) => (span(b).attributes[2].value.intValue = -42))).toMatch(/intValue: sent number -42, protobuf round trip gives string "-42"/);
    expect(check((b) => (span(b).traceId = 'abc123'))).toMatch(/traceId: sent string "abc123", protobuf round trip gives string "69b735db"/);
    expect(check((b) => (span(b).status.cde = 1))).toMatch(/status\.cde: lost in the protobuf round trip/);
    // and the rules layer alone
    expect(validateOtlp('traces', { resourceSpans: [{ scopeSpans: [{ spans: [{ ...span(sampleTraces()), kind: 'x' }] }] }] }, { only: 'rules' })).toEqual([
      'resourceSpans[0].scopeSpans[0].spans[0].kind: enum must be an integer in OTLP/JSON, got the string "x"',
    ]);
  });

  it('rejects what is not an object', () => {
    expect(validateOtlp('traces', [])).toEqual(['(root): object (traces) expected, got object []']);
    expect(validateOtlp('logs', 'x')[0]).toMatch(/object \(logs\) expected/);
  });
});

// -------------------------------------------------------------------------------------------
describe('receiver', () => {
  let rcv: Receiver;
  beforeAll(async () => {
    rcv = await startReceiver();
  });
  afterAll(() => rcv.close());

  const post = (path: string, body: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/json' }, signal?: AbortSignal) =>
    fetch(rcv.url + path, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers, signal });

  it('records a valid JSON export and flattens it', async () => {
    rcv.reset();
    const res = await post('/v1/traces', JSON.stringify(sampleTraces({ name: 'one' })));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({});
    const [r] = rcv.received;
    expect(r).toMatchObject({ method: 'POST', path: '/v1/traces', signal: 'traces', gzip: false, contentType: 'application/json', errors: [] });
    expect(r!.rawSize).toBe(JSON.stringify(sampleTraces({ name: 'one' })).length);
    expect(r!.response).toMatchObject({ kind: 'sent', status: 200 });
    const spans = rcv.spans();
    expect(spans).toHaveLength(1);
    expect(spans[0]).toMatchObject({ name: 'one', kind: 3, resource: { 'service.name': 'harness' }, scope: { name: 'harness-scope', version: '1.0.0' } });
    expect(spans[0]!.attrs).toMatchObject({ s: 'text', b: false, i: -42, big: 9007199254740993n, d: 1.5, arr: ['a', 1], kv: { inner: 0.25 } });
    expect(rcv.errors()).toEqual([]);
  });

  it('decodes gzip with Content-Encoding, and gzip sent as text/plain without it (beacon mode)', async () => {
    rcv.reset();
    const gz = gzipSync(JSON.stringify(sampleMetrics()));
    expect((await post('/v1/metrics', gz, { 'content-type': 'application/json', 'content-encoding': 'gzip' })).status).toBe(200);
    expect((await post('/v1/logs', gzipSync(JSON.stringify(sampleLogs())), { 'content-type': 'text/plain;charset=UTF-8' })).status).toBe(200);
    expect((await post('/v1/logs', JSON.stringify(sampleLogs()), { 'content-type': 'text/plain;charset=UTF-8' })).status).toBe(200);
    const [a, b, c] = rcv.received;
    expect(a).toMatchObject({ gzip: true, contentEncoding: 'gzip', rawSize: gz.length, errors: [] });
    expect(a!.size).toBeGreaterThan(a!.rawSize);
    expect(b).toMatchObject({ gzip: true, contentEncoding: undefined, contentType: 'text/plain', errors: [] });
    expect(c).toMatchObject({ gzip: false, contentType: 'text/plain', errors: [] });
    expect(rcv.metrics().map((m) => [m.name, m.type, m.points.length])).toEqual([
      ['g', 'gauge', 1],
      ['requests', 'sum', 1],
      ['duration', 'histogram', 1],
      ['exp', 'exponentialHistogram', 1],
      ['summary', 'summary', 1],
    ]);
    expect(rcv.logs()).toHaveLength(4);
    expect(rcv.logs()[0]).toMatchObject({ eventName: 'browser.error', value: 'something failed', severityNumber: 17 });
  });

  it('records schema errors, and answers 400 to invalid payloads when told', async () => {
    rcv.reset();
    const bad = sampleTraces();
    bad.resourceSpans![0]!.scopeSpans![0]!.spans![0]!.startTimeUnixNano = 5 as unknown as string;
    expect((await post('/v1/traces', JSON.stringify(bad))).status).toBe(200);
    expect(rcv.errors()).toEqual([expect.stringMatching(/^#\d+ \/v1\/traces: .*startTimeUnixNano: 64-bit integer must be a decimal string/)]);
    rcv.set({ rejectInvalid: true });
    try {
      const res = await post('/v1/traces', JSON.stringify(bad));
      expect(res.status).toBe(400);
      expect((await res.json()) as unknown).toMatchObject({ code: 3, message: expect.stringMatching(/startTimeUnixNano/) });
      expect((await post('/v1/traces', JSON.stringify(sampleTraces()))).status).toBe(200);
    } finally {
      rcv.set({ rejectInvalid: false });
    }
    // only accepted exports are flattened unless asked
    expect(rcv.spans()).toHaveLength(2);
    expect(rcv.spans({ all: true })).toHaveLength(3);
  });

  it('refuses what is not OTLP JSON', async () => {
    rcv.reset();
    expect((await post('/v1/traces', 'x', { 'content-type': 'application/x-protobuf' })).status).toBe(415);
    expect((await post('/v1/traces', 'x', { 'content-type': 'application/json', 'content-encoding': 'br' })).status).toBe(415);
    expect((await post('/v1/traces', '{nope', { 'content-type': 'application/json' })).status).toBe(400);
    expect((await post('/v1/traces', '{}', { 'content-type': 'application/json', 'content-encoding': 'gzip' })).status).toBe(400);
    expect((await fetch(rcv.url + '/v1/traces')).status).toBe(405);
    expect((await fetch(rcv.url + '/nope')).status).toBe(404);
    expect(rcv.errors()).toHaveLength(4);
    expect(rcv.errors()[0]).toMatch(/unsupported Content-Type: application\/x-protobuf/);
  });

  it('plays a script of answers, then the responder, then 200', async () => {
    rcv.reset();
    rcv.script(
      { status: 503, retryAfter: 2 },
      429,
      400,
      500,
      { partialSuccess: { rejected: 2, message: 'too old' } },
      { delayMs: 150 },
    );
    const body = JSON.stringify(sampleTraces());
    const r1 = await post('/v1/traces', body);
    expect([r1.status, r1.headers.get('retry-after')]).toEqual([503, '2']);
    expect((await post('/v1/traces', body)).status).toBe(429);
    expect((await post('/v1/traces', body)).status).toBe(400);
    expect((await post('/v1/traces', body)).status).toBe(500);
    const ps = await post('/v1/traces', body);
    expect(await ps.json()).toEqual({ partialSuccess: { rejectedSpans: '2', errorMessage: 'too old' } });
    const t = performance.now();
    expect((await post('/v1/traces', body)).status).toBe(200);
    expect(performance.now() - t).toBeGreaterThanOrEqual(140);
    rcv.respondWith((r) => (r.signal === 'logs' ? 502 : undefined));
    expect((await post('/v1/logs', JSON.stringify(sampleLogs()))).status).toBe(502);
    expect((await post('/v1/traces', body)).status).toBe(200);
    rcv.respondWith(undefined);
    expect(rcv.received.map((r) => r.response?.status)).toEqual([503, 429, 400, 500, 200, 200, 502, 200]);
    expect(rcv.spans()).toHaveLength(3); // partial success, delayed, last
  });

  it('can hang or destroy the socket', async () => {
    rcv.reset();
    rcv.script({ hang: true }, { destroy: true });
    const body = JSON.stringify(sampleTraces());
    await expect(post('/v1/traces', body, undefined, AbortSignal.timeout(300))).rejects.toThrow(/timeout|abort/i);
    await expect(post('/v1/traces', body)).rejects.toThrow(/fetch failed/);
    expect(rcv.received.map((r) => r.response?.kind)).toEqual(['hang', 'destroy']);
    expect(rcv.spans()).toEqual([]);
  });

  it('answers CORS preflights: any origin, a list, credentials, extra headers, refusal', async () => {
    rcv.reset();
    const preflight = (origin: string, headers = 'content-type,content-encoding') =>
      fetch(rcv.url + '/v1/traces', {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': headers },
      });
    const h = (res: Response) => Object.fromEntries([...res.headers].filter(([k]) => k.startsWith('access-control')));
    const a = await preflight('http://127.0.0.1:1');
    expect(a.status).toBe(204);
    expect(h(a)).toEqual({
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'content-type, content-encoding',
    });
    rcv.set({ cors: { origins: ['http://127.0.0.1:2'], credentials: true, allowHeaders: ['x-api-key'], maxAge: 60 } });
    try {
      const b = await preflight('http://127.0.0.1:2');
      expect(h(b)).toEqual({
        'access-control-allow-origin': 'http://127.0.0.1:2',
        'access-control-allow-credentials': 'true',
        'access-control-allow-methods': 'POST',
        'access-control-allow-headers': 'content-type, content-encoding, x-api-key',
        'access-control-max-age': '60',
      });
      expect((await preflight('http://127.0.0.1:3')).status).toBe(403);
      const post2 = await post('/v1/traces', JSON.stringify(sampleTraces()), { 'content-type': 'application/json', origin: 'http://127.0.0.1:2' });
      expect(h(post2)).toEqual({ 'access-control-allow-origin': 'http://127.0.0.1:2', 'access-control-allow-credentials': 'true' });
      rcv.set({ cors: false });
      const c = await preflight('http://127.0.0.1:2');
      expect([c.status, h(c)]).toEqual([403, {}]);
    } finally {
      rcv.set({ cors: { origins: '*' } });
    }
    expect(rcv.requests.filter((r) => r.preflight)).toHaveLength(4);
    expect(rcv.received).toHaveLength(1);
  });

  it('has a health route', async () => {
    const res = await fetch(rcv.url + '/health');
    expect([res.status, await res.json()]).toEqual([200, { status: 'ok' }]);
  });

  it('waitFor resolves on arrival and explains a timeout', async () => {
    rcv.reset();
    const waiting = rcv.waitFor((r) => r.spans().find((s) => s.name === 'late'), 3000);
    setTimeout(() => void post('/v1/traces', JSON.stringify(sampleTraces({ name: 'late' }))), 50);
    expect((await waiting).name).toBe('late');
    await expect(rcv.waitFor(() => rcv.logs().length > 0, 200)).rejects.toThrow(/timed out after 200 ms; 1 requests:\n  #\d+ POST \/v1\/traces 200/);
  });
});

// -------------------------------------------------------------------------------------------
describe('static and API server', () => {
  let srv: TestServer;
  let dist: string;
  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), 'otelite-dist-'));
    mkdirSync(join(dist, 'sub'));
    writeFileSync(join(dist, 'sub', 'x.js'), 'export const x = 1;');
    srv = await startServer({
      distDir: dist,
      routes: {
        '/page.html': { body: htmlPage({ body: '<p>hi</p>', scripts: ['/dist/sub/x.js'] }), headers: { 'Content-Security-Policy': "script-src 'self'", 'Server-Timing': 'traceparent;desc="00-1-2-01"' } },
        '/data.json': '{"a":1}',
      },
    });
  });
  afterAll(async () => {
    await srv.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it('serves dist files, routes with headers, and guards the dist folder', async () => {
    const js = await fetch(srv.at('/dist/sub/x.js'));
    expect([js.status, js.headers.get('content-type'), await js.text()]).toEqual([200, 'text/javascript; charset=utf-8', 'export const x = 1;']);
    const page = await fetch(srv.at('/page.html'));
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe("script-src 'self'");
    expect(page.headers.get('server-timing')).toBe('traceparent;desc="00-1-2-01"');
    expect(await page.text()).toContain('<script src="/dist/sub/x.js"></script>');
    expect(await (await fetch(srv.at('/data.json'))).json()).toEqual({ a: 1 });
    expect((await fetch(srv.at('/dist/..%2f..%2fpackage.json'))).status).toBe(403);
    expect((await fetch(srv.at('/dist/missing.js'))).status).toBe(404);
    srv.route('/late.txt', { body: 'late', status: 202 });
    expect((await fetch(srv.at('/late.txt'))).status).toBe(202);
  });

  it('echoes requests, answers status and delay routes, and does CORS when asked', async () => {
    const echo = await fetch(srv.at('/api/echo?q=1'), { method: 'POST', body: 'b', headers: { traceparent: '00-5b8efff798038103d269b633813fc60c-eee19b7ec3c1b174-01' } });
    expect(await echo.json()).toMatchObject({ method: 'POST', query: '?q=1', body: 'b', headers: { traceparent: '00-5b8efff798038103d269b633813fc60c-eee19b7ec3c1b174-01' } });
    expect((await fetch(srv.at('/api/status/503'))).status).toBe(503);
    expect(await (await fetch(srv.at('/api/delay/20'))).json()).toEqual({ delayed: 20 });
    const pre = () =>
      fetch(srv.at('/api/echo'), { method: 'OPTIONS', headers: { origin: 'http://127.0.0.1:9', 'access-control-request-method': 'GET', 'access-control-request-headers': 'traceparent,baggage' } });
    expect((await pre()).headers.get('access-control-allow-origin')).toBeNull();
    srv.setCors({ origins: '*', timingAllowOrigin: true });
    const p = await pre();
    expect([p.status, p.headers.get('access-control-allow-origin'), p.headers.get('access-control-allow-headers')]).toEqual([204, '*', 'traceparent,baggage']);
    expect((await fetch(srv.at('/api/echo'))).headers.get('timing-allow-origin')).toBe('*');
    srv.setCors(undefined);
    expect(srv.requests.some((r) => r.path === '/api/echo' && r.headers.traceparent)).toBe(true);
  });
});

// -------------------------------------------------------------------------------------------
describe('Chromium, page on origin A, receiver on origin B', () => {
  let browser: Browser;
  let rcv: Receiver;
  let site: TestServer;
  let api: TestServer;
  beforeAll(async () => {
    const t = performance.now();
    browser = await launchBrowser();
    timings.browserLaunch = since(t);
    rcv = await startReceiver();
    site = await startServer({ routes: { '/index.html': htmlPage({ title: 'A' }) } });
    api = await startServer({ cors: { origins: [] } });
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all([rcv?.close(), site?.close(), api?.close()]);
  });

  it('delivers a gzip fetch (preflighted) and a gzip text/plain beacon (not preflighted), both valid', async () => {
    rcv.reset();
    const t0 = performance.now();
    const p = await newPage(browser);
    timings.newPage = since(t0);
    const t1 = performance.now();
    await p.page.goto(site.at('/index.html'));
    timings.pageLoad = since(t1);
    const out = await p.page.evaluate(
      async ({ url, traces, logs }) => {
        const gzip = async (s: string) => new Uint8Array(await new Response(new Blob([s]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer());
        const res = await fetch(url + '/v1/traces', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
          body: await gzip(traces),
          credentials: 'omit',
          keepalive: true,
        });
        await res.arrayBuffer();
        const beacon = navigator.sendBeacon(url + '/v1/logs', new Blob([await gzip(logs)], { type: 'text/plain' }));
        return { status: res.status, beacon, origin: location.origin };
      },
      { url: rcv.url, traces: JSON.stringify(sampleTraces()), logs: JSON.stringify(sampleLogs()) },
    );
    expect(out).toEqual({ status: 200, beacon: true, origin: site.origin });
    await rcv.waitFor((r) => r.logs().length === 2);
    const fetchReq = rcv.received.find((r) => r.signal === 'traces')!;
    const beaconReq = rcv.received.find((r) => r.signal === 'logs')!;
    expect(fetchReq).toMatchObject({ origin: site.origin, gzip: true, contentEncoding: 'gzip', contentType: 'application/json', errors: [] });
    expect(beaconReq).toMatchObject({ origin: site.origin, gzip: true, contentEncoding: undefined, contentType: 'text/plain', errors: [] });
    const preflights = rcv.requests.filter((r) => r.preflight);
    expect(preflights.map((r) => [r.path, r.headers['access-control-request-headers']])).toEqual([['/v1/traces', 'content-encoding,content-type']]);
    expect(rcv.errors()).toEqual([]);
    expect(p.problems()).toEqual([]);
    await p.close();
  });

  it('a JSON beacon needs a credentialed CORS answer; a refused origin gets nothing through', async () => {
    rcv.reset();
    rcv.set({ cors: { origins: [site.origin], credentials: true } });
    const p = await newPage(browser);
    try {
      await p.page.goto(site.at('/index.html'));
      const sent = await p.page.evaluate(
        ({ url, body }) => navigator.sendBeacon(url + '/v1/metrics', new Blob([body], { type: 'application/json' })),
        { url: rcv.url, body: JSON.stringify(sampleMetrics()) },
      );
      expect(sent).toBe(true);
      const r = await rcv.waitFor((x) => x.received.find((q) => q.signal === 'metrics'));
      expect(r).toMatchObject({ errors: [], gzip: false, contentType: 'application/json' });
      expect(r.headers.cookie).toBeUndefined();
      expect(rcv.requests[0]).toMatchObject({ preflight: true, response: { status: 204 } });

      rcv.reset();
      rcv.set({ cors: false });
      const err = await p.page.evaluate(async (url) => {
        try {
          await fetch(url + '/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
          return 'no error';
        } catch (e) {
          return String(e);
        }
      }, rcv.url);
      expect(err).toBe('TypeError: Failed to fetch');
      expect(rcv.received).toEqual([]);
      expect(rcv.requests.map((x) => [x.method, x.response?.status])).toEqual([['OPTIONS', 403]]);
      expect(p.problems([/Access to fetch .* has been blocked by CORS policy/, /Failed to load resource/])).toEqual([]);
    } finally {
      rcv.set({ cors: { origins: '*' } });
      await p.close();
    }
  });

  it('a page reaches the API on another origin with its own headers (traceparent checks)', async () => {
    api.setCors({ origins: [site.origin], timingAllowOrigin: true });
    const p = await newPage(browser);
    await p.page.goto(site.at('/index.html'));
    const echo = await p.page.evaluate(async (url) => {
      const r = await fetch(url + '/api/echo', { headers: { traceparent: '00-5b8efff798038103d269b633813fc60c-eee19b7ec3c1b174-01' } });
      return r.json();
    }, api.url);
    expect(echo.headers.traceparent).toBe('00-5b8efff798038103d269b633813fc60c-eee19b7ec3c1b174-01');
    expect(echo.headers.origin).toBe(site.origin);
    expect(p.problems()).toEqual([]);
    await p.close();
  });

  it('a missing Chromium is a loud error with install instructions, never a skip', async () => {
    const saved = process.env.CHROMIUM_PATH;
    process.env.CHROMIUM_PATH = '/nonexistent/chromium';
    try {
      await expect(launchBrowser()).rejects.toThrow(/Chromium not found at \/nonexistent\/chromium[\s\S]*apt-get install -y chromium/);
    } finally {
      if (saved === undefined) delete process.env.CHROMIUM_PATH;
      else process.env.CHROMIUM_PATH = saved;
    }
  });

  it('collects console errors, page errors and unhandled rejections', async () => {
    site.route('/bad.html', htmlPage({ scripts: ['/bad.js'] }));
    site.route('/bad.js', `console.error('logged'); Promise.reject(new Error('nobody catches')); setTimeout(() => { throw new Error('thrown'); });`);
    const p = await newPage(browser);
    await p.page.goto(site.at('/bad.html'));
    await expect.poll(() => p.pageErrors.length).toBeGreaterThanOrEqual(1);
    await expect.poll(() => p.unhandledRejections.length).toBe(1);
    expect(p.consoleErrors).toEqual(['logged']);
    expect(p.unhandledRejections[0]).toMatch(/Error: nobody catches/);
    expect(p.pageErrors.join('\n')).toMatch(/thrown/);
    await expect.poll(() => p.problems().length).toBe(3);
    expect(p.problems()).toEqual([
      expect.stringMatching(/^page error: Error: thrown/),
      expect.stringMatching(/^unhandled rejection: Error: nobody catches/),
      'console error: logged',
    ]);
    expect(p.problems([/logged/, /thrown/, /nobody catches/])).toEqual([]);
    await p.close();
  });
});

// -------------------------------------------------------------------------------------------
describe('edge runtimes post OTLP to the receiver', () => {
  let rcv: Receiver;
  let dir: string;
  beforeAll(async () => {
    rcv = await startReceiver();
    dir = mkdtempSync(join(tmpdir(), 'otelite-rt-'));
  });
  afterAll(async () => {
    await rcv.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // the same handler in both runtimes: gzip with CompressionStream, POST, answer with the status
  const handler = (payload: string) => `
    async function handle(req, endpoint) {
      const gz = new Response(new Blob([${JSON.stringify(payload)}]).stream().pipeThrough(new CompressionStream('gzip')));
      const res = await fetch(endpoint + '/v1/traces', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', 'user-agent': 'harness' },
        body: await gz.arrayBuffer(),
      });
      await res.arrayBuffer();
      return new Response('exported ' + res.status + ' ' + new URL(req.url).pathname);
    }`;

  it('workerd (miniflare): a worker exports a gzip OTLP payload', async () => {
    rcv.reset();
    const t = performance.now();
    const w = await startWorker({
      script: `${handler(JSON.stringify(sampleTraces({ serviceName: 'worker' })))}
        export default { fetch: (req, env) => (console.log('worker got', new URL(req.url).pathname), handle(req, env.OTEL_EXPORTER_OTLP_ENDPOINT)) };`,
      bindings: { OTEL_EXPORTER_OTLP_ENDPOINT: rcv.url },
    });
    timings.miniflareStart = since(t);
    try {
      const t1 = performance.now();
      expect(await (await w.fetch('/a')).text()).toBe('exported 200 /a');
      timings.workerFirstRequest = since(t1);
      expect(await (await fetch(w.url + '/b')).text()).toBe('exported 200 /b');
      expect(rcv.received).toHaveLength(2);
      expect(rcv.received[0]).toMatchObject({ gzip: true, errors: [] });
      expect(rcv.spans()[0]!.resource['service.name']).toBe('worker');
      await expect.poll(() => w.output.join('\n')).toMatch(/worker got \/a[\s\S]*worker got \/b/);
    } finally {
      const t2 = performance.now();
      await w.close();
      timings.miniflareDispose = since(t2);
    }
  });

  it('Deno: a Deno.serve script exports a gzip OTLP payload', async () => {
    rcv.reset();
    let t = performance.now();
    await denoBinary();
    timings.denoResolveBinary = since(t);
    const script = join(dir, 'server.ts');
    writeFileSync(
      script,
      `${handler(JSON.stringify(sampleTraces({ serviceName: 'deno' })))}
      const endpoint = Deno.env.get('OTEL_EXPORTER_OTLP_ENDPOINT');
      Deno.serve({ hostname: '127.0.0.1', port: Number(Deno.env.get('PORT')) }, (req) => handle(req, endpoint));`,
    );
    t = performance.now();
    const d = await startDeno(script, { env: { OTEL_EXPORTER_OTLP_ENDPOINT: rcv.url } });
    timings.denoStart = since(t);
    try {
      expect(d.output.join('\n')).toMatch(/Listening on http:\/\/127\.0\.0\.1:\d+/);
      expect(await (await fetch(d.url + '/x')).text()).toBe('exported 200 /x');
      expect(rcv.received[0]).toMatchObject({ gzip: true, errors: [] });
      expect(rcv.spans()[0]!.resource['service.name']).toBe('deno');
    } finally {
      await d.stop();
    }
    expect(d.proc.exitCode !== null || d.proc.signalCode !== null).toBe(true);
  }, 180_000);

  it('Deno: a failing script reports its output', async () => {
    const script = join(dir, 'broken.ts');
    writeFileSync(script, `throw new Error('broken on purpose');`);
    await expect(startDeno(script, { timeoutMs: 20_000 })).rejects.toThrow(/exited \(1\) before it was ready:[\s\S]*broken on purpose/);
  });
});

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { gunzipSync, gzipSync } from 'node:zlib';
import { context } from '../../context/api';
import { StackContextManager } from '../../context/stack';
import { isTracingSuppressed } from '../suppress';
import { objectEnv } from './config';
import { createRelay, type RelayConfig } from './relay';

const PAGE = 'https://shop.example.com';
const traces = { resourceSpans: [{ scopeSpans: [{ spans: [] }] }] };
let sent: { url: string; init: RequestInit; suppressed: boolean }[];
let answer: () => Response | Promise<Response>;

beforeEach(() => {
  sent = [];
  answer = () => new Response('{}', { headers: { 'content-type': 'application/json' } });
  vi.stubGlobal('fetch', (url: string, init: RequestInit) => {
    sent.push({ url, init, suppressed: isTracingSuppressed(context.active()) });
    return Promise.resolve().then(answer);
  });
});
afterEach(() => vi.unstubAllGlobals());
// a context manager, so that the relay's untraced context is visible to the stub
beforeAll(() => context.setGlobalContextManager(new StackContextManager().enable()));
afterAll(() => context.disable());

const relay = (config: RelayConfig = {}) => createRelay(() => ({ origins: [PAGE], ...config }), objectEnv);
const call = (r: ReturnType<typeof relay>, body: BodyInit | null, headers: Record<string, string> = {}, path = '/v1/traces', method = 'POST', env = {}) =>
  r(new Request('https://relay.example.com' + path, { method, body, headers: { origin: PAGE, ...headers } }), env);
const bytes = (b: BodyInit | null | undefined) => new Uint8Array(b as ArrayBuffer);

describe('createRelay', () => {
  it('forwards JSON gzip-compressed with the secret headers, to the endpoint from env', async () => {
    const r = createRelay(() => ({ origins: [PAGE], headers: { 'x-api-key': 'k2' } }), objectEnv);
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.example.com/', OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=k1,x-team=edge' };
    const res = await call(r, JSON.stringify(traces), { 'content-type': 'application/json', cookie: 'a=b' }, '/v1/traces', 'POST', env);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect(sent).toHaveLength(1);
    const { url, init, suppressed } = sent[0]!;
    expect(url).toBe('https://collector.example.com/v1/traces');
    expect(init.headers).toEqual({ 'x-api-key': 'k2', 'x-team': 'edge', 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(JSON.parse(gunzipSync(bytes(init.body)).toString())).toEqual(traces);
    expect(suppressed).toBe(true);
  });

  it('forwards gzip as it came (beacon text/plain, no Content-Encoding), or plain with compression none', async () => {
    const gz = gzipSync(JSON.stringify(traces));
    await call(relay(), gz, { 'content-type': 'text/plain;charset=UTF-8' });
    expect(bytes(sent[0]!.init.body)).toEqual(new Uint8Array(gz));
    await call(relay({ compression: 'none' }), gz, { 'content-encoding': 'gzip' }, '/otlp/v1/traces');
    expect(new TextDecoder().decode(bytes(sent[1]!.init.body))).toBe(JSON.stringify(traces));
    expect(sent[1]!.init.headers).toEqual({ 'content-type': 'application/json' });
    expect(sent[1]!.url).toBe('http://localhost:4318/v1/traces');
  });

  it('answers CORS: preflight for allowed origins, 403 for others, the own origin by default', async () => {
    const pre = (r: ReturnType<typeof relay>, origin: string) =>
      r(new Request('https://relay.example.com/v1/logs', { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } }), {});
    const ok = await pre(relay(), PAGE);
    expect([ok.status, ok.headers.get('access-control-allow-headers')]).toEqual([204, 'content-type, content-encoding']);
    expect((await pre(relay(), 'https://evil.example')).status).toBe(403);
    const own = createRelay<unknown>(() => undefined, objectEnv);
    expect((await pre(own, 'https://relay.example.com')).status).toBe(204);
    expect((await pre(own, PAGE)).status).toBe(403);
    const fn = relay({ origins: (o) => o.endsWith('.example.com') });
    expect((await pre(fn, 'https://a.example.com')).status).toBe(204);
    const any = relay({ origins: '*' });
    const noOrigin = await any(new Request('https://relay.example.com/v1/traces', { method: 'POST', body: '{}' }), {});
    expect(noOrigin.status).toBe(200);
    expect(noOrigin.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses with clear 4xx and forwards nothing', async () => {
    const r = relay({ maxBodyBytes: 1000, signals: ['traces', 'logs'] });
    const cases: [BodyInit | null, Record<string, string>, string, string, number][] = [
      ['{}', { 'content-type': 'application/x-protobuf' }, '/v1/traces', 'POST', 415],
      ['{}', { 'content-encoding': 'deflate' }, '/v1/traces', 'POST', 415],
      ['{}', {}, '/v1/metrics', 'POST', 404],
      ['{}', {}, '/v1/traces', 'PUT', 405],
      ['x'.repeat(1001), {}, '/v1/traces', 'POST', 413],
      [gzipSync('{"resourceSpans":[]}' + ' '.repeat(2000)), {}, '/v1/traces', 'POST', 413],
      ['{"resourceLogs":[]}', {}, '/v1/traces', 'POST', 400],
      ['{"resourceSpans":[],"extra":1}', {}, '/v1/traces', 'POST', 400],
      ['null', {}, '/v1/traces', 'POST', 400],
      ['', {}, '/v1/traces', 'POST', 400],
    ];
    for (const [body, headers, path, method, status] of cases) {
      const res = await call(r, method == 'PUT' ? null : body, headers, path, method);
      expect(res.status, `${path} ${JSON.stringify(headers)} ${String(body).slice(0, 20)}`).toBe(status);
      expect((await res.json()).message).toMatch(/^otelite relay: /);
    }
    expect(sent).toEqual([]);
    expect((await call(r, '{"resourceLogs":[]}', {}, '/v1/logs')).status).toBe(200);
  });

  it("returns the collector's status, Retry-After and body; 502 and 504 when it fails", async () => {
    answer = () => new Response('{"partialSuccess":{}}', { status: 429, headers: { 'retry-after': '3', 'content-type': 'application/json' } });
    const r = relay();
    const a = await call(r, '{}');
    expect([a.status, a.headers.get('retry-after'), await a.text()]).toEqual([429, '3', '{"partialSuccess":{}}']);
    answer = () => new Response(null, { status: 204 });
    expect((await call(r, '{}')).status).toBe(204);
    answer = () => Promise.reject(new TypeError('fetch failed'));
    expect((await call(r, '{}')).status).toBe(502);
    answer = () => Promise.reject(new DOMException('timed out', 'TimeoutError'));
    expect((await call(r, '{}')).status).toBe(504);
  });

  it('answers 500, never throws, when its own config breaks', async () => {
    const r = createRelay(() => {
      throw new Error('bad config');
    }, objectEnv);
    expect((await call(r, '{}')).status).toBe(500);
  });
});

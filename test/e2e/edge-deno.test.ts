/**
 * otelite/deno in real Deno (npx deno@2.9.6): the fixture server (fixtures/edge/deno-server.ts,
 * bundled from src by esbuild) serves the shared app traced on one port and untraced on another,
 * against a local backend and the OTLP receiver (schema-checked).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attrs, denoBinary, startDeno, startReceiver, startServer } from './harness';
import type { Receiver, TestDeno, TestServer } from './harness';
import { bundle } from './fixtures/edge/build';
import { HTML } from './fixtures/edge/app';
import { checkVector, S, T, VECTORS } from './fixtures/edge/vectors';
import { spanTools, tpOf, WAIT } from './fixtures/edge/spans';

let rcv: Receiver;
let backend: TestServer;
let dir: string;
let script: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'otelite-deno-'));
  script = join(dir, 'server.mjs');
  let code: string;
  [rcv, backend, code] = await Promise.all([
    startReceiver(),
    startServer({ routes: { '/page.html': { body: HTML, type: 'text/html; charset=utf-8', headers: { 'x-origin': 'yes' } } } }),
    bundle('deno-server.ts'),
    denoBinary(),
  ]);
  writeFileSync(script, code);
}, 180_000);
afterAll(async () => {
  await Promise.all([rcv?.close(), backend?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const t = () => spanTools(rcv, backend);
const hdrs = (r: Response) => Object.fromEntries([...r.headers].filter(([k]) => k != 'date'));

/** Starts the fixture; resolves with the traced and the plain server's URLs. */
async function serve(opts: { flags?: string[]; env?: Record<string, string>; config?: object }) {
  const d = await startDeno(script, {
    flags: opts.flags ?? ['--allow-net=127.0.0.1', '--allow-env'],
    env: opts.env,
    args: [backend.url, JSON.stringify(opts.config ?? {})],
    timeoutMs: 60_000,
  });
  const plainPort = /PLAIN (\d+)/.exec(d.output.join('\n'))?.[1];
  expect(plainPort, d.output.join('\n')).toBeDefined();
  return { d, url: d.url, plain: `http://127.0.0.1:${plainPort}` };
}

describe('otelite/deno with --allow-env', () => {
  let d: TestDeno;
  let url: string;
  let plain: string;

  beforeAll(async () => {
    ({ d, url, plain } = await serve({
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: rcv.url,
        OTEL_SERVICE_NAME: 'edge-deno',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test%20env,team=edge',
      },
    }));
  }, 60_000);
  afterAll(() => d?.stop());

  it('continues the incoming trace: SERVER span, CLIENT child, traceparent on the outgoing fetch', async () => {
    const res = await fetch(`${url}/html?id=dtp1`, { headers: { traceparent: `00-${T}-${S}-01`, 'user-agent': 'edge-test/1' } });
    expect(await res.text()).toBe(HTML);
    const [server] = await t().waitServer('id=dtp1');
    expect(server).toMatchObject({ traceId: T, parentSpanId: S, name: 'GET', flags: 0x301 });
    const port = Number(new URL(url).port);
    expect(server!.attrs).toEqual({
      'http.request.method': 'GET',
      'url.scheme': 'http',
      'url.path': '/html',
      'url.query': 'id=dtp1',
      'server.address': '127.0.0.1',
      'server.port': port,
      'user_agent.original': 'edge-test/1',
      'client.address': '127.0.0.1',
      'http.response.status_code': 200,
    });
    expect(server!.resource).toMatchObject({
      'service.name': 'edge-deno',
      'deployment.environment.name': 'test env',
      team: 'edge',
      'telemetry.sdk.name': 'otelite',
    });
    expect(server!.scope.name).toBe('otelite/deno');
    const [client] = await t().waitClients(server!);
    expect(client!.attrs).toMatchObject({ 'http.response.status_code': 200, 'url.full': `${backend.url}/api/echo?id=dtp1&from=html` });
    const [hit] = t().hits('dtp1');
    expect(hit!.headers.traceparent).toBe(`00-${T}-${client!.spanId}-01`);
    expect(res.headers.get('server-timing')).toBe(`db;dur=53, traceparent;desc="00-${T}-${server!.spanId}-01"`);
    expect(rcv.errors()).toEqual([]);
  });

  it('returns the response unchanged but for Server-Timing on HTML', async () => {
    for (const path of ['/html', '/json', '/proxy', '/redirect', '/stream', '/status', '/route', '/throw', '/nope']) {
      const [a, b] = await Promise.all([url, plain].map((u) => fetch(`${u}${path}?id=same`, { redirect: 'manual' })));
      const [ta, tb] = await Promise.all([a!.text(), b!.text()]);
      expect([a!.status, a!.statusText, ta], path).toEqual([b!.status, b!.statusText, tb]);
      const ha = hdrs(a!);
      const hb = hdrs(b!);
      if (/text\/html/.test(hb['content-type'] ?? '')) {
        const re = `^${hb['server-timing'] ? hb['server-timing'] + ', ' : ''}traceparent;desc="00-[\\da-f]{32}-[\\da-f]{16}-0[13]"$`;
        expect(ha['server-timing'], path).toMatch(new RegExp(re));
        delete ha['server-timing'];
        delete hb['server-timing'];
      }
      expect(ha, path).toEqual(hb);
    }
  });

  it('records an exception and rethrows it; 5xx is an error; routes name spans', async () => {
    expect((await fetch(`${url}/throw?id=dex`)).status).toBe(500);
    await (await fetch(`${url}/status?id=dst`)).text();
    await (await fetch(`${url}/route?id=drt`)).text();
    const [ex] = await t().waitServer('id=dex');
    expect(ex!.status).toMatchObject({ code: 2, message: 'boom' });
    expect(ex!.attrs['error.type']).toBe('TypeError');
    expect(ex!.events!.map((e) => ({ name: e.name, ...attrs(e.attributes) }))).toMatchObject([
      { name: 'exception', 'exception.type': 'TypeError', 'exception.message': 'boom' },
    ]);
    const [st] = await t().waitServer('id=dst');
    expect(st!.attrs).toMatchObject({ 'http.response.status_code': 503, 'error.type': '503' });
    const [rt] = await t().waitServer('id=drt');
    expect(rt!.name).toBe('GET /route/:id');
  });

  it('traces a fetch the handler leaves running, without delaying the response', async () => {
    const res = await fetch(`${url}/later?id=dlt`);
    expect(await res.text()).toBe('later');
    const [server] = await t().waitServer('id=dlt');
    const [client] = await t().waitClients(server!);
    expect(t().hits('dlt')[0]!.headers.traceparent).toBe(tpOf(client!));
  });

  it('does not delay the response while the collector is slow', async () => {
    rcv.respondWith(() => ({ delayMs: 3000 }));
    try {
      await (await fetch(`${url}/json?id=dslow0`)).text();
      const t0 = performance.now();
      await (await fetch(`${url}/json?id=dslow1`)).text();
      // the export of slow0 is still waiting for the collector: the response must not
      expect(performance.now() - t0).toBeLessThan(2000);
      await t().waitServer('id=dslow1');
    } finally {
      rcv.respondWith(undefined);
    }
  });

  it('keeps concurrent requests apart and exports each span exactly once', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `dc${i}`);
    await Promise.all(ids.map((id) => fetch(`${url}/parallel?id=${id}`).then((r) => r.text())));
    await rcv.waitFor(() => ids.every((id) => t().byQuery(`id=${id}`).length && t().clientsOf(t().byQuery(`id=${id}`)[0]!).length == 3), WAIT);
    for (const id of ids) {
      const [server, ...dup] = t().byQuery(`id=${id}`);
      expect(dup).toEqual([]);
      for (const c of t().clientsOf(server!)) {
        const hit = backend.requests.find((r) => r.query == `?id=${id}&from=${String(c.attrs['url.full']).slice(-2)}`);
        expect(hit!.headers.traceparent).toBe(tpOf(c));
      }
    }
    expect(rcv.errors()).toEqual([]);
  });

  it('handles W3C Trace Context Level 2 cases as the spec says', async () => {
    for (const v of VECTORS) {
      // a repeated header reaches the server combined with ', ' (RFC 9110), as Node's fetch sends it
      await (await fetch(`${url}/html?id=dv-${v.id}`, { headers: v.headers })).text();
    }
    await rcv.waitFor(() => VECTORS.every((v) => v.unsampled || t().byQuery(`id=dv-${v.id}`).length), WAIT);
    for (const v of VECTORS) {
      const [server] = t().byQuery(`id=dv-${v.id}`);
      checkVector(v, server, server && t().clientsOf(server)[0], t().hits(`dv-${v.id}`)[0]);
    }
  });

  it('flushes at unload what no request flushed', async () => {
    expect(await (await fetch(`${url}/exit`)).text()).toBe('bye');
    const span = await rcv.waitFor(() => t().spans().find((s) => s.name == 'at-exit'), WAIT);
    expect(span.scope.name).toBe('fixture');
    await new Promise<void>((r) => (d.proc.exitCode !== null ? r() : d.proc.once('exit', () => r())));
    expect(d.proc.exitCode).toBe(0);
  });
});

describe('otelite/deno without --allow-env', () => {
  it('does not read OTEL_* (no prompt, no crash) and works from its config', async () => {
    const { d, url } = await serve({
      flags: ['--allow-net=127.0.0.1'],
      env: { OTEL_SERVICE_NAME: 'must-not-be-read', OTEL_SDK_DISABLED: 'true' },
      config: { endpoint: rcv.url, serviceName: 'no-env' },
    });
    try {
      const res = await fetch(`${url}/html?id=dne`, { headers: { traceparent: `00-${T}-${S}-01` } });
      expect(await res.text()).toBe(HTML);
      const [server] = await t().waitServer('id=dne');
      expect(server!.resource['service.name']).toBe('no-env');
      expect(server!.parentSpanId).toBe(S);
      const [client] = await t().waitClients(server!);
      expect(t().hits('dne')[0]!.headers.traceparent).toBe(tpOf(client!));
      expect(d.output.join('\n')).not.toMatch(/NotCapable|PermissionDenied|error/i);
    } finally {
      await d.stop();
    }
  });
});

describe("otelite/deno with Deno's own telemetry (OTEL_DENO=true)", () => {
  let deno: Receiver;
  beforeAll(async () => {
    deno = await startReceiver({ validate: false });
  });
  afterAll(() => deno?.close());

  for (const [name, flags] of [
    ['detected from the variable', ['--allow-net=127.0.0.1', '--allow-env']],
    ['detected from the active span, without --allow-env', ['--allow-net=127.0.0.1']],
  ] as const) {
    it(`sends one traceparent, Deno's, and joins Deno's trace (${name})`, async () => {
      const id = `dd${flags.length}`;
      const { d, url } = await serve({
        flags: [...flags],
        env: { OTEL_DENO: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: deno.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '100' },
        config: { endpoint: rcv.url, serviceName: 'with-deno-otel' },
      });
      try {
        await (await fetch(`${url}/html?id=${id}`, { headers: { traceparent: `00-${T}-${S}-01` } })).text();
        const [server] = await t().waitServer(`id=${id}`);
        const [client] = await t().waitClients(server!);
        const tp = String(t().hits(id)[0]!.headers.traceparent);
        // one value only (Deno appends its own; otelite injected none), in the same trace
        expect(tp).toMatch(new RegExp(`^00-${T}-[\\da-f]{16}-01$`));
        expect(tp).not.toBe(tpOf(client!));
        // otelite's SERVER span is a child of Deno's, which continues the caller's
        expect(server!.traceId).toBe(T);
        expect(server!.parentSpanId).not.toBe(S);
        expect(client!.traceId).toBe(T);
        const denoServer = await deno.waitFor(() => deno.spans().find((s) => s.spanId == server!.parentSpanId), WAIT);
        expect(denoServer.parentSpanId).toBe(S);
        // and the backend's parent is Deno's own fetch span, a child of Deno's server span
        const denoFetch = await deno.waitFor(() => deno.spans().find((s) => s.spanId == tp.slice(36, 52)), WAIT);
        expect(denoFetch.parentSpanId).toBe(denoServer.spanId);
      } finally {
        await d.stop();
      }
    });
  }
});

describe('otelite/deno and --location', () => {
  /** The fixture with no backend URL: its routes then fetch relative URLs (`/api/echo?...`). */
  const relative = (flags: string[], config: object) =>
    startDeno(script, { flags: ['--allow-net=127.0.0.1', ...flags], args: ['', JSON.stringify(config)], timeoutMs: 60_000 });

  it('resolves relative URLs against it, as Deno does; it is no page origin: only propagateTo URLs get trace headers', async () => {
    // the location is the backend's origin: with a page's same-origin rule, both would get headers
    const d = await relative([`--location=${backend.url}/`], { endpoint: rcv.url, propagateTo: ['/[?&]id=dlocyes&/'] });
    try {
      for (const id of ['dlocyes', 'dlocno']) expect(await (await fetch(`${d.url}/html?id=${id}`)).text(), d.output.join('\n')).toBe(HTML);
      for (const id of ['dlocyes', 'dlocno']) {
        const [server] = await t().waitServer(`id=${id}`);
        const [client] = await t().waitClients(server!);
        expect(client!.attrs['url.full']).toBe(`${backend.url}/api/echo?id=${id}&from=html`);
        expect(t().hits(id)[0]!.headers.traceparent, id).toBe(id == 'dlocyes' ? tpOf(client!) : undefined);
      }
    } finally {
      await d.stop();
    }
  });

  it('without it, a relative URL fails as it does untraced, with no CLIENT span', async () => {
    const d = await relative([], { endpoint: rcv.url });
    try {
      const plain = `http://127.0.0.1:${/PLAIN (\d+)/.exec(d.output.join('\n'))![1]}`;
      const [a, b] = await Promise.all([d.url, plain].map((u) => fetch(`${u}/html?id=dnoloc`)));
      expect([a!.status, await a!.text()]).toEqual([b!.status, await b!.text()]);
      const [server] = await t().waitServer('id=dnoloc');
      expect(server!.events!.map((e) => attrs(e.attributes))).toMatchObject([{ 'exception.type': 'TypeError', 'exception.message': expect.stringMatching(/URL/) }]);
      expect(t().clientsOf(server!)).toEqual([]);
    } finally {
      await d.stop();
    }
  });
});

describe('otelite/deno config', () => {
  it('OTEL_SDK_DISABLED=true leaves the handler alone', async () => {
    const { d, url } = await serve({ env: { OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: rcv.url } });
    try {
      const res = await fetch(`${url}/html?id=ddis`, { headers: { traceparent: `00-${T}-${S}-01` } });
      expect(await res.text()).toBe(HTML);
      expect(res.headers.get('server-timing')).toBe('db;dur=53');
      expect(t().hits('ddis')[0]!.headers.traceparent).toBeUndefined();
      await new Promise((r) => setTimeout(r, 300));
      expect(t().byQuery('id=ddis')).toEqual([]);
    } finally {
      await d.stop();
    }
  });
});


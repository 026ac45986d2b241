/**
 * The fetch instrumentation in the edge runtimes (issue 4): workerd through miniflare and Deno
 * 2.9.6, with the handler of fixtures/fetch-xhr/edge-app.ts. There is no page origin there, so
 * only `propagateTo` URLs get trace headers; no resource timing either, so spans end when the
 * response headers come (a timer would not fire after the response in workerd).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleScript, REPO_ROOT, startDeno, startServer, startWorker } from './harness';
import type { TestServer } from './harness';

const FIXTURES = join(REPO_ROOT, 'test/e2e/fixtures/fetch-xhr');
const bundle = (entry: string): Promise<string> => bundleScript(join(FIXTURES, entry));

interface EdgeSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  flags: number;
  parent?: string;
  attrs: Record<string, unknown>;
  status: { code: number; message?: string };
  events: number;
  duration: number;
}
interface Answer {
  parent: { traceId: string; spanId: string };
  bodies: [{ headers: Record<string, string> }, { method: string; body: string; headers: Record<string, string> }, { headers: Record<string, string> }, number, string];
  spans: EdgeSpan[];
}

let allowed: TestServer;
let other: TestServer;
let dir: string;
const scripts = { worker: '', deno: '' };

beforeAll(async () => {
  [allowed, other, scripts.worker, scripts.deno] = await Promise.all([startServer(), startServer(), bundle('edge-worker.ts'), bundle('edge-deno.ts')]);
  dir = mkdtempSync(join(tmpdir(), 'otelite-fetch-edge-'));
  writeFileSync(join(dir, 'deno.mjs'), scripts.deno);
}, 120_000);

afterAll(async () => {
  await Promise.all([allowed?.close(), other?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The checks, whatever the runtime. */
function check(a: Answer): void {
  const client = (part: string) => a.spans.find((s) => String(s.attrs['url.full']).includes(part))!;
  const tp = (s: EdgeSpan) => `00-${s.traceId}-${s.spanId}-0${s.flags}`;
  const [url, request, oth, status, failed] = a.bodies;
  // allowlisted: the CLIENT span's context, child of the handler's span
  expect(url.headers.traceparent).toBe(tp(client('edge=url')));
  expect(request.headers.traceparent).toBe(tp(client('edge=request')));
  // the Request went out whole: method, body, headers
  expect([request.method, request.body, request.headers['x-a']]).toEqual(['POST', 'edge body', '1']);
  // not allowlisted (and no page origin to be the same as): nothing
  expect(oth.headers.traceparent).toBeUndefined();
  expect(status).toBe(503);
  // the runtime's own error: TypeError in Deno, Error in workerd
  expect(failed).toMatch(/Error$/);
  const clients = a.spans.filter((s) => s.kind == 2);
  expect(clients).toHaveLength(5);
  for (const s of clients) {
    expect(s.parent).toBe(a.parent.spanId);
    expect(s.traceId).toBe(a.parent.traceId);
    expect(s.events).toBe(0); // no resource timing here
  }
  expect(client('edge=url').attrs).toMatchObject({
    'http.request.method': 'GET',
    'server.address': '127.0.0.1',
    'server.port': allowed.port,
    'http.response.status_code': 200,
  });
  expect(client('edge=request').name).toBe('POST');
  expect(client('/api/status/503').attrs['error.type']).toBe('503');
  expect(client('unreachable').attrs['error.type']).toBe(failed);
  expect(client('unreachable').status.code).toBe(2);
}

const query = () => `?allowed=${encodeURIComponent(allowed.url)}&other=${encodeURIComponent(other.url)}`;

describe('workerd (miniflare)', () => {
  it('traces fetch, propagates to propagateTo only, parents on the active span', async () => {
    const w = await startWorker({ script: scripts.worker, compatibilityFlags: ['nodejs_compat'] });
    try {
      const r = await w.fetch('/' + query());
      expect(r.status, w.output.join('\n')).toBe(200);
      check((await r.json()) as Answer);
    } finally {
      await w.close();
    }
  });
});

describe('Deno', () => {
  it('traces fetch, propagates to propagateTo only, parents on the active span', async () => {
    const d = await startDeno(join(dir, 'deno.mjs'));
    try {
      const r = await fetch(d.url + '/' + query());
      expect(r.status, d.output.join('\n')).toBe(200);
      check((await r.json()) as Answer);
    } finally {
      await d.stop();
    }
  });
});

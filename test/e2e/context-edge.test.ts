/**
 * AsyncContextManager in real edge runtimes: workerd through miniflare (with `nodejs_compat`,
 * with `nodejs_als` and `AsyncContextManager.load()`, and with no flag at all) and Deno 2.9.6
 * (AsyncLocalStorage, and the native `AsyncContext` path through a tiny polyfill on globalThis).
 *
 * The handler (fixtures/context/edge-app.ts) runs each request in a context carrying its id and
 * reports what the context is after await, setTimeout, a fetch to a local 127.0.0.1 server,
 * promise continuations, and (workerd) in `ctx.waitUntil` work started inside it. Concurrent
 * requests with different delays interleave and must each keep their own.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleScript, REPO_ROOT, startDeno, startServer, startWorker } from './harness';
import type { TestDeno, TestServer, TestWorker } from './harness';

const FIXTURES = join(REPO_ROOT, 'test/e2e/fixtures/context');

const bundle = (entry: string): Promise<string> => bundleScript(join(FIXTURES, entry));

type Seen = Record<'sync' | 'await' | 'setTimeout' | 'timerCallback' | 'fetch' | 'body' | 'then' | 'all' | 'end' | 'outside', string>;
interface Answer {
  id: string;
  seen: Seen;
  info: { availableBefore: boolean; loaded?: boolean; availableAfter: boolean; installed: boolean };
}

/** What a request with context `id` must see when the context follows async code. */
const kept = (id: string): Seen => ({
  sync: id,
  await: id,
  setTimeout: id,
  timerCallback: id,
  fetch: id,
  body: id,
  then: id,
  all: `${id},${id}`,
  end: id,
  outside: 'none',
});

/** What it sees when nothing follows async code (the stack manager fallback). */
const lost = (id: string): Seen => ({
  sync: id,
  await: 'none',
  setTimeout: 'none',
  timerCallback: 'none',
  fetch: 'none',
  body: 'none',
  then: 'none',
  all: 'none,none',
  end: 'none',
  outside: 'none',
});

const IDS = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6'];
/** Different delays so that the requests' continuations interleave. */
const delayOf = (i: number) => [30, 5, 20, 0, 12, 25][i]!;

/** Sends the six requests at once and returns the answers by id. */
async function concurrent(send: (path: string) => Promise<Response>): Promise<Record<string, Answer>> {
  const answers = await Promise.all(
    IDS.map(async (id, i) => {
      const res = await send(`/?id=${id}&delay=${delayOf(i)}`);
      const text = await res.text();
      if (res.status !== 200) throw new Error(`request ${id}: ${res.status} ${text}`);
      return JSON.parse(text) as Answer;
    }),
  );
  return Object.fromEntries(answers.map((a) => [a.id, a]));
}

let upstream: TestServer;
let workerCode: string;
let denoDir: string;
let denoScript: string;

beforeAll(async () => {
  let deno: string;
  [upstream, workerCode, deno] = await Promise.all([
    startServer({ routes: { '/report': { body: '', status: 204 } } }),
    bundle('edge-worker.ts'),
    bundle('edge-deno.ts'),
  ]);
  denoDir = mkdtempSync(join(tmpdir(), 'otelite-ctx-deno-'));
  denoScript = join(denoDir, 'server.mjs');
  writeFileSync(denoScript, deno);
});

afterAll(async () => {
  await upstream?.close();
  if (denoDir) rmSync(denoDir, { recursive: true, force: true });
});

/** The `/report` requests of the waitUntil work, as id → context value. */
function reports(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of upstream.requests.filter((x) => x.path === '/report')) {
    const q = new URLSearchParams(r.query);
    out[q.get('id')!] = q.get('v')!;
  }
  return out;
}

async function waitReports(n: number, timeoutMs = 5000): Promise<Record<string, string>> {
  const end = Date.now() + timeoutMs;
  while (Object.keys(reports()).length < n && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return reports();
}

describe('workerd (miniflare)', () => {
  const workers: Record<'compat' | 'oldCompat' | 'als' | 'none', TestWorker | undefined> = {
    compat: undefined,
    oldCompat: undefined,
    als: undefined,
    none: undefined,
  };

  beforeAll(async () => {
    // Explicit modules rather than `script`: from a string script miniflare tries to resolve
    // the dynamic import('node:async_hooks') of AsyncContextManager.load() and refuses to start
    const modules = [{ type: 'ESModule', path: join(denoDir, 'worker.mjs'), contents: workerCode }];
    const start = (flags: string[], load: boolean, compatibilityDate?: string) =>
      startWorker({
        modules,
        modulesRoot: denoDir,
        compatibilityFlags: flags,
        compatibilityDate,
        bindings: { UPSTREAM: upstream.url, LOAD: load ? '1' : '0' },
      });
    [workers.compat, workers.oldCompat, workers.als, workers.none] = await Promise.all([
      start(['nodejs_compat'], false),
      // before 2024-09-23 nodejs_compat has no `process` global (no getBuiltinModule): load() needed
      start(['nodejs_compat'], true, '2024-06-01'),
      start(['nodejs_als'], true),
      start([], true),
    ]);
  });

  afterAll(async () => {
    await Promise.all(Object.values(workers).map((w) => w?.close()));
  });

  it('nodejs_compat: found without load(); context survives await, timers, fetch; concurrent requests keep their own', async () => {
    upstream.requests.length = 0;
    const w = workers.compat!;
    const answers = await concurrent((p) => w.fetch(p));
    for (const id of IDS) expect(answers[id]!.seen, id).toEqual(kept(id));
    expect(answers.r1!.info).toEqual({ availableBefore: true, loaded: undefined, availableAfter: true, installed: true });
    // each fetch to the local server went out (and came back) in its own request's context
    expect(upstream.requests.filter((r) => r.path.startsWith('/api/delay/')).length).toBe(IDS.length);
  });

  it('nodejs_compat: ctx.waitUntil work started inside the context keeps it after the response', async () => {
    // the reports of the previous test's requests (they run after each response was sent)
    const r = await waitReports(IDS.length);
    expect(r).toEqual(Object.fromEntries(IDS.map((id) => [id, id])));
  });

  it('nodejs_als: isAvailable() false until load(), then the same guarantees', async () => {
    upstream.requests.length = 0;
    const w = workers.als!;
    const answers = await concurrent((p) => w.fetch(p));
    for (const id of IDS) expect(answers[id]!.seen, id).toEqual(kept(id));
    expect(answers.r1!.info).toEqual({ availableBefore: false, loaded: true, availableAfter: true, installed: true });
    expect(await waitReports(IDS.length)).toEqual(Object.fromEntries(IDS.map((id) => [id, id])));
  });

  it('nodejs_compat with a compatibility date before 2024-09-23: found only through load()', async () => {
    upstream.requests.length = 0;
    const w = workers.oldCompat!;
    const answers = await concurrent((p) => w.fetch(p));
    for (const id of IDS) expect(answers[id]!.seen, id).toEqual(kept(id));
    expect(answers.r1!.info).toEqual({ availableBefore: false, loaded: true, availableAfter: true, installed: true });
    expect(await waitReports(IDS.length)).toEqual(Object.fromEntries(IDS.map((id) => [id, id])));
  });

  it('no flag: load() resolves false, one clear warning, synchronous context only', async () => {
    upstream.requests.length = 0;
    const w = workers.none!;
    const answers = await concurrent((p) => w.fetch(p));
    for (const id of IDS) expect(answers[id]!.seen, id).toEqual(lost(id));
    expect(answers.r1!.info).toEqual({ availableBefore: false, loaded: false, availableAfter: false, installed: true });
    expect(await waitReports(IDS.length)).toEqual(Object.fromEntries(IDS.map((id) => [id, 'none'])));
    const warnings = w.output.filter((l) => /AsyncContextManager/.test(l));
    expect(warnings, w.output.join('\n')).toHaveLength(1);
    expect(warnings[0]).toMatch(/neither AsyncContext nor AsyncLocalStorage/);
    expect(warnings[0]).toMatch(/nodejs_als/);
  });
});

describe('Deno 2.9.6', () => {
  let als: TestDeno | undefined;
  let native: TestDeno | undefined;

  beforeAll(async () => {
    const start = (polyfill: boolean) =>
      startDeno(denoScript, { env: { UPSTREAM: upstream.url, POLYFILL: polyfill ? '1' : '0' }, flags: ['--allow-net=127.0.0.1', '--allow-env'] });
    [als, native] = await Promise.all([start(false), start(true)]);
  });

  afterAll(async () => {
    await Promise.all([als?.stop(), native?.stop()]);
  });

  it('AsyncLocalStorage (found without load()): await, timers, fetch; concurrent requests keep their own', async () => {
    const answers = await concurrent((p) => fetch(als!.url + p));
    for (const id of IDS) expect(answers[id]!.seen, id).toEqual(kept(id));
    expect(answers.r1!.info).toEqual({ availableBefore: true, availableAfter: true, installed: true });
    const calls = (await (await fetch(als!.url + '/polyfill')).json()) as Record<string, number>;
    expect(calls).toEqual({ constructed: 0, run: 0, get: 0 });
    expect(als!.output.filter((l) => /warn|error/i.test(l))).toEqual([]);
  });

  it('native AsyncContext path (polyfilled AsyncContext.Variable): the same, through the Variable', async () => {
    const answers = await concurrent((p) => fetch(native!.url + p));
    for (const id of IDS) expect(answers[id]!.seen, id).toEqual(kept(id));
    const calls = (await (await fetch(native!.url + '/polyfill')).json()) as Record<string, number>;
    // one Variable for the one manager, and every with()/active() went through it
    expect(calls.constructed).toBe(1);
    expect(calls.run).toBeGreaterThanOrEqual(IDS.length);
    expect(calls.get).toBeGreaterThanOrEqual(IDS.length * 10);
    expect(native!.output.filter((l) => /warn|error/i.test(l))).toEqual([]);
  });
});

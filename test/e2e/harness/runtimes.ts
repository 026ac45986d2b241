/**
 * Real edge runtimes for e2e tests:
 * - workerd through miniflare (pinned devDependency; `cf: false` so it never calls the internet),
 * - Deno through `npx --yes deno@2.9.6` (kept out of package.json: see FACTS.md on npm ci).
 */
import { spawn, execFile } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import type { MiniflareOptions } from 'miniflare';

// ---------------------------------------------------------------------------------------------
// workerd

/** Options of {@link startWorker}: the script and the usual knobs; anything else goes to Miniflare. */
export type WorkerOptions = {
  /** module worker source (ESM) */
  script?: string;
  /** or a path to its entry module */
  scriptPath?: string;
  /** default '2025-09-01' */
  compatibilityDate?: string;
  /** default ['nodejs_compat'] (AsyncLocalStorage); pass [] to test without */
  compatibilityFlags?: string[];
  /** env bindings (strings, JSON values) */
  bindings?: Record<string, unknown>;
} & Record<string, unknown>;

/** A running worker. */
export interface TestWorker {
  mf: Miniflare;
  /** a real HTTP origin on 127.0.0.1 serving the worker (no trailing slash) */
  url: string;
  /** sends a request through miniflare's dispatcher (a path is resolved against `url`) */
  fetch(input: string, init?: RequestInit): Promise<Response>;
  /** the worker's stdout/stderr lines (its console output) */
  output: string[];
  /** disposes workerd */
  close(): Promise<void>;
}

/** Starts a module worker in workerd via miniflare, listening on 127.0.0.1. */
export async function startWorker(opts: WorkerOptions): Promise<TestWorker> {
  const output: string[] = [];
  const { script, scriptPath, compatibilityDate, compatibilityFlags, bindings, ...rest } = opts;
  const collect = (s: NodeJS.ReadableStream) => {
    let buf = '';
    s.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      const lines = buf.split('\n');
      buf = lines.pop()!;
      output.push(...lines);
    });
  };
  const mfOpts = {
    // A string script goes in as a named module: miniflare refuses a bare `script` that holds a
    // dynamic import (AsyncContextManager.load() has one), but not a module list.
    ...(script !== undefined
      ? { modules: [{ type: 'ESModule', path: join(tmpdir(), 'otelite-worker.mjs'), contents: script }], modulesRoot: tmpdir() }
      : { modules: true, scriptPath }),
    compatibilityDate: compatibilityDate ?? '2025-09-01',
    compatibilityFlags: compatibilityFlags ?? ['nodejs_compat'],
    bindings,
    cf: false,
    host: '127.0.0.1',
    port: 0,
    handleRuntimeStdio: (out: NodeJS.ReadableStream, err: NodeJS.ReadableStream) => {
      collect(out);
      collect(err);
    },
    ...rest,
  } as MiniflareOptions;
  const mf = new Miniflare(mfOpts);
  let ready: URL;
  try {
    ready = await mf.ready;
  } catch (e) {
    await mf.dispose().catch(() => {});
    throw new Error(`workerd failed to start: ${(e as Error).message}\n${output.join('\n')}`);
  }
  const url = ready.origin;
  return {
    mf,
    url,
    output,
    fetch: (input, init) =>
      mf.dispatchFetch(new URL(input, url).href, init as Parameters<Miniflare['dispatchFetch']>[1]) as unknown as Promise<Response>,
    close: () => mf.dispose(),
  };
}

// ---------------------------------------------------------------------------------------------
// Deno

/** The pinned Deno version. */
export const DENO_VERSION = '2.9.6';

let denoBin: Promise<string> | undefined;

/**
 * Path of the Deno binary: `DENO_BIN`, else the one `npx --yes deno@2.9.6` installs into npm's
 * cache (downloaded once per machine; allow a long first call). Spawning the binary directly
 * skips npx's ~0.5 s per start and lets `stop()` kill the real process.
 */
export function denoBinary(timeoutMs = 120_000): Promise<string> {
  if (process.env.DENO_BIN) return Promise.resolve(process.env.DENO_BIN);
  denoBin ??= new Promise<string>((resolve, reject) => {
    execFile(
      'npx',
      ['--yes', `deno@${DENO_VERSION}`, 'eval', '--quiet', 'console.log(Deno.execPath())'],
      { timeout: timeoutMs, env: denoEnv(), encoding: 'utf8' },
      (err, stdout, stderr) => {
        const path = stdout.trim().split('\n').pop();
        if (err || !path) {
          denoBin = undefined;
          reject(new Error(`could not get Deno ${DENO_VERSION} through npx: ${err?.message ?? ''}\n${stderr}`));
        } else resolve(path);
      },
    );
  });
  return denoBin;
}

function denoEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1', NO_COLOR: '1', ...extra };
}

/** A free TCP port on 127.0.0.1 (closed again; tiny race, fine for tests). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Options of {@link startDeno}. */
export interface DenoOptions {
  /** permission and other flags before the script (default `--allow-net=127.0.0.1 --allow-env`) */
  flags?: string[];
  /** extra environment; `PORT` is set to a free port unless given */
  env?: Record<string, string>;
  /** arguments after the script */
  args?: string[];
  /**
   * readiness line in stdout/stderr; a first capture group is the port. Default: Deno.serve's
   * own "Listening on http://127.0.0.1:PORT/" or a "LISTENING PORT" line.
   */
  ready?: RegExp;
  /** how long to wait for readiness, including a first npx download (default 120 s) */
  timeoutMs?: number;
  cwd?: string;
}

/** A running Deno server. */
export interface TestDeno {
  proc: ChildProcess;
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  /** stdout and stderr lines */
  output: string[];
  /** SIGTERM, then SIGKILL after 2 s; resolves when the process is gone */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHook = false;

function track(p: ChildProcess): void {
  live.add(p);
  p.once('exit', () => live.delete(p));
  if (!exitHook) {
    exitHook = true;
    // never leave a Deno behind when a test run dies
    process.once('exit', () => live.forEach((c) => c.kill('SIGKILL')));
  }
}

/** Runs a Deno server script and waits until it prints its readiness line. */
export async function startDeno(script: string, opts: DenoOptions = {}): Promise<TestDeno> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const bin = await denoBinary(timeoutMs);
  const port = opts.env?.PORT ? Number(opts.env.PORT) : await freePort();
  const flags = opts.flags ?? ['--allow-net=127.0.0.1', '--allow-env'];
  const proc = spawn(bin, ['run', ...flags, script, ...(opts.args ?? [])], {
    cwd: opts.cwd,
    env: denoEnv({ PORT: String(port), ...opts.env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(proc);
  const output: string[] = [];
  const ready = opts.ready ?? /(?:Listening on https?:\/\/[^\s/]+:(\d+)|LISTENING (\d+))/;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      const kill = setTimeout(() => proc.kill('SIGKILL'), 2000);
      proc.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      proc.kill('SIGTERM');
    });
  const actualPort = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`Deno did not get ready within ${timeoutMs} ms (${ready}):\n${output.join('\n')}`));
    }, timeoutMs);
    const onLine = (line: string) => {
      output.push(line);
      const m = ready.exec(line);
      if (m) {
        clearTimeout(timer);
        const p = m.slice(1).find((x) => x !== undefined);
        resolve(p ? Number(p) : port);
      }
    };
    for (const s of [proc.stdout!, proc.stderr!]) {
      let buf = '';
      s.on('data', (d: Buffer) => {
        buf += d.toString('utf8');
        const lines = buf.split('\n');
        buf = lines.pop()!;
        lines.forEach(onLine);
      });
    }
    proc.once('exit', (code, sig) => {
      clearTimeout(timer);
      reject(new Error(`Deno exited (${code ?? sig}) before it was ready:\n${output.join('\n')}`));
    });
    proc.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  }).catch(async (e: unknown) => {
    await stop();
    throw e;
  });
  return { proc, url: `http://127.0.0.1:${actualPort}`, port: actualPort, output, stop };
}

/** Runs a Deno script to completion (no server) and returns its exit code and output. */
export async function runDeno(
  script: string,
  opts: Omit<DenoOptions, 'ready'> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const bin = await denoBinary(opts.timeoutMs);
  const flags = opts.flags ?? ['--allow-net=127.0.0.1', '--allow-env'];
  return new Promise((resolve, reject) => {
    const proc = execFile(
      bin,
      ['run', ...flags, script, ...(opts.args ?? [])],
      { cwd: opts.cwd, env: denoEnv(opts.env), timeout: opts.timeoutMs ?? 120_000, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') return reject(err);
        resolve({ code: proc.exitCode, stdout, stderr });
      },
    );
    track(proc);
  });
}

/**
 * `file` bundled as a Worker or Deno script with otelite's default build (bundlers without the
 * `workerd`/`deno` conditions; test/e2e/fixtures/edge/build.ts makes the edge build): ESM, and
 * `node:` built-ins left to the runtime, as wrangler and deno see them.
 */
export async function bundleScript(file: string): Promise<string> {
  const r = await build({
    entryPoints: [file],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    platform: 'neutral',
    external: ['node:*'],
    write: false,
    logLevel: 'silent',
  });
  return r.outputFiles[0]!.text;
}

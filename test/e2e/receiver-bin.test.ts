/**
 * `npx otelite-receiver` from an installed package: the bin (demo/receiver-cli.mjs) runs the
 * receiver that `npm run build` bundled into dist/receiver/, with no devDependency and no
 * demo/collector.ts at hand. The package is laid out in a temporary directory as npm installs
 * it (package.json, the bin, dist/receiver), outside this repository, so that nothing in its
 * node_modules can be resolved. Tests the built dist/: `npm test` builds before it runs.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './harness';
import { sampleTraces } from './harness/samples';

const BUILT = join(REPO_ROOT, 'dist/receiver/collector.js');

describe('otelite-receiver (the published bin)', () => {
  let dir: string;
  let child: ChildProcess;
  let out = '';
  let url: string;

  beforeAll(async () => {
    if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: npm run build first`);
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
    dir = mkdtempSync(join(tmpdir(), 'otelite-receiver-'));
    const installed = join(dir, 'node_modules/otelite');
    mkdirSync(join(installed, 'dist'), { recursive: true });
    cpSync(join(REPO_ROOT, 'package.json'), join(installed, 'package.json'));
    cpSync(join(REPO_ROOT, pkg.bin['otelite-receiver']), join(installed, pkg.bin['otelite-receiver']));
    cpSync(join(REPO_ROOT, 'dist/receiver'), join(installed, 'dist/receiver'), { recursive: true });
    child = spawn(process.execPath, [join(installed, pkg.bin['otelite-receiver']), '--port', '0'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    url = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no endpoint printed in 15 s:\n' + out)), 15_000);
      child.stdout!.on('data', () => {
        const m = /endpoint\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) clearTimeout(t), resolve(m[1]!);
      });
      child.once('exit', (code) => (clearTimeout(t), reject(new Error(`exited with ${code}:\n${out}`))));
    });
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('bundles everything: the only imports left are Node built-ins', () => {
    const code = readFileSync(BUILT, 'utf8');
    const specifiers = [...code.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*["']([^"']+)["']/g)].map((m) => m[1]);
    expect(specifiers.length).toBeGreaterThan(0);
    expect(specifiers.filter((s) => !s!.startsWith('node:'))).toEqual([]);
    // with the notices of what it bundles
    expect(readFileSync(join(REPO_ROOT, 'dist/receiver/THIRD_PARTY_LICENSES.txt'), 'utf8')).toContain('protobufjs@');
  });

  it('accepts an OTLP export, checks it against the schema (the bundled protobuf module) and shows it', async () => {
    const body = JSON.stringify(sampleTraces());
    const res = await fetch(url + '/v1/traces', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(body),
    });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    const t = (await (await fetch(url + '/api/telemetry')).json()) as { traces: { spans: unknown[] }[]; errors: string[] };
    expect(t.errors).toEqual([]);
    expect(t.traces.flatMap((x) => x.spans).length).toBeGreaterThan(0);
    expect(out).toMatch(/traces: \d+ spans?\n/);
    // the page and its files, from dist/receiver/ui
    const page = await fetch(url + '/');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script');
    expect((await fetch(url + '/ui/app.js')).status).toBe(200);
  });

  it('reports a payload that breaks the OTLP/JSON rules', async () => {
    const bad = sampleTraces() as unknown as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] };
    bad.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.start_time_unix_nano = '1';
    const res = await fetch(url + '/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(bad) });
    await res.arrayBuffer();
    const t = (await (await fetch(url + '/api/telemetry')).json()) as { errors: string[] };
    expect(t.errors.join('\n')).toContain('start_time_unix_nano');
    expect(out).toContain('schema errors');
  });
});

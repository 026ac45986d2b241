// Runs the official W3C Trace Context test suite (github.com/w3c/trace-context, its test/ folder)
// against otelite's edge wrappers: the Deno one (`instrument` of otelite/deno, in Deno) and the
// Cloudflare one (`instrument` of otelite/cloudflare, in workerd via miniflare), at spec levels 1
// and 2, strict. A tool to run by hand, not part of `npm test`: the suite is Python (with
// aiohttp: `apt-get install python3-aiohttp`) and is not in this repository; check it out and
// pass its path:
//
//   node scripts/w3c-trace-context.mjs ../trace-context
//
// Exits non-zero when a run fails. The services are scripts/w3c/*.ts, bundled from src/ as a
// Worker or Deno build bundles otelite (its edge build).
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Miniflare } from 'miniflare';
import { edgePlugin } from '../entries.mjs';

const suite = process.argv[2] && resolve(process.argv[2], 'test');
if (!suite) throw new Error('usage: node scripts/w3c-trace-context.mjs <path to a w3c/trace-context checkout>');
const python = process.env.PYTHON || '/usr/bin/python3';
const dir = mkdtempSync(join(tmpdir(), 'otelite-w3c-'));
const bundle = (name) =>
  build({
    entryPoints: [`scripts/w3c/${name}.ts`],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    external: ['node:*'],
    outfile: join(dir, name + '.mjs'),
    plugins: [edgePlugin()],
    minifySyntax: true,
    logLevel: 'error',
  });
await Promise.all([bundle('deno'), bundle('worker')]);

/** Runs the suite against `endpoint` at `level`; resolves to its summary line and whether it passed. */
const run = (endpoint, level) =>
  new Promise((ok) => {
    const env = { ...process.env, SERVICE_ENDPOINT: endpoint, SPEC_LEVEL: String(level), STRICT_LEVEL: '2' };
    const p = spawn(python, ['test.py', endpoint], { cwd: suite, env });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('exit', (code) => ok({ code, out, summary: out.match(/^Ran .*$/m)?.[0] + ', ' + out.trim().split('\n').pop() }));
  });

const results = [];
const report = async (name, url) => {
  for (const level of [1, 2]) {
    const r = await run(url + '/test', level);
    console.log(`${name}, spec level ${level}: ${r.summary}`);
    if (r.code) console.log(r.out);
    results.push(r.code);
  }
};

const deno = spawn('npx', ['--yes', 'deno@2.9.6', 'run', '--allow-net=127.0.0.1', join(dir, 'deno.mjs'), '7780'], { stdio: 'ignore', detached: true });
try {
  // ready when it answers (up to a minute: npx may fetch Deno first)
  for (let i = 0; ; i++) {
    if (await fetch('http://127.0.0.1:7780/test', { method: 'POST', body: '[]' }).then((r) => r.ok, () => false)) break;
    if (i > 600 || deno.exitCode !== null) throw new Error('Deno did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  await report('Deno (otelite/deno)', 'http://127.0.0.1:7780');
} finally {
  // the group: npx and the deno it started
  process.kill(-deno.pid);
}

const mf = new Miniflare({
  modules: [{ type: 'ESModule', path: join(dir, 'worker.mjs'), contents: readFileSync(join(dir, 'worker.mjs'), 'utf8') }],
  modulesRoot: dir,
  compatibilityDate: '2025-09-01',
  compatibilityFlags: ['nodejs_compat'],
  cf: false,
  host: '127.0.0.1',
  port: 0,
});
try {
  await report('workerd (otelite/cloudflare)', (await mf.ready).origin);
} finally {
  await mf.dispose();
}
process.exit(results.some(Boolean) ? 1 : 0);

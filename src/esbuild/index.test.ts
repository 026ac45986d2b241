import { build, transform } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { asyncContextPlugin, transformAsync } from './index';

const src = (p: string) => JSON.stringify(resolve('src', p));
const out = resolve('node_modules/.cache/otelite-test');

/** Builds `code` (an app module) with the plugin and runs it in this process. */
async function run(code: string, name: string, plugin = true): Promise<string[]> {
  // the module exports a function returning its log: a promise as a module export does not
  // survive vitest's module runner
  mkdirSync(out, { recursive: true });
  const entry = resolve(out, `${name}.entry.ts`);
  writeFileSync(entry, code);
  const outfile = resolve(out, `${name}.mjs`);
  await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'es2022',
    outfile,
    logLevel: 'error',
    alias: { 'otelite/esbuild/runtime': resolve('src/esbuild/runtime.ts') },
    plugins: plugin ? [asyncContextPlugin({ filter: /otelite-test.*\.ts$/, nodeModules: true })] : [],
  });
  const mod = await import(pathToFileURL(outfile).href + '?' + Date.now());
  return mod.default();
}

const prelude = `
import { context } from ${src('context/api')};
import { ROOT_CONTEXT, createContextKey } from ${src('context/context')};
import { StackContextManager } from ${src('context/stack')};
context.disable();
context.setGlobalContextManager(new StackContextManager());
const K = createContextKey('k');
const get = () => String(context.active().getValue(K));
const log: string[] = [];
const tick = () => new Promise((r) => setTimeout(r, 1));
`;

describe('asyncContextPlugin', () => {
  it('keeps the context across await, for interleaved flows, and restores it after', async () => {
    const code =
      prelude +
      `
async function inner(tag: string) {
  await null;
  log.push(tag + '1:' + get());
  await tick();
  log.push(tag + '2:' + get());
  try { await Promise.reject(new Error('x')); } catch { log.push(tag + 'catch:' + get()); }
  finally { log.push(tag + 'finally:' + get()); }
}
async function flow(tag: string) {
  await context.with(ROOT_CONTEXT.setValue(K, tag), () => inner(tag));
  log.push(tag + 'after:' + get());
}
export default () => Promise.all([flow('a'), flow('b')]).then(() => (log.push('end:' + get()), log));
`;
    const log = await run(code, 'interleave');
    expect(log.filter((l) => l.startsWith('a'))).toEqual(['a1:a', 'a2:a', 'acatch:a', 'afinally:a', 'aafter:undefined']);
    expect(log.filter((l) => l.startsWith('b'))).toEqual(['b1:b', 'b2:b', 'bcatch:b', 'bfinally:b', 'bafter:undefined']);
    expect(log.at(-1)).toBe('end:undefined');
  });

  it('handles for await, async generators and async methods', async () => {
    const code =
      prelude +
      `
async function* gen() { for (let i = 0; i < 2; i++) { await tick(); yield get(); } }
class C { async m() { await tick(); return get(); } }
async function main() {
  for await (const v of gen()) log.push('yielded:' + v + ' body:' + get());
  log.push('method:' + (await new C().m()) + ' after:' + get());
}
export default () => context.with(ROOT_CONTEXT.setValue(K, 'g'), main).then(() => log);
`;
    expect(await run(code, 'generators')).toEqual(['yielded:g body:g', 'yielded:g body:g', 'method:g after:g']);
  });

  it('runs the rest of an async generator\'s finally when it is closed early (esbuild 0.28 helper bug)', async () => {
    const code =
      prelude +
      `
async function* gen() { try { yield 1; yield 2; } finally { await tick(); log.push('cleanup:' + get()); } }
async function* gen2() { try { yield 1; } finally { await tick(); log.push('cleanup2'); } }
async function main() {
  for await (const v of gen()) { log.push('got:' + v); break; }
  const g = gen2();
  await g.next();
  const r = await g.return(7);
  log.push('return:' + r.value + ':' + r.done);
}
export default () => context.with(ROOT_CONTEXT.setValue(K, 'f'), main).then(() => log);
`;
    expect(await run(code, 'finally')).toEqual(['got:1', 'cleanup:f', 'cleanup2', 'return:7:true']);
  });

  it('loses the context without the plugin (the gap it closes)', async () => {
    const code =
      prelude +
      `
export default () => context.with(ROOT_CONTEXT.setValue(K, 'x'), async () => { await tick(); log.push(get()); }).then(() => log);
`;
    expect(await run(code, 'without', false)).toEqual(['undefined']);
  });

  it('leaves files without await untouched and skips CommonJS', async () => {
    expect(await transformAsync('export const a = 1;', 'a.ts', transform)).toBeUndefined();
    expect(await transformAsync('module.exports = async () => { await 1 }', 'a.js', transform)).toBeUndefined();
    const r = await transformAsync('export async function f() { await 1 }', 'a.ts', transform);
    expect(r?.code).toContain('return __oteliteAsync(this, null, function* () {');
    expect(r?.code).toMatch(/import \{ __oteliteAsync, __oteliteAsyncGen, __oteliteAwait \} from "otelite\/esbuild\/runtime";\n\/\/# sourceMappingURL=/);
    // top-level await: esbuild cannot lower the module, so it is left as it is
    expect(await transformAsync('await 1; export async function f() { await 1 }', 'a.ts', transform)).toBeUndefined();
  });
});

// Builds dist/: ESM per entry point (readable, for bundlers: dist/*.js; minified, for direct
// use: dist/min/*.js), the edge build (dist/edge/*.js: the same entries with the page-only code
// left out, for Cloudflare Workers and Deno, see edgePlugin in entries.mjs), the snippet IIFE
// (dist/otelite.iife.js), the dev collector of `npx otelite-receiver` (dist/receiver/) and, with
// --types, the .d.ts files through tsc (dist/types/, relative imports made explicit, see
// explicitSpecifiers). Entries whose source does not exist yet are skipped with a note.
import { build } from 'esbuild';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { edgePlugin, entries, nodeEntries, outName } from './entries.mjs';

const present = Object.entries(entries).filter(([sub, src]) => {
  if (existsSync(src)) return true;
  console.log(`esbuild: skipping ${sub} (${src} not written yet)`);
  return false;
});
const browser = present.filter(([s]) => !nodeEntries.has(s));
const node = present.filter(([s]) => nodeEntries.has(s));
const points = (list) => Object.fromEntries(list.map(([s, src]) => [outName(s), src]));

// Kept external in the ESM builds: dependencies and optional peers (the app's bundler resolves
// them once, so an app that uses web-vitals itself does not carry two copies), and Node/edge
// built-ins. The snippet bundles its dependencies: it is the one file a page loads.
const external = ['zone.js', 'node:*', 'esbuild', '@opentelemetry/api', 'web-vitals', 'web-vitals/*', 'fflate'];
const common = { bundle: true, format: 'esm', sourcemap: true, target: 'es2022', external, logLevel: 'warning' };

export async function buildAll({ types = false } = {}) {
  // Without --types, dist/types stays: package.json "exports" points there, and the demo's
  // `npm start` (run by an e2e test) builds without it, before the test of the declarations.
  for (const f of existsSync('dist') ? readdirSync('dist') : []) {
    if (types || f != 'types') rmSync(join('dist', f), { recursive: true, force: true });
  }
  await Promise.all([
    build({ ...common, entryPoints: points(browser), outdir: 'dist', splitting: true, chunkNames: 'chunks/[name]-[hash]' }),
    build({ ...common, entryPoints: points(browser), outdir: 'dist/min', splitting: true, minify: true, chunkNames: 'chunks/[name]-[hash]' }),
    // every entry, not only the edge ones: an app importing two entries must get one build of
    // both, never one module twice. Syntax minified: the dead page-only branches go from the
    // files themselves, whatever the app's bundler does (wrangler does not minify by default).
    build({ ...common, entryPoints: points(browser), outdir: 'dist/edge', splitting: true, minifySyntax: true, chunkNames: 'chunks/[name]-[hash]', plugins: [edgePlugin()] }),
    node.length && build({ ...common, entryPoints: points(node), outdir: 'dist', platform: 'node' }),
    existsSync('src/web/snippet.ts') &&
      build({ ...common, external: [], entryPoints: ['src/web/snippet.ts'], outfile: 'dist/otelite.iife.js', format: 'iife', minify: true }),
    buildReceiver(),
  ]);
  if (types) {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
    await explicitSpecifiers('dist/types');
  }
}

/**
 * The dev collector that `npx otelite-receiver` (demo/receiver-cli.mjs) runs from an installed
 * package: demo/collector.ts with the e2e harness's receiver and OTLP schema check, bundled for
 * Node with everything they use (protobufjs and the generated OTLP schema module of
 * @opentelemetry/otlp-transformer are devDependencies, which an installed package does not
 * have), and its page (demo/ui) beside it in dist/receiver/ui. Minified: it carries the schema.
 */
async function buildReceiver() {
  cpSync('demo/ui', 'dist/receiver/ui', { recursive: true });
  const { metafile } = await build({
    entryPoints: ['demo/collector.ts'],
    outfile: 'dist/receiver/collector.js',
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    minify: true,
    metafile: true,
    logLevel: 'warning',
    plugins: [bundleRequired()],
  });
  // the licenses of the packages bundled (their notices must travel with the code)
  const dirs = new Set(Object.keys(metafile.inputs).flatMap((f) => /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1] ?? []));
  const notices = [...dirs].sort().map((dir) => {
    const { name, version, license } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)/i.test(f));
    return `${name}@${version} (${license})\n\n${file ? readFileSync(join(dir, file), 'utf8').trim() : `license: ${license}`}\n`;
  });
  writeFileSync('dist/receiver/THIRD_PARTY_LICENSES.txt', `Bundled in collector.js:\n\n${notices.join('\n' + '-'.repeat(72) + '\n\n')}`);
}

/**
 * The OTLP schema check (test/e2e/harness/otlp-schema.ts) loads its CommonJS modules with
 * `createRequire(import.meta.url)(id)`, a call esbuild cannot follow. For the receiver bundle,
 * its `node:module` becomes a module whose `createRequire` returns those modules, imported
 * statically, so that esbuild bundles them. An id not listed fails loudly at the first payload.
 */
function bundleRequired() {
  const ids = ['@opentelemetry/otlp-transformer/build/src/generated/root.js', 'protobufjs/minimal'];
  return {
    name: 'otelite-bundle-required',
    setup(b) {
      b.onResolve({ filter: /^node:module$/ }, (a) =>
        a.importer.endsWith('otlp-schema.ts') ? { path: 'required', namespace: 'otelite-required', pluginData: a.resolveDir } : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: 'otelite-required' }, (a) => ({
        resolveDir: a.pluginData,
        contents: [
          ...ids.map((id, i) => `import * as m${i} from ${JSON.stringify(id)};`),
          `const mods = { ${ids.map((id, i) => `${JSON.stringify(id)}: m${i}.default ?? m${i}`).join(', ')} };`,
          'export const createRequire = () => (id) => {',
          '  if (id in mods) return mods[id];',
          "  throw new Error('otelite-receiver: ' + id + ' is not bundled (esbuild.config.mjs, bundleRequired)');",
          '};',
        ].join('\n'),
      }));
    },
  };
}

/**
 * Rewrites the relative imports of the emitted declarations to the file Node would load:
 * `'./config'` → `'./config.js'`, a directory `'./trace'` → `'./trace/index.js'`. tsc copies
 * the sources' extensionless specifiers (fine for `moduleResolution: bundler` and Deno), but
 * `node16`/`nodenext`, what `tsc --init` writes, rejects them in an ES module package (TS2834),
 * and with `skipLibCheck` every otelite type silently becomes `any`. The explicit form resolves
 * under all three. The specifiers are found with TypeScript's parser (imports, re-exports,
 * `import('…')` types), never by a text search; one that matches no emitted file fails the build.
 */
async function explicitSpecifiers(dir) {
  const { default: ts } = await import('typescript');
  for (const rel of readdirSync(dir, { recursive: true })) {
    if (!rel.endsWith('.d.ts')) continue;
    const file = join(dir, rel);
    const text = readFileSync(file, 'utf8');
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
    /** [start, end, new specifier] of each string literal to replace, in order */
    const edits = [];
    const visit = (n) => {
      const lit =
        ts.isImportDeclaration(n) || ts.isExportDeclaration(n)
          ? n.moduleSpecifier
          : ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument)
            ? n.argument.literal
            : ts.isExternalModuleReference(n)
              ? n.expression
              : ts.isModuleDeclaration(n)
                ? n.name
                : undefined;
      if (lit && ts.isStringLiteral(lit) && /^\.\.?(\/|$)/.test(lit.text) && !lit.text.endsWith('.js')) {
        const to = resolve(dirname(file), lit.text);
        const spec = existsSync(to + '.d.ts')
          ? lit.text + '.js'
          : existsSync(join(to, 'index.d.ts'))
            ? lit.text.replace(/\/?$/, '/index.js')
            : undefined;
        if (!spec) throw new Error(`esbuild.config: ${file} imports '${lit.text}', which has no declaration file`);
        edits.push([lit.getStart(sf), lit.end, `'${spec}'`]);
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
    if (!edits.length) continue;
    let out = '';
    let at = 0;
    for (const [start, end, spec] of edits) (out += text.slice(at, start) + spec), (at = end);
    writeFileSync(file, out + text.slice(at));
  }
}

if (import.meta.url == `file://${process.argv[1]}`) {
  await buildAll({ types: process.argv.includes('--types') });
  console.log('esbuild: dist/ built');
}

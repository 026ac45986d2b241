// The size report: builds the typical use of each entry point (scripts/size/*.ts), minified
// by esbuild and gzipped at level 9, next to the same use built with opentelemetry-js
// (*.otel.ts), and fails when a budget is exceeded. Budgets are in bytes of gzip; a fixture
// with `base` is measured on top of that base (what adding it to an app costs).
import { build } from 'esbuild';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { entries } from '../entries.mjs';

const KB = 1024;
export const fixtures = [
  { name: 'api', what: 'API only: getTracer().startActiveSpan()', budget: 1 * KB },
  { name: 'core', what: 'core SDK: provider + batch + W3C propagators + register', budget: 3 * KB },
  { name: 'fetch', what: 'fetch instrumentation, on top of core', budget: 1.2 * KB, base: 'core' },
  { name: 'xhr', what: 'XHR instrumentation, on top of core', budget: 1.2 * KB, base: 'core' },
  { name: 'exporter', what: 'core + OTLP/HTTP JSON trace exporter', budget: 6 * KB },
  { name: 'metrics', what: 'metrics SDK: provider + counter + histogram + periodic reader', budget: 2.5 * KB },
  { name: 'worker', what: 'a Worker: instrument() + fetch instrumentation + OTLP exporter', budget: 5 * KB },
  { name: 'snippet', what: 'dist/otelite.iife.js, everything incl. web-vitals', budget: 10 * KB, built: 'dist/otelite.iife.js' },
];

const alias = Object.fromEntries(
  Object.entries(entries).map(([sub, src]) => [sub == '.' ? 'otelite' : 'otelite' + sub.slice(1), resolve(src)]),
);

async function measure(file) {
  if (file.startsWith('dist/')) {
    const code = readFileSync(file);
    return { min: code.length, gzip: gzipSync(code, { level: 9 }).length };
  }
  const r = await build({
    entryPoints: [file],
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    write: false,
    alias,
    external: ['node:*'],
    logLevel: 'error',
    legalComments: 'none',
  });
  const code = r.outputFiles[0].contents;
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length };
}

const kb = (n) => (n / KB).toFixed(2).padStart(6) + ' KB';

export async function report() {
  const rows = [];
  const byName = {};
  for (const f of fixtures) {
    const ours = await measure(f.built ?? `scripts/size/${f.name}.ts`);
    byName[f.name] = ours;
    const otelFile = `scripts/size/${f.name}.otel.ts`;
    const ref = f.ref ?? (existsSync(otelFile) ? await measure(otelFile) : undefined);
    const base = f.base ? byName[f.base] : undefined;
    const gzip = base ? ours.gzip - base.gzip : ours.gzip;
    rows.push({ ...f, min: ours.min, gzip, total: ours.gzip, ref: ref?.gzip, over: gzip > f.budget });
  }
  return rows;
}

if (import.meta.url == `file://${process.argv[1]}`) {
  const rows = await report();
  console.log('size (esbuild --minify, gzip -9)');
  console.log('fixture            min        gzip      budget    opentelemetry-js  ratio');
  for (const r of rows) {
    const ratio = r.ref ? (r.ref / r.total).toFixed(1) + 'x smaller' : '';
    console.log(
      `${(r.name + (r.base ? ' (+' + r.base + ')' : '')).padEnd(16)} ${kb(r.min)} ${kb(r.gzip)} ${kb(r.budget)}${r.over ? ' OVER' : '     '} ${r.ref ? kb(r.ref) : '         -'}      ${ratio}`,
    );
  }
  writeFileSync('.size-report.json', JSON.stringify(rows, null, 2));
  const over = rows.filter((r) => r.over);
  if (over.length) {
    console.error(`size: over budget: ${over.map((r) => r.name).join(', ')}`);
    process.exit(1);
  }
}

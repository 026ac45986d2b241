/**
 * The published declarations (dist/types) as an app's TypeScript sees them: test/types/nodenext
 * imports every entry point by package name and type-checks the README's quick starts, with
 * skipLibCheck off, under moduleResolution nodenext (what `tsc --init` writes) and bundler.
 * Tests the built dist/: `npm test` builds before it runs.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './harness';

const DIR = join(REPO_ROOT, 'test/types/nodenext');
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  exports: Record<string, string | Record<string, string>>;
};
/** subpath → its conditions, for the entries with types */
const typed = Object.entries(pkg.exports).filter((e): e is [string, Record<string, string>] => typeof e[1] == 'object');

/** Runs tsc on a project; resolves with its output and exit code. */
const tsc = (project: string) =>
  new Promise<{ code: number; out: string }>((resolve) =>
    execFile(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', project], { cwd: REPO_ROOT }, (e, stdout, stderr) =>
      resolve({ code: e ? Number(e.code ?? 1) : 0, out: stdout + stderr }),
    ),
  );

describe('package.json exports', () => {
  it('puts `types` first in every entry, pointing at a built declaration file', () => {
    expect(typed.length).toBeGreaterThan(10);
    for (const [sub, conditions] of typed) {
      expect(Object.keys(conditions)[0], sub).toBe('types');
      expect(existsSync(join(REPO_ROOT, conditions.types!)), `${sub}: ${conditions.types} (npm run build first)`).toBe(true);
    }
  });

  it('test/types/nodenext/entries.ts imports exactly the entries with types', () => {
    const src = readFileSync(join(DIR, 'entries.ts'), 'utf8');
    const imported = [...src.matchAll(/from '(otelite[^']*)'/g)].map((m) => m[1]!.replace(/^otelite/, '.'));
    expect(imported.sort()).toEqual(typed.map(([sub]) => sub).sort());
  });
});

describe('dist/types', () => {
  it('has only explicit relative specifiers (./x.js), which every moduleResolution accepts', () => {
    const bad: string[] = [];
    for (const rel of readdirSync(join(REPO_ROOT, 'dist/types'), { recursive: true }) as string[]) {
      if (!rel.endsWith('.d.ts')) continue;
      const text = readFileSync(join(REPO_ROOT, 'dist/types', rel), 'utf8');
      for (const m of text.matchAll(/(?:from|import\()\s*'(\.[^']*)'/g)) if (!m[1]!.endsWith('.js')) bad.push(`${rel}: ${m[1]}`);
    }
    expect(bad).toEqual([]);
  });

  it('type-check in an app under moduleResolution nodenext and bundler, skipLibCheck off', async () => {
    const [nodenext, bundler] = await Promise.all([tsc(DIR), tsc(join(DIR, 'tsconfig.bundler.json'))]);
    expect(nodenext.out).toBe('');
    expect(nodenext.code).toBe(0);
    expect(bundler.out).toBe('');
    expect(bundler.code).toBe(0);
  });
});

describe("the README's quick starts", () => {
  it('are in README.md as test/types/nodenext/readme-*.ts type-checks them', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const files = readdirSync(DIR).filter((f) => /^readme-.*\.ts$/.test(f));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) {
      const text = readFileSync(join(DIR, f), 'utf8');
      const at = text.indexOf('// ---- README.md ----\n');
      expect(at, f).toBeGreaterThan(-1);
      // Deno resolves npm packages with `npm:`, which TypeScript does not know
      const code = text.slice(at + 23).replace("from 'otelite/deno'", "from 'npm:otelite/deno'").trim();
      expect(readme.includes(code), `${f} differs from README.md:\n${code}`).toBe(true);
    }
  });
});

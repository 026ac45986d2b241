import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs module without declarations
import { entries, outName } from '../../entries.mjs';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const list = Object.entries(entries as Record<string, string>);

describe('package.json exports', () => {
  it('lists every entry point of entries.mjs with its built file and declarations', () => {
    for (const [sub, src] of list) {
      expect(existsSync(src), src).toBe(true);
      const out = (outName as (s: string) => string)(sub);
      expect(pkg.exports[sub], sub).toEqual({
        types: './dist/types/' + src.replace(/^src\//, '').replace(/\.ts$/, '.d.ts'),
        import: `./dist/${out}.js`,
        default: `./dist/${out}.js`,
      });
    }
  });

  it('has no entry that entries.mjs does not build', () => {
    const extra = Object.keys(pkg.exports).filter((k) => !(k in entries) && k != './package.json' && k != './otelite.iife.js');
    expect(extra).toEqual([]);
  });

  it('marks only the snippet as having side effects', () => {
    expect(pkg.sideEffects).toEqual(['./src/web/snippet.ts', './dist/otelite.iife.js']);
  });
});

import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs module without declarations
import * as built from '../../entries.mjs';

const { entries, nodeEntries, outName } = built as {
  entries: Record<string, string>;
  nodeEntries: Set<string>;
  outName: (s: string) => string;
};
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const list = Object.entries(entries);

describe('package.json exports', () => {
  it('lists every entry point of entries.mjs with its built file and declarations', () => {
    for (const [sub, src] of list) {
      expect(existsSync(src), src).toBe(true);
      const out = outName(sub);
      const file = `./dist/${out}.js`;
      // The edge build (dist/edge/: `BROWSER` false, see edgePlugin in entries.mjs) for the
      // runtimes without a page: `workerd` (wrangler and Cloudflare's Vite plugin pass it) and
      // `deno` (Deno resolving the npm package), before `import`/`default` (the first condition
      // that matches wins). Not `worker`: webpack passes that for browser Web Workers too,
      // which have resource timing.
      const edge = nodeEntries.has(sub) ? {} : { workerd: `./dist/edge/${out}.js`, deno: `./dist/edge/${out}.js` };
      const want = { types: './dist/types/' + src.replace(/^src\//, '').replace(/\.ts$/, '.d.ts'), ...edge, import: file, default: file };
      expect(pkg.exports[sub], sub).toEqual(want);
      expect(Object.keys(pkg.exports[sub]), sub).toEqual(Object.keys(want));
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

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default', './scripts/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts'],
          // scripts/bench/*.bench.ts are plain scripts that scripts/bench.mjs runs, not vitest's
          benchmark: { include: ['src/**/*.bench.ts'] },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          // benchmarks live beside the unit tests and run with `--project unit` only
          benchmark: { include: [] },
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // the browser and the runtimes are heavy: one file at a time on a 2-core machine
          fileParallelism: false,
        },
      },
    ],
  },
});

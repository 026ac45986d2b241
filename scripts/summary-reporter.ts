// A vitest reporter that ends the run with one plain line, `N passed, N failed, N skipped`,
// which CI reads to tell a run that tested something from one that tested nothing.
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const n = { passed: 0, failed: 0, skipped: 0 };
    for (const m of modules) {
      for (const t of m.children.allTests()) {
        const s = t.result().state;
        if (s == 'passed') n.passed++;
        else if (s == 'failed') n.failed++;
        else n.skipped++;
      }
    }
    console.log(`\n${n.passed} passed, ${n.failed} failed, ${n.skipped} skipped`);
  }
}

// The first case of trace.bench.ts (span start + 3 attributes + end) in Chromium, where most
// spans are born: otelite against @opentelemetry/sdk-trace-base with the same processor setup,
// in the same page, alternating. Bundled and run by scripts/bench-browser.mjs. (The nested case
// needs AsyncLocalStorage, which pages do not have: it stays in trace.bench.ts.)
import { compare } from './lib';
import { spanCases } from './span-case';

// Rounds of 2000 spans: well above the 5 µs clock step of an isolated page.
const { cases } = spanCases();
(globalThis as { done?: Promise<unknown> }).done = compare('span start + 3 attributes + end (Chromium)', cases, {
  batch: 2000,
  rounds: 41,
  warmup: 10,
});

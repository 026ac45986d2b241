// A small benchmark runner for comparing otelite with opentelemetry-js in one process.
// Cases run alternately, in rounds, so that machine noise (these are shared 2-core machines)
// hits both sides alike; each round times a batch of operations. The report gives the median
// per operation and the spread (interquartile range) of the rounds, and the ratio as the median
// of per-round ratios: each round's pair of batches runs back to back, so a machine that is
// twice as slow for a while (measured here: wall and CPU time per batch both vary 2x between
// minutes on a loaded machine) slows both sides of a pair alike, and the ratio survives it where
// a ratio of two medians taken over different moments does not. A benchmark reports; it never
// fails the build.
//
// Fairness notes:
// - Order alternates every round, and each case's `reset` (e.g. a forceFlush) runs untimed
//   before and after its batch, so neither side inherits the other's queued work.
// - Garbage is not collected by force: a scavenge lands in whichever batch fills the young
//   generation, i.e. each side pays for collections in proportion to what it allocates.
// - Warm-up rounds (untimed) let both sides reach optimized code before anything is recorded.

/** One side of a comparison. */
export interface Case {
  /** Label in the report. */
  name: string;
  /** One operation. */
  fn: () => void;
  /** Runs between timed batches, untimed (e.g. draining a queue). */
  reset?: () => void | Promise<void>;
}

/** A comparison's result: median nanoseconds per operation for each case, and the quartiles. */
export interface Result {
  title: string;
  ns: Record<string, number>;
  /** 25th and 75th percentile of the rounds, per case. */
  iqr: Record<string, [number, number]>;
  /** Median of the per-round ratios of each case's time to the first case's time. */
  ratio: Record<string, number>;
}

/** Rounds and operations per round. */
export interface Options {
  /** Recorded rounds (21). */
  rounds?: number;
  /** Operations per round (1000). */
  batch?: number;
  /** Unrecorded rounds first (6). */
  warmup?: number;
}

/**
 * Nanoseconds: `process.hrtime` in Node; in a browser `performance.now()`, which Chromium
 * coarsens to 5 µs on a cross-origin isolated page (100 µs otherwise: the browser run serves its
 * page with COOP and COEP), fine enough for rounds of a few hundred µs.
 */
const clock: () => number =
  typeof process == 'object' && process.hrtime ? () => Number(process.hrtime.bigint()) : () => performance.now() * 1e6;

const quantile = (sorted: number[], q: number): number => {
  const i = (sorted.length - 1) * q;
  const lo = Math.floor(i);
  return sorted[lo] + (sorted[Math.ceil(i)] - sorted[lo]) * (i - lo);
};

/**
 * Times `cases` alternately for `rounds` rounds of `batch` operations each (after warm-up rounds)
 * and prints median ns/op per case, the interquartile range of the rounds, and each case's ratio
 * to the first (otelite's) one.
 */
export async function compare(
  title: string,
  cases: Case[],
  options: Options | number = {},
  /** operations per round, in the older positional form `compare(title, cases, rounds, batch)` */
  batchSize?: number,
): Promise<Result> {
  const o = typeof options == 'number' ? { rounds: options, batch: batchSize } : options;
  const { rounds = 21, batch = 1000, warmup = 6 } = o;
  const samples: number[][] = cases.map(() => []);
  for (let r = -warmup; r < rounds; r++) {
    // alternate the order every round so neither side always runs on a warmer machine
    const order = r % 2 ? [...cases.keys()].reverse() : [...cases.keys()];
    for (const i of order) {
      const c = cases[i];
      await c.reset?.();
      const fn = c.fn;
      const t0 = clock();
      for (let k = 0; k < batch; k++) fn();
      const ns = (clock() - t0) / batch;
      if (r >= 0) samples[i].push(ns);
      await c.reset?.();
    }
  }
  const sorted = samples.map((s) => [...s].sort((a, b) => a - b));
  const ns = Object.fromEntries(cases.map((c, i) => [c.name, quantile(sorted[i], 0.5)]));
  const iqr = Object.fromEntries(
    cases.map((c, i) => [c.name, [quantile(sorted[i], 0.25), quantile(sorted[i], 0.75)] as [number, number]]),
  );
  const ratios = samples.map((s) => s.map((v, r) => v / samples[0][r]).sort((a, b) => a - b));
  const ratio = Object.fromEntries(cases.map((c, i) => [c.name, quantile(ratios[i], 0.5)]));
  console.log(`\n${title} (${batch} ops x ${rounds} rounds)`);
  for (const [i, c] of cases.entries()) {
    const [lo, hi] = iqr[c.name];
    const r = i
      ? `  ${ratio[c.name].toFixed(1)}x otelite's time (rounds: IQR ${quantile(ratios[i], 0.25).toFixed(1)}-${quantile(ratios[i], 0.75).toFixed(1)}x)`
      : '';
    const spread = `(IQR ${lo.toFixed(0)}-${hi.toFixed(0)})`;
    console.log(`  ${c.name.padEnd(20)} ${ns[c.name].toFixed(0).padStart(7)} ns/op ${spread.padEnd(16)}${r}`);
  }
  return { title, ns, iqr, ratio };
}

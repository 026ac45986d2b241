// A small benchmark runner for comparing otelite with opentelemetry-js in one process.
// Cases run alternately, in rounds, so that machine noise (these are shared 2-core machines)
// hits both sides alike; each round times a calibrated batch, and the report gives the median
// per operation and the ratio. A benchmark reports; it never fails the build.

/** One side of a comparison. */
export interface Case {
  /** Label in the report. */
  name: string;
  /** One operation. */
  fn: () => void;
  /** Runs between timed batches, untimed (e.g. draining a queue). */
  reset?: () => void | Promise<void>;
}

/** A comparison's result: median nanoseconds per operation for each case. */
export interface Result {
  title: string;
  ns: Record<string, number>;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Times `cases` alternately for `rounds` rounds of `batch` operations each (after a warm-up) and
 * prints median ns/op per case and each case's ratio to the first (otelite's) one.
 */
export async function compare(title: string, cases: Case[], rounds = 21, batch = 1000): Promise<Result> {
  const samples: number[][] = cases.map(() => []);
  for (let r = -3; r < rounds; r++) {
    // alternate the order every round so neither side always runs on a warmer machine
    const order = r % 2 ? [...cases.keys()].reverse() : [...cases.keys()];
    for (const i of order) {
      const c = cases[i];
      await c.reset?.();
      const t0 = process.hrtime.bigint();
      for (let k = 0; k < batch; k++) c.fn();
      const ns = Number(process.hrtime.bigint() - t0) / batch;
      if (r >= 0) samples[i].push(ns);
      await c.reset?.();
    }
  }
  const ns = Object.fromEntries(cases.map((c, i) => [c.name, median(samples[i])]));
  const base = ns[cases[0].name];
  console.log(`\n${title}`);
  for (const c of cases) {
    const v = ns[c.name];
    const ratio = c === cases[0] ? '' : `  ${(v / base).toFixed(1)}x otelite's time`;
    console.log(`  ${c.name.padEnd(28)} ${v.toFixed(0).padStart(7)} ns/op${ratio}`);
  }
  return { title, ns };
}

/** Makes trace and span ids. Same shape as otel-js's `IdGenerator`. */
export interface IdGenerator {
  /** 32 lowercase hex characters, never all zero. */
  generateTraceId(): string;
  /** 16 lowercase hex characters, never all zero. */
  generateSpanId(): string;
}

const POOL = 16384;
let pos = POOL;
/** The two hex digits of each byte. */
let H: string[] | undefined;

/** The current pool of random bytes: replaced when used up, never refilled (see {@link reserve}). */
let pool: Uint8Array;

/** Where the bytes that {@link reserve} returned last start. */
export let at = 0;

/*
 * One crypto.getRandomValues call per 16 KiB of ids instead of one per id: the call itself is the
 * dominant cost of an id (on Node ~2 µs whatever the size up to a few KiB), the bytes are equally
 * random. The pool is made on first use, never at import time (workerd forbids crypto at global
 * scope).
 */

/**
 * Reserves `n` random bytes: returns the pool they are in, at offset {@link at}. A used-up pool
 * is replaced, never refilled, so that a span can keep a reference to its bytes until it writes
 * out its ids (so a span not read yet keeps its 16 KiB pool alive; ~680 root spans share one).
 */
export function reserve(n: number): Uint8Array {
  if (pos + n > POOL) {
    pool = crypto.getRandomValues(new Uint8Array(POOL));
    pos = 0;
  }
  at = pos;
  pos += n;
  return pool;
}

/**
 * A span id (`n` = 8) or trace id (`n` = 16) from the bytes of `p` at `i`; from fresh bytes in
 * the (2^-64 or less likely) case that those are all zero, which no id may be. Ids of SDK spans
 * are written out when first read (mostly by the exporter, see `RecordingSpan.spanContext`), off
 * the app's code path, so this is the small form.
 */
export function hexId(p: Uint8Array, i: number, n: 8 | 16): string {
  const h = (H ||= Array.from({ length: 256 }, (_, b) => (b + 256).toString(16).slice(1)));
  let s = '';
  let any = 0;
  for (const end = i + n; i < end; i++) {
    any |= p[i];
    s += h[p[i]];
  }
  // Flattens the 8 or 16 concatenated pieces into one string now: a regex on the pieces (every
  // isSpanContextValid, as in traceparent injection) flattens them on each call and measured
  // ~300 ns per id pair on Node 20 against ~40 ns here, once.
  s.charCodeAt(0);
  return any ? s : fresh(n);
}

/** Random ids from `crypto.getRandomValues`, as the W3C Trace Context spec recommends. */
export class RandomIdGenerator implements IdGenerator {
  /** {@inheritDoc IdGenerator.generateTraceId} */
  generateTraceId(): string {
    return fresh(16);
  }
  /** {@inheritDoc IdGenerator.generateSpanId} */
  generateSpanId(): string {
    return fresh(8);
  }
}

/** An id of `n` new bytes. */
const fresh = (n: 8 | 16): string => hexId(reserve(n), at, n);

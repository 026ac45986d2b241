/** Makes trace and span ids. Same shape as otel-js's `IdGenerator`. */
export interface IdGenerator {
  /** 32 lowercase hex characters, never all zero. */
  generateTraceId(): string;
  /** 16 lowercase hex characters, never all zero. */
  generateSpanId(): string;
}

const POOL = 65536;
let pos = POOL;
/** The two hex digits of each byte. */
let H: string[] | undefined;

/** The current pool of random bytes: replaced when used up, never refilled (see {@link reserve}). */
let pool: Uint8Array;

/** Where the bytes that {@link reserve} returned last start. */
export let at = 0;

/*
 * One crypto.getRandomValues call per 64 KiB of ids (the most one call may fill) instead of one
 * per id: the call itself is the dominant cost of an id (on Node ~2 µs whatever the size up to a
 * few KiB, then ~0.15 ns a byte), the bytes are equally random. 64 KiB rather than 16 measured
 * ~5% faster span start + 3 attributes + end on Node 20 (a 16 KiB fill and its zeroing cost ~8 ns
 * a root span). The pool is made on first use, never at import time (workerd forbids crypto at
 * global scope).
 */

/**
 * Reserves `n` random bytes: returns the pool they are in, at offset {@link at}. A used-up pool
 * is replaced, never refilled, so that a span can keep a reference to its bytes until it writes
 * out its ids (so a span not read yet keeps its 64 KiB pool alive; ~2700 root spans share one).
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
  // A loop, not a call per zero id: a pool of zeros would nest thousands deep. Bounded: a crypto
  // that only ever returns zeros (broken, or a bad stub) must not hang the page, and gets an
  // id of zeros but for its last bit (valid, if not random: nothing random is to be had).
  for (let k = 0; ; k++) {
    let s = '';
    let any = 0;
    for (const end = i + n; i < end; i++) {
      any |= p[i];
      s += h[p[i]];
    }
    // Flattens the 8 or 16 concatenated pieces into one string now: a regex on the pieces (an
    // isSpanContextValid of any but the context written last, see span-context.ts) flattens them
    // on each call, measured ~300 ns per id pair on Node 20 against ~40 ns here, once.
    s.charCodeAt(0);
    if (any) return s;
    if (k > 19) return s.slice(1) + '1';
    // the next bytes; after ten zero ids in a row, a fresh pool (a run of zeros that long is
    // a broken pool, not chance)
    if (k == 9) pos = POOL;
    p = reserve(n);
    i = at;
  }
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

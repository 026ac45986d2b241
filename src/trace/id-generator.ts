/** Makes trace and span ids. Same shape as otel-js's `IdGenerator`. */
export interface IdGenerator {
  /** 32 lowercase hex characters, never all zero. */
  generateTraceId(): string;
  /** 16 lowercase hex characters, never all zero. */
  generateSpanId(): string;
}

const POOL = 1024;
let pool: Uint8Array | undefined;
let pos = POOL;
let HEX: string[] | undefined;

/*
 * One crypto.getRandomValues call per 1 KiB of ids instead of one per id: the call itself is
 * the dominant cost of an id (it crosses into the runtime), the bytes are equally random. The
 * pool is made on first use, never at import time (workerd forbids crypto at global scope).
 */
function hex(bytes: number): string {
  for (;;) {
    if (pos + bytes > POOL) {
      crypto.getRandomValues((pool ||= new Uint8Array(POOL)));
      pos = 0;
    }
    const h = (HEX ||= Array.from({ length: 256 }, (_, i) => (i + 256).toString(16).slice(1)));
    let s = '';
    let any = 0;
    for (let i = 0; i < bytes; i++) {
      const b = pool![pos++];
      any |= b;
      s += h[b];
    }
    if (any) return s;
  }
}

/** Random ids from `crypto.getRandomValues`, as the W3C Trace Context spec recommends. */
export class RandomIdGenerator implements IdGenerator {
  /** {@inheritDoc IdGenerator.generateTraceId} */
  generateTraceId(): string {
    return hex(16);
  }
  /** {@inheritDoc IdGenerator.generateSpanId} */
  generateSpanId(): string {
    return hex(8);
  }
}

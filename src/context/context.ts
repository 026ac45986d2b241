import type { Context } from './types';

/**
 * Creates a key for context values. Like `@opentelemetry/api` it uses `Symbol.for`, so a key
 * made here with the same description is the very key OpenTelemetry code uses: the active span
 * set by either side is visible to the other.
 */
export const createContextKey = (description: string): symbol => Symbol.for(description);

/*
 * A context is a node in a persistent linked list: setting a value is O(1) and allocates one
 * object (otel-js copies a whole Map per set), reads walk the short chain. A set on a chain 32
 * nodes long first rebuilds it with the live value of each key only, so a context derived from
 * itself again and again (a timer loop that starts each span from the previous tick's context)
 * stays short and does not keep every old value (span) alive.
 */
class Node implements Context {
  constructor(
    /** parent */
    private readonly p?: Node,
    private readonly k?: symbol,
    private readonly v?: unknown,
    /** nodes above the root */
    private readonly d = 0,
  ) {}

  getValue(key: symbol): unknown {
    // The root holds no value and is never compared: its key (undefined) against a symbol would
    // make the comparison generic (a builtin call on every read, ~5% of a span's start).
    for (let n: Node = this; n.p; n = n.p) if (n.k === key) return n.v;
  }

  setValue(key: symbol, value?: unknown): Context {
    let n: Node = this;
    if (n.d > 31) {
      // compaction: the newest value of each key, on a fresh chain from the root
      const live = new Map<symbol | undefined, unknown>();
      for (; n.p; n = n.p) if (!live.has(n.k)) live.set(n.k, n.v);
      // a deleted key is one whose newest value is undefined: absent, as far as anyone can tell
      for (const [k, v] of live) if (v !== undefined) n = new Node(n, k, v, n.d + 1);
    }
    return new Node(n, key, value, n.d + 1);
  }

  deleteValue(key: symbol): Context {
    return this.getValue(key) === undefined ? this : this.setValue(key);
  }
}

/** The empty context, active when nothing else is. */
export const ROOT_CONTEXT: Context = new Node();

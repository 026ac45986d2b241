import type { Context } from './types';

/**
 * Creates a key for context values. Like `@opentelemetry/api` it uses `Symbol.for`, so a key
 * made here with the same description is the very key OpenTelemetry code uses: the active span
 * set by either side is visible to the other.
 */
export const createContextKey = (description: string): symbol => Symbol.for(description);

const DELETED = {};

/** Chain length at which a set compacts the chain. */
const MAX = 32;

/*
 * A context is a node in a persistent linked list: setting a value is O(1) and allocates one
 * object (otel-js copies a whole Map per set), reads walk the short chain. A set on a chain
 * MAX nodes long first rebuilds it with the live value of each key only, so a context derived
 * from itself again and again (a timer loop that starts each span from the previous tick's
 * context) stays short and does not keep every old value (span) alive.
 */
class Node implements Context {
  constructor(
    private readonly p: Node | undefined,
    private readonly k?: symbol,
    private readonly v?: unknown,
    /** nodes above the root */
    private readonly d = 0,
  ) {}

  getValue(key: symbol): unknown {
    for (let n: Node | undefined = this; n; n = n.p) {
      if (n.k === key) return n.v === DELETED ? undefined : n.v;
    }
    return undefined;
  }

  setValue(key: symbol, value: unknown): Context {
    return (this.d < MAX ? this : this.c()).a(key, value);
  }

  deleteValue(key: symbol): Context {
    return this.getValue(key) === undefined ? this : this.setValue(key, DELETED);
  }

  private a(key: symbol, value: unknown): Node {
    return new Node(this, key, value, this.d + 1);
  }

  /** The same context as a chain with one node per live key. */
  private c(): Node {
    const live: Node[] = [];
    const seen = new Set<symbol | undefined>();
    let n: Node = this;
    for (; n.p; n = n.p) {
      if (!seen.has(n.k)) {
        seen.add(n.k);
        if (n.v !== DELETED) live.push(n);
      }
    }
    // n is the root now
    for (let i = live.length; i--; ) n = n.a(live[i].k!, live[i].v);
    return n;
  }
}

/** The empty context, active when nothing else is. */
export const ROOT_CONTEXT: Context = new Node(undefined);

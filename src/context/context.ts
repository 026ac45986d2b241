import type { Context } from './types';

/**
 * Creates a key for context values. Like `@opentelemetry/api` it uses `Symbol.for`, so a key
 * made here with the same description is the very key OpenTelemetry code uses: the active span
 * set by either side is visible to the other.
 */
export const createContextKey = (description: string): symbol => Symbol.for(description);

/*
 * A context is a node in a persistent linked list: reads walk a short chain and a set allocates
 * one node plus copies of the nodes above the key's old node (otel-js copies a whole Map per
 * set). Each key is in the chain at most once: a set or delete drops the key's old node instead
 * of shadowing it, so a context derived from itself again and again (a timer loop that starts
 * a span from the previous tick's context) stays as long as its number of keys and never keeps
 * old values (spans) alive.
 */
class Node implements Context {
  constructor(
    private readonly p: Node | undefined,
    private readonly k?: symbol,
    private readonly v?: unknown,
  ) {}

  getValue(key: symbol): unknown {
    for (let n: Node | undefined = this; n; n = n.p) {
      if (n.k === key) return n.v;
    }
    return undefined;
  }

  setValue(key: symbol, value: unknown): Context {
    return new Node(this.w(key), key, value);
  }

  deleteValue(key: symbol): Context {
    return this.w(key);
  }

  /** This chain without `key` (itself when the key is absent). */
  private w(key: symbol): Node {
    let f: Node | undefined = this;
    while (f && f.k !== key) f = f.p;
    // only the root has no parent, and the root holds no key
    return f ? this.c(f, f.p!) : this;
  }

  /** Copies the nodes from this one down to `stop` (excluded) onto `base`. */
  private c(stop: Node, base: Node): Node {
    return this === stop ? base : new Node(this.p!.c(stop, base), this.k, this.v);
  }
}

/** The empty context, active when nothing else is. */
export const ROOT_CONTEXT: Context = new Node(undefined);

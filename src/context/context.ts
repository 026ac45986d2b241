import type { Context } from './types';

/**
 * Creates a key for context values. Like `@opentelemetry/api` it uses `Symbol.for`, so a key
 * made here with the same description is the very key OpenTelemetry code uses: the active span
 * set by either side is visible to the other.
 */
export const createContextKey = (description: string): symbol => Symbol.for(description);

const DELETED = {};

/*
 * A context is a node in a persistent linked list: setting a value is O(1) and allocates one
 * object (otel-js copies a whole Map per set), reads walk the short chain. Chains stay short in
 * practice (span, baggage, suppression: a handful of nodes).
 */
class Node implements Context {
  constructor(
    private readonly p: Node | undefined,
    private readonly k?: symbol,
    private readonly v?: unknown,
  ) {}

  getValue(key: symbol): unknown {
    for (let n: Node | undefined = this; n; n = n.p) {
      if (n.k === key) return n.v === DELETED ? undefined : n.v;
    }
    return undefined;
  }

  setValue(key: symbol, value: unknown): Context {
    return new Node(this, key, value);
  }

  deleteValue(key: symbol): Context {
    return this.getValue(key) === undefined ? this : new Node(this, key, DELETED);
  }
}

/** The empty context, active when nothing else is. */
export const ROOT_CONTEXT: Context = new Node(undefined);

import { report } from '../lib/diag';
import type { TextMapPropagator } from '../trace/propagation/types';

/** The propagators that are loaded on demand. */
export type LazyPropagator = 'b3' | 'b3multi' | 'jaeger';

/** Loads one of the {@link LazyPropagator}s. */
export type PropagatorLoader = (name: LazyPropagator) => Promise<TextMapPropagator>;

/**
 * A stand-in for B3 or Jaeger (undefined for other names) that `load` fills: until the real one
 * arrives (a task later, or a request later) it injects and extracts nothing.
 */
export function lazyPropagator(load: PropagatorLoader, name: string): TextMapPropagator | undefined {
  if (!/^(b3|b3multi|jaeger)$/.test(name)) return;
  let p: TextMapPropagator | undefined;
  load(name as LazyPropagator).then(
    (x) => (p = x),
    (e) => report(0, 'propagator ' + name + ' not loaded', e),
  );
  return {
    inject: (c, carrier, s) => p?.inject(c, carrier, s),
    extract: (c, carrier, g) => (p ? p.extract(c, carrier, g) : c),
    fields: () => (p ? p.fields() : []),
  };
}

import { report, warnConfig } from '../lib/diag';
import { W3CBaggagePropagator } from '../trace/propagation/baggage';
import { CompositePropagator } from '../trace/propagation/composite';
import { W3CTraceContextPropagator } from '../trace/propagation/trace-context';
import type { TextMapPropagator } from '../trace/propagation/types';

/** The propagators that are loaded on demand. */
export type LazyPropagator = 'b3' | 'b3multi' | 'jaeger';

/** Loads one of the {@link LazyPropagator}s. */
export type PropagatorLoader = (name: LazyPropagator) => Promise<TextMapPropagator>;

/**
 * The propagator that `OTEL_PROPAGATORS` names (`tracecontext,baggage` by default), or `null`
 * for `none`. B3 and Jaeger come through `load`: until they arrive (a task later, or a request
 * later) they inject and extract nothing.
 */
export function propagatorFromNames(names: string[], load?: PropagatorLoader): TextMapPropagator | null {
  const parts: TextMapPropagator[] = [];
  for (const n of names) {
    if (n == 'tracecontext') parts.push(new W3CTraceContextPropagator());
    else if (n == 'baggage') parts.push(new W3CBaggagePropagator());
    else if (load && (n == 'b3' || n == 'b3multi' || n == 'jaeger')) parts.push(lazy(load, n));
    else if (n == 'none') return null;
    else warnConfig('propagators', n, 'skipped');
  }
  return new CompositePropagator({ propagators: parts });
}

function lazy(load: PropagatorLoader, name: LazyPropagator): TextMapPropagator {
  let p: TextMapPropagator | undefined;
  load(name).then(
    (x) => (p = x),
    (e) => report(0, 'propagator ' + name + ' not loaded', e),
  );
  return {
    inject: (c, carrier, s) => p?.inject(c, carrier, s),
    extract: (c, carrier, g) => (p ? p.extract(c, carrier, g) : c),
    fields: () => (p ? p.fields() : []),
  };
}

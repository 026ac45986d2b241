import { report, warnConfig } from '../lib/diag';
import type { Context } from '../context/types';
import { W3CBaggagePropagator } from '../trace/propagation/baggage';
import { CompositePropagator } from '../trace/propagation/composite';
import { W3CTraceContextPropagator } from '../trace/propagation/trace-context';
import type { TextMapGetter, TextMapPropagator, TextMapSetter } from '../trace/propagation/types';
import { list } from './config';

/**
 * The propagator that `OTEL_PROPAGATORS` names (`tracecontext,baggage` by default). B3 and
 * Jaeger are loaded on demand, so pages that do not name them do not pay for them: until the
 * chunk arrives (one task later) they inject nothing.
 */
export function propagatorFromNames(names: unknown): TextMapPropagator | null {
  const parts: TextMapPropagator[] = [];
  for (const n of list(names ?? 'tracecontext,baggage')) {
    if (n == 'tracecontext') parts.push(new W3CTraceContextPropagator());
    else if (n == 'baggage') parts.push(new W3CBaggagePropagator());
    else if (n == 'b3' || n == 'b3multi' || n == 'jaeger') parts.push(lazy(n));
    else if (n == 'none') return null;
    else warnConfig('propagators', n, 'skipped');
  }
  return new CompositePropagator({ propagators: parts });
}

function lazy(name: 'b3' | 'b3multi' | 'jaeger'): TextMapPropagator {
  let p: TextMapPropagator | undefined;
  (name == 'jaeger'
    ? import('../trace/propagation/jaeger').then((m) => new m.JaegerPropagator())
    : import('../trace/propagation/b3').then((m) => new m.B3Propagator({ injectEncoding: name == 'b3' ? 0 : 1 }))
  ).then(
    (x) => (p = x),
    (e) => report(0, 'propagator ' + name, e),
  );
  return {
    inject: (c: Context, carrier: unknown, s: TextMapSetter) => p?.inject(c, carrier, s),
    extract: (c: Context, carrier: unknown, g: TextMapGetter) => (p ? p.extract(c, carrier, g) : c),
    fields: () => p?.fields() ?? [],
  };
}

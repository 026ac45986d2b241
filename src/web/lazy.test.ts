import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT } from '../context/context';
import { setSpanContext } from '../trace/api';
import { importPropagator, webVitals } from './lazy';

const ctx = setSpanContext(ROOT_CONTEXT, { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 });
const inject = async (name: 'b3' | 'b3multi' | 'jaeger') => {
  const carrier: Record<string, string> = {};
  (await importPropagator(name)).inject(ctx, carrier, { set: (c, k, v) => ((c as Record<string, string>)[k] = v) });
  return carrier;
};

describe('importPropagator', () => {
  it('loads B3 single, B3 multi and Jaeger', async () => {
    expect(await inject('b3')).toEqual({ b3: '4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1' });
    expect(Object.keys(await inject('b3multi')).sort()).toEqual(['x-b3-sampled', 'x-b3-spanid', 'x-b3-traceid']);
    expect(Object.keys(await inject('jaeger'))).toEqual(['uber-trace-id']);
  });
});

describe('webVitals', () => {
  it('is the standard instrumentation without attribution', () => {
    expect(webVitals().name).toBe('web-vitals');
  });

  it('loads the attribution build on demand and enables it once loaded', async () => {
    const i = webVitals({ attribution: true });
    expect(i.name).toBe('web-vitals');
    // outside a page web-vitals does nothing; this checks the wiring does not throw
    i.enable();
    await new Promise((r) => setTimeout(r, 50));
    i.disable();
    i.enable();
  });
});

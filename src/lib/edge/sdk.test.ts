import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { context } from '../../context/api';
import { AsyncContextManager } from '../../context/async';
import { ROOT_CONTEXT } from '../../context/context';
import { setSpanContext, trace } from '../../trace/api';
import { propagation } from '../../trace/propagation/api';
import type { ReadableSpan, SpanExporter } from '../../trace/sdk-types';
import { objectEnv } from './config';
import { createEdgeSdk } from './sdk';

const spans: ReadableSpan[] = [];
let exports = 0;
const exporter: SpanExporter = {
  export: (s, done) => (exports++, spans.push(...s), setTimeout(() => done({ code: 0 }), 5)),
  shutdown: async () => {},
};
const make = (config = {}, env: Record<string, string> = {}) =>
  createEdgeSdk({ exporter, instrumentations: { fetch: false }, ...config }, objectEnv(env), 'edge-test', 'Add the flag.');

afterEach(() => {
  spans.length = 0;
  exports = 0;
  vi.restoreAllMocks();
});
afterAll(() => {
  trace.disable();
  context.disable();
  propagation.disable();
});

describe('createEdgeSdk', () => {
  it('is undefined when disabled, by config or OTEL_SDK_DISABLED', async () => {
    expect(await make({ disabled: true })).toBeUndefined();
    expect(await make({}, { OTEL_SDK_DISABLED: 'true' })).toBeUndefined();
    expect(await make({ disabled: false }, { OTEL_SDK_DISABLED: 'true' })).toBeDefined();
  });

  it('builds the resource from serviceName and resourceAttributes (service name wins)', async () => {
    const sdk = (await make({}, { OTEL_RESOURCE_ATTRIBUTES: 'service.name=attr,team=a', OTEL_SERVICE_NAME: 'svc' }))!;
    sdk.t.startSpan('x').end();
    await sdk.f();
    expect(spans[0]!.resource.attributes).toMatchObject({ 'service.name': 'svc', team: 'a', 'telemetry.sdk.name': 'otelite' });
    const sdk2 = (await make({}, { OTEL_RESOURCE_ATTRIBUTES: 'service.name=attr' }))!;
    sdk2.t.startSpan('y').end();
    await sdk2.f();
    expect(spans[1]!.resource.attributes['service.name']).toBe('attr');
  });

  it('picks samplers by name, with the ratio argument', async () => {
    const sampled = async (sampler: string, arg?: string, parentFlags?: number) => {
      const sdk = (await make({}, { OTEL_TRACES_SAMPLER: sampler, ...(arg && { OTEL_TRACES_SAMPLER_ARG: arg }) }))!;
      const ctx =
        parentFlags === undefined
          ? ROOT_CONTEXT
          : setSpanContext(ROOT_CONTEXT, { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: parentFlags, isRemote: true });
      return sdk.t.startSpan('x', {}, ctx).isRecording();
    };
    expect(await sampled('always_off')).toBe(false);
    expect(await sampled('always_off', undefined, 1)).toBe(false);
    expect(await sampled('parentbased_always_off', undefined, 1)).toBe(true);
    expect(await sampled('parentbased_always_on', undefined, 0)).toBe(false);
    expect(await sampled('ALWAYS_ON', undefined, 0)).toBe(true);
    expect(await sampled('traceidratio', '0')).toBe(false);
    expect(await sampled('parentbased_traceidratio', '0', 1)).toBe(true);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(await sampled('nonsense')).toBe(true);
    expect(await sampled('traceidratio', '7')).toBe(true);
    expect(warn.mock.calls.map((c) => c[0])).toEqual([
      expect.stringMatching(/invalid sampler "nonsense"; using "parentbased_always_on"/),
      expect.stringMatching(/invalid samplerArg "7"; using 1/),
    ]);
  });

  it('shares one flush among concurrent calls, which exports what they queued before it ends', async () => {
    const sdk = (await make())!;
    sdk.t.startSpan('a').end();
    const f1 = sdk.f();
    sdk.t.startSpan('b').end();
    const f2 = sdk.f();
    const f3 = sdk.f();
    expect(f3).toBe(f2);
    expect(f2).toBe(f1);
    await Promise.all([f1, f2, f3]);
    expect(spans.map((s) => s.name)).toEqual(['a', 'b']);
    expect(exports).toBe(1);
    // queued while an export is in flight: exported by the same flush, after it
    const f4 = sdk.f();
    sdk.t.startSpan('c').end();
    await new Promise((r) => setTimeout(r, 1));
    sdk.t.startSpan('d').end();
    expect(sdk.f()).toBe(f4);
    await f4;
    expect(spans.map((s) => s.name)).toEqual(['a', 'b', 'c', 'd']);
    // after it ended, a new one
    sdk.t.startSpan('e').end();
    const f5 = sdk.f();
    expect(f5).not.toBe(f4);
    await f5;
    expect(spans.map((s) => s.name)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('exports in batches of at most 512, one at a time, and keeps at most 2048 spans waiting', async () => {
    const sdk = (await make())!;
    let inFlight = 0;
    let most = 0;
    const sizes: number[] = [];
    vi.spyOn(exporter, 'export').mockImplementation((s, done) => {
      sizes.push(s.length);
      most = Math.max(most, ++inFlight);
      setTimeout(() => (inFlight--, done({ code: 0 })), 1);
    });
    for (let i = 0; i < 2050; i++) sdk.t.startSpan('s' + i).end();
    await sdk.f();
    expect(sizes).toEqual([512, 512, 512, 512]);
    expect(most).toBe(1);
  });

  it('says once, with console.error, which flag is missing when there is no AsyncLocalStorage', async () => {
    vi.spyOn(AsyncContextManager, 'load').mockResolvedValue(false);
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await make()).toMatchObject({ a: false });
    expect(await make()).toMatchObject({ a: false });
    expect(error).toHaveBeenCalledTimes(1);
    expect(error.mock.calls[0]![0]).toMatch(/^edge-test: AsyncLocalStorage is missing.*Add the flag\./);
  });
});

describe('a flush that never settles', () => {
  it('stops holding later flushes back after 30 s', async () => {
    const sdk = (await make())!;
    // the first export never reports back (its invocation was cancelled)
    const stuck = vi.spyOn(exporter, 'export').mockImplementationOnce(() => {});
    sdk.t.startSpan('lost').end();
    const first = sdk.f();
    await new Promise((r) => setTimeout(r, 10));
    sdk.t.startSpan('queued').end();
    expect(sdk.f()).toBe(first); // shares the flush in flight
    await new Promise((r) => setTimeout(r, 10));
    expect(spans).toEqual([]);
    stuck.mockRestore();
    vi.spyOn(Date, 'now').mockReturnValue(Date.now() + 30_001);
    // a new flush starts at once
    void sdk.f();
    await new Promise((r) => setTimeout(r, 10));
    expect(spans.map((s) => s.name)).toEqual(['queued']);
  });
});

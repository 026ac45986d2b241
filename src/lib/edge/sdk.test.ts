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
  createEdgeSdk(() => ({ exporter, instrumentations: { fetch: false }, ...config }), objectEnv(env), 'edge-test', 'Add the flag.');

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
    // a blank OTEL_TRACES_SAMPLER_ARG is unset: ratio 1, no warning (Number(' ') is 0)
    expect(await sampled('traceidratio', ' ')).toBe(true);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(await sampled('nonsense')).toBe(true);
    expect(await sampled('traceidratio', '7')).toBe(true);
    expect(warn.mock.calls.map((c) => c[0])).toEqual([
      expect.stringMatching(/invalid sampler "nonsense"; using "parentbased_always_on"/),
      expect.stringMatching(/invalid samplerArg "7"; using 1/),
    ]);
  });

  it('shares one export among concurrent flushes, and runs one follow-up for what came meanwhile', async () => {
    const sdk = (await make())!;
    sdk.t.startSpan('a').end();
    const f1 = sdk.f();
    sdk.t.startSpan('b').end();
    const f2 = sdk.f();
    const f3 = sdk.f();
    // one follow-up, shared
    expect(f2).not.toBe(f1);
    expect(f3).toBe(f2);
    await f1;
    expect(spans.map((s) => s.name)).toEqual(['a']);
    await Promise.all([f2, f3]);
    expect(spans.map((s) => s.name)).toEqual(['a', 'b']);
    expect(exports).toBe(2);
    // after both ended, a new one
    sdk.t.startSpan('c').end();
    const f4 = sdk.f();
    expect(f4).not.toBe(f2);
    await f4;
    expect(spans.map((s) => s.name)).toEqual(['a', 'b', 'c']);
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

describe('flushes under steady traffic (fake clock)', () => {
  afterEach(() => vi.useRealTimers());

  /** An exporter whose exports take `ms`, counting those in flight at once. */
  const slow = (ms: number) => {
    const o = { inFlight: 0, most: 0, sizes: [] as number[] };
    vi.spyOn(exporter, 'export').mockImplementation((s, done) => {
      o.sizes.push(s.length);
      o.most = Math.max(o.most, ++o.inFlight);
      setTimeout(() => {
        o.inFlight--;
        spans.push(...s);
        done({ code: 0 });
      }, ms);
    });
    return o;
  };

  it("settles each request's promise once its own spans are out; no promise lives on; one export at a time", async () => {
    const sdk = (await make())!;
    vi.useFakeTimers({ now: 1_000_000 });
    const x = slow(20);
    const calls: { name: string; p: Promise<void>; ok?: boolean }[] = [];
    // a request ends every 5 ms for 3 s, each handing its flush to waitUntil
    for (let i = 0; i < 600; i++) {
      const name = 'r' + i;
      sdk.t.startSpan(name).end();
      const c: (typeof calls)[number] = { name, p: sdk.f() };
      void c.p.then(() => (c.ok = spans.some((s) => s.name == name)));
      calls.push(c);
      await vi.advanceTimersByTimeAsync(5);
      // the first request's flush does not wait for the traffic after it
      if (i == 20) expect(calls[0]!.ok).toBe(true);
    }
    await vi.advanceTimersByTimeAsync(100);
    expect(calls.filter((c) => !c.ok).map((c) => c.name)).toEqual([]);
    // one export (and one follow-up) at a time: few promises, none shared by everyone
    const distinct = new Set(calls.map((c) => c.p)).size;
    expect(distinct).toBeGreaterThan(50);
    expect(distinct).toBeLessThan(300);
    expect(x.most).toBe(1);
    expect(spans).toHaveLength(600);
  });

  it('does not take a slow but healthy flush for a dead one: staleness counts from its last export', async () => {
    const sdk = (await make())!;
    vi.useFakeTimers({ now: 1_000_000 });
    // 4 batches of 10 s each: 40 s in all, every export well within 30 s
    const x = slow(10_000);
    for (let i = 0; i < 2048; i++) sdk.t.startSpan('s' + i).end();
    let done1 = false;
    void sdk.f().then(() => (done1 = true));
    await vi.advanceTimersByTimeAsync(35_000);
    sdk.t.startSpan('late').end();
    let done2 = false;
    void sdk.f().then(() => (done2 = true));
    await vi.advanceTimersByTimeAsync(1);
    expect(x.most).toBe(1);
    await vi.advanceTimersByTimeAsync(5_000);
    expect([done1, done2]).toEqual([true, false]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect([done1, done2]).toEqual([true, true]);
    expect(x.sizes).toEqual([512, 512, 512, 512, 1]);
    expect(x.most).toBe(1);
  });
});

describe('a flush that never settles', () => {
  afterEach(() => vi.useRealTimers());

  it('stops holding later flushes back 30 s after its last progress, and exports nothing more if it wakes', async () => {
    const sdk = (await make())!;
    vi.useFakeTimers({ now: 1_000_000 });
    const sizes: number[] = [];
    let wake: (() => void) | undefined;
    let inFlight = 0;
    let most = 0;
    vi.spyOn(exporter, 'export').mockImplementation((s, done) => {
      sizes.push(s.length);
      most = Math.max(most, ++inFlight);
      // the first export never reports back (its invocation was cancelled): dead, not counted
      if (sizes.length == 1) {
        inFlight--;
        wake = () => (spans.push(...s), done({ code: 0 }));
      } else setTimeout(() => (inFlight--, spans.push(...s), done({ code: 0 })), 5);
    });
    for (let i = 0; i < 600; i++) sdk.t.startSpan('lost' + i).end();
    const first = sdk.f();
    await vi.advanceTimersByTimeAsync(10_000);
    sdk.t.startSpan('queued').end();
    const second = sdk.f();
    expect(second).not.toBe(first); // the follow-up, chained behind the first
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sizes).toEqual([512]);
    // not yet 30 s: still held back
    expect(sdk.f()).toBe(second);
    await vi.advanceTimersByTimeAsync(10_001);
    // a new flush starts at once, and takes what the dead one had not
    let settled = false;
    void sdk.f().then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(10);
    expect(settled).toBe(true);
    expect(sizes).toEqual([512, 89]);
    expect(spans.at(-1)!.name).toBe('queued');
    // the dead flush wakes after all: it takes nothing more (88 of its 600 were left), and the
    // follow-up chained behind it exports what is queued, in one export
    for (let i = 0; i < 100; i++) sdk.t.startSpan('after' + i).end();
    wake!();
    await vi.advanceTimersByTimeAsync(10);
    expect(sizes).toEqual([512, 89, 100]);
    expect(most).toBe(1);
    await sdk.f();
  });
});

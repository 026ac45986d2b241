import { describe, expect, it } from 'vitest';
import { validateOtlp } from '../../../test/e2e/harness/otlp-schema';
import { createTraceState } from '../../trace/propagation/trace-state';
import { resourceFromAttributes } from '../../trace/resource';
import type { ReadableSpan, SpanProcessor } from '../../trace/sdk-types';
import { RecordingSpan } from '../../trace/span';
import type { ResolvedLimits, TracerState } from '../../trace/span';
import { TracerProvider } from '../../trace/provider';
import { encodeSpan, encodeTraces } from './traces';

const LIMITS: ResolvedLimits = { a: 128, l: Infinity, e: 128, k: 128, ea: 128, la: 128 };
// epoch ms with a fraction; past any clock's time origin, so toMillis takes it as epoch time
const T0 = 4102444800000.5;

function state(limits: Partial<ResolvedLimits> = {}): TracerState {
  return {
    r: resourceFromAttributes({ 'service.name': 'shop', 'telemetry.sdk.name': 'otelite' }, 'https://opentelemetry.io/schemas/1.30.0'),
    s: { name: 'checkout', version: '1.2.3', schemaUrl: 'https://example.com/s' },
    x: { ...LIMITS, ...limits },
    p: [],
  };
}

/** A span with every field set, including dropped counts (limits of 1 attribute/event/link). */
function fullSpan(): RecordingSpan {
  const span = new RecordingSpan(
    state({ a: 2, e: 1, k: 1, ea: 1, la: 1 }),
    {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
      traceState: createTraceState('vendor=x'),
    },
    'GET /cart',
    2,
    { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: '00f067aa0ba902b7', traceFlags: 1, isRemote: true },
    T0,
    [
      {
        context: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '53995c3f42cd8ad8', traceFlags: 0, isRemote: true },
        attributes: { why: 'retry', extra: 1 },
      },
      { context: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '53995c3f42cd8ad9', traceFlags: 1 } },
    ],
  );
  span.setAttribute('http.response.status_code', 200);
  span.setAttribute('ratio', 0.25);
  span.setAttribute('tags', ['a', 'b']); // over the limit of 2: dropped
  span.addEvent('exception', { 'exception.message': 'boom', 'exception.type': 'Error' }, T0 + 1.25);
  span.addEvent('late', T0 + 2); // over the limit of 1: dropped
  span.setStatus({ code: 2, message: 'boom' });
  span.end(T0 + 12.000001);
  return span;
}

describe('encodeSpan', () => {
  it('writes every field exactly as the OTLP JSON mapping says', () => {
    expect(JSON.parse(encodeSpan(fullSpan()))).toEqual({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceState: 'vendor=x',
      parentSpanId: '00f067aa0ba902b7',
      flags: 0x301, // sampled | HAS_IS_REMOTE | IS_REMOTE (the parent is remote)
      name: 'GET /cart',
      kind: 3, // CLIENT
      startTimeUnixNano: '4102444800000500000',
      endTimeUnixNano: '4102444800012500000', // microsecond precision
      attributes: [
        { key: 'http.response.status_code', value: { intValue: '200' } },
        { key: 'ratio', value: { doubleValue: 0.25 } },
      ],
      droppedAttributesCount: 1,
      events: [
        {
          timeUnixNano: '4102444800001750000',
          name: 'exception',
          attributes: [{ key: 'exception.message', value: { stringValue: 'boom' } }],
          droppedAttributesCount: 1,
        },
      ],
      droppedEventsCount: 1,
      links: [
        {
          traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
          spanId: '53995c3f42cd8ad8',
          attributes: [{ key: 'why', value: { stringValue: 'retry' } }],
          droppedAttributesCount: 1,
          flags: 0x300, // not sampled, remote
        },
      ],
      droppedLinksCount: 1,
      status: { message: 'boom', code: 2 },
    });
  });

  it('omits every default: a bare root span', () => {
    const span = new RecordingSpan(state(), { traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 1 }, 'x', 0, undefined, T0);
    span.end(T0);
    expect(encodeSpan(span)).toBe(
      '{"traceId":"11111111111111111111111111111111","spanId":"2222222222222222","flags":257,"name":"x","kind":1,' +
        '"startTimeUnixNano":"4102444800000500000","endTimeUnixNano":"4102444800000500000"}',
    );
  });

  it('local parent: HAS_IS_REMOTE set, IS_REMOTE not; OK status; string arrays', () => {
    const span = new RecordingSpan(
      state(),
      { traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 1 },
      'y',
      1,
      { traceId: '1'.repeat(32), spanId: '3'.repeat(16), traceFlags: 1, isRemote: false },
      T0,
    );
    span.setAttributes({ arr: ['a', 'b'], b: true });
    span.setStatus({ code: 1 });
    span.end(T0 + 1);
    const j = JSON.parse(encodeSpan(span));
    expect(j.flags).toBe(0x101);
    expect(j.kind).toBe(2);
    expect(j.status).toEqual({ code: 1 });
    expect(j.attributes).toEqual([
      { key: 'arr', value: { arrayValue: { values: [{ stringValue: 'a' }, { stringValue: 'b' }] } } },
      { key: 'b', value: { boolValue: true } },
    ]);
  });
});

describe('encodeTraces', () => {
  it('a batch from the real SDK validates against the official OTLP schema', async () => {
    const got: ReadableSpan[] = [];
    const collect: SpanProcessor = {
      onStart() {},
      onEnd: (s) => void got.push(s),
      forceFlush: async () => {},
      shutdown: async () => {},
    };
    const provider = new TracerProvider({ spanProcessors: [collect] });
    const a = provider.getTracer('a', '1.0');
    const b = provider.getTracer('b', undefined, { schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' });
    for (let i = 0; i < 20; i++) {
      const t = i % 2 ? a : b;
      const s = t.startSpan('op ' + i, { kind: (i % 5) as 0, attributes: { i, d: i / 3, s: 'x'.repeat(i), ok: !!(i % 3), arr: [1, 2, i] } });
      s.addEvent('ev', { n: i });
      s.addLink({ context: got[0]?.spanContext() ?? s.spanContext(), attributes: { l: 1 } });
      if (i % 4 == 0) s.setStatus({ code: 2, message: 'bad ' + i });
      s.end();
    }
    const body = JSON.parse(encodeTraces(got));
    expect(validateOtlp('traces', body)).toEqual([]);
    expect(body.resourceSpans).toHaveLength(1);
    expect(body.resourceSpans[0].scopeSpans.map((s: { scope: { name: string } }) => s.scope.name)).toEqual(['b', 'a']);
    expect(body.resourceSpans[0].scopeSpans[0].spans).toHaveLength(10);
  });

  it('the span with every field validates too', () => {
    expect(validateOtlp('traces', JSON.parse(encodeTraces([fullSpan()])))).toEqual([]);
  });
});

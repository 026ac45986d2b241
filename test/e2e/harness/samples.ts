/**
 * Hand-made valid OTLP/JSON export requests that use every field of the schema: the harness
 * checks its validator against them, and tests can send them where a payload is needed without
 * the SDK (e.g. to exercise a relay or a transport).
 */
import type { OtlpLogsRequest, OtlpMetricsRequest, OtlpTracesRequest } from './otlp-json';

const T0 = '1763776800000000000'; // 2025-11-22T02:00:00Z in ns
const T1 = '1763776800250000000';
const TRACE = '5b8efff798038103d269b633813fc60c';
const SPAN = 'eee19b7ec3c1b174';
const PARENT = 'eee19b7ec3c1b173';

const resource = {
  attributes: [
    { key: 'service.name', value: { stringValue: 'harness' } },
    { key: 'telemetry.sdk.name', value: { stringValue: 'otelite' } },
    { key: 'telemetry.sdk.language', value: { stringValue: 'webjs' } },
  ],
  droppedAttributesCount: 0,
};
const scope = { name: 'harness-scope', version: '1.0.0', attributes: [{ key: 'scope.attr', value: { boolValue: true } }], droppedAttributesCount: 0 };

/** Attributes of every `AnyValue` kind. */
export const ALL_VALUES = [
  { key: 's', value: { stringValue: 'text' } },
  { key: 'b', value: { boolValue: false } },
  { key: 'i', value: { intValue: '-42' } },
  { key: 'big', value: { intValue: '9007199254740993' } },
  { key: 'd', value: { doubleValue: 1.5 } },
  { key: 'nan', value: { doubleValue: 'NaN' as unknown as number } },
  { key: 'arr', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '1' }] } } },
  { key: 'kv', value: { kvlistValue: { values: [{ key: 'inner', value: { doubleValue: 0.25 } }] } } },
  { key: 'bytes', value: { bytesValue: 'AQID' } },
  { key: 'empty', value: {} },
];

/** Options of the sample builders. */
export interface SampleOptions {
  serviceName?: string;
  traceId?: string;
  spanId?: string;
  /** span / record name */
  name?: string;
}

function res(o: SampleOptions) {
  if (!o.serviceName) return resource;
  return { ...resource, attributes: [{ key: 'service.name', value: { stringValue: o.serviceName } }, ...resource.attributes.slice(1)] };
}

/** A traces request with one fully populated span (events, links, status, flags, all value kinds). */
export function sampleTraces(o: SampleOptions = {}): OtlpTracesRequest {
  // fresh copies: callers mutate them
  return structuredClone({
    resourceSpans: [
      {
        resource: res(o),
        scopeSpans: [
          {
            scope,
            spans: [
              {
                traceId: o.traceId ?? TRACE,
                spanId: o.spanId ?? SPAN,
                traceState: 'vendor=value',
                parentSpanId: PARENT,
                flags: 0x301,
                name: o.name ?? 'GET',
                kind: 3,
                startTimeUnixNano: T0,
                endTimeUnixNano: T1,
                attributes: ALL_VALUES,
                droppedAttributesCount: 1,
                events: [{ timeUnixNano: T1, name: 'exception', attributes: [{ key: 'exception.type', value: { stringValue: 'TypeError' } }], droppedAttributesCount: 0 }],
                droppedEventsCount: 0,
                links: [{ traceId: TRACE, spanId: PARENT, traceState: '', attributes: [], droppedAttributesCount: 0, flags: 0x101 }],
                droppedLinksCount: 0,
                status: { code: 2, message: 'boom' },
              },
            ],
            schemaUrl: 'https://opentelemetry.io/schemas/1.37.0',
          },
        ],
        schemaUrl: '',
      },
    ],
  });
}

const pointBase = { attributes: [{ key: 'route', value: { stringValue: '/a' } }], startTimeUnixNano: T0, timeUnixNano: T1, flags: 0 };

/** A metrics request with one metric of each kind (gauge, sum, histogram, exponential, summary). */
export function sampleMetrics(o: SampleOptions = {}): OtlpMetricsRequest {
  return structuredClone({
    resourceMetrics: [
      {
        resource: res(o),
        scopeMetrics: [
          {
            scope,
            metrics: [
              {
                name: 'g',
                description: 'a gauge',
                unit: 'ms',
                gauge: { dataPoints: [{ ...pointBase, asDouble: 12.5 }] },
                metadata: [{ key: 'm', value: { stringValue: 'x' } }],
              },
              {
                name: o.name ?? 'requests',
                unit: '{request}',
                sum: {
                  dataPoints: [
                    {
                      ...pointBase,
                      asInt: '7',
                      exemplars: [
                        { filteredAttributes: [], timeUnixNano: T1, asInt: '1', spanId: SPAN, traceId: TRACE },
                        { timeUnixNano: T1, asDouble: 0.5 },
                      ],
                    },
                  ],
                  aggregationTemporality: 2,
                  isMonotonic: true,
                },
              },
              {
                name: 'duration',
                unit: 's',
                histogram: {
                  dataPoints: [
                    { ...pointBase, count: '3', sum: 0.6, bucketCounts: ['1', '2', '0'], explicitBounds: [0.1, 1], min: 0.05, max: 0.4 },
                  ],
                  aggregationTemporality: 1,
                },
              },
              {
                name: 'exp',
                exponentialHistogram: {
                  dataPoints: [
                    {
                      ...pointBase,
                      count: '4',
                      sum: 10,
                      scale: -2,
                      zeroCount: '1',
                      positive: { offset: -1, bucketCounts: ['1', '2'] },
                      negative: { offset: 0, bucketCounts: [] },
                      min: 0,
                      max: 8,
                      zeroThreshold: 0,
                    },
                  ],
                  aggregationTemporality: 2,
                },
              },
              {
                name: 'summary',
                summary: {
                  dataPoints: [
                    {
                      ...pointBase,
                      count: '2',
                      sum: 3,
                      quantileValues: [
                        { quantile: 0, value: 1 },
                        { quantile: 1, value: 2 },
                      ],
                    },
                  ],
                },
              },
            ],
            schemaUrl: '',
          },
        ],
      },
    ],
  });
}

/** A logs request with one fully populated log record. */
export function sampleLogs(o: SampleOptions = {}): OtlpLogsRequest {
  return structuredClone({
    resourceLogs: [
      {
        resource: res(o),
        scopeLogs: [
          {
            scope,
            logRecords: [
              {
                timeUnixNano: T0,
                observedTimeUnixNano: T1,
                severityNumber: 17,
                severityText: 'ERROR',
                body: { stringValue: 'something failed' },
                attributes: ALL_VALUES,
                droppedAttributesCount: 0,
                flags: 1,
                traceId: o.traceId ?? TRACE,
                spanId: o.spanId ?? SPAN,
                eventName: o.name ?? 'browser.error',
              },
              { observedTimeUnixNano: T1, body: { kvlistValue: { values: [{ key: 'k', value: { intValue: '1' } }] } } },
            ],
            schemaUrl: '',
          },
        ],
      },
    ],
  });
}

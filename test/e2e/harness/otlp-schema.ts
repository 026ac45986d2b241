/**
 * Validates OTLP/HTTP JSON payloads against the official OTLP protobuf schema.
 *
 * Two layers, both must pass:
 * 1. The OTLP/JSON rules (opentelemetry-proto docs/specification.md, "JSON Protobuf Encoding"),
 *    which protobufjs does not enforce: lowerCamelCase keys, hex `traceId`/`spanId` of the right
 *    length, enums as integers, 64-bit integers as decimal strings, no `null`, plus the
 *    "semantically required" fields (span ids, name, times). A small field table drives this walk.
 * 2. The official schema: the protobufjs module generated from opentelemetry-proto that
 *    `@opentelemetry/otlp-transformer@0.56.0` ships. `verify` must pass, and a
 *    `fromObject` → `encode` → `decode` → `toObject` round trip must give back every field that
 *    was sent, so a misspelled or mistyped field (which protobufjs silently drops or coerces)
 *    fails. This also checks that the table of layer 1 agrees with the official schema.
 *
 * Stricter than a real collector on purpose: a collector MUST ignore unknown fields, but here
 * they mean a bug in the producer under test.
 *
 * The generated module predates some fields of later OTLP versions; those are checked by layer 1
 * only and listed in {@link NEWER_FIELDS}.
 */
import { createRequire } from 'node:module';

/** The three OTLP signals, also the last path segment of their `/v1/{signal}` URL. */
export type Signal = 'traces' | 'metrics' | 'logs';

// ---------------------------------------------------------------------------------------------
// The generated protobufjs module (CommonJS), typed just enough for what we call.

interface PbMessage {
  verify(obj: unknown): string | null;
  fromObject(obj: unknown): object;
  encode(msg: object): { finish(): Uint8Array };
  decode(bytes: Uint8Array): object;
  toObject(msg: object, opts: Record<string, unknown>): Record<string, unknown>;
}
interface LongCtor {
  fromString(s: string, unsigned: boolean): object;
}

let pb: { req: Record<Signal, PbMessage>; Long: LongCtor } | undefined;

/** Loads the generated module lazily (it registers itself in protobufjs' global roots). */
function schema(): NonNullable<typeof pb> {
  if (pb) return pb;
  const require = createRequire(import.meta.url);
  const root = require('@opentelemetry/otlp-transformer/build/src/generated/root.js');
  const util = require('protobufjs/minimal').util as { Long?: LongCtor };
  if (!util.Long) throw new Error('otlp-schema: protobufjs has no Long support (package "long" missing)');
  const c = root.opentelemetry.proto.collector;
  pb = {
    req: {
      traces: c.trace.v1.ExportTraceServiceRequest,
      metrics: c.metrics.v1.ExportMetricsServiceRequest,
      logs: c.logs.v1.ExportLogsServiceRequest,
    },
    Long: util.Long,
  };
  return pb;
}

// ---------------------------------------------------------------------------------------------
// Field table (proto field types as OTLP/JSON sees them).

type Scalar =
  | 'string'
  | 'bool'
  | 'double'
  | 'uint32'
  | 'int32'
  | 'int64' // int64, sfixed64: signed decimal string
  | 'uint64' // fixed64, uint64: unsigned decimal string
  | 'traceId' // bytes, 16, hex
  | 'spanId' // bytes, 8, hex
  | 'bytes'; // other bytes: base64 (standard proto JSON mapping)

interface Field {
  /** scalar kind, `enum:<max>` (values 0..max), or a message name of {@link MSG} */
  t: Scalar | `enum:${number}` | string;
  rep?: true;
  /** semantically required: must be present (and, for ids, non-empty) */
  req?: true;
  /** OTLP version that added the field, when it is newer than the generated module */
  newer?: string;
}

const KV: Field = { t: 'KeyValue', rep: true };
const U32: Field = { t: 'uint32' };
const U64: Field = { t: 'uint64' };
const STR: Field = { t: 'string' };
const DBL: Field = { t: 'double' };
const TEMPORALITY: Field = { t: 'enum:2' };

const MSG: Record<string, Record<string, Field>> = {
  AnyValue: {
    stringValue: STR,
    boolValue: { t: 'bool' },
    intValue: { t: 'int64' },
    doubleValue: DBL,
    arrayValue: { t: 'ArrayValue' },
    kvlistValue: { t: 'KeyValueList' },
    bytesValue: { t: 'bytes' },
  },
  ArrayValue: { values: { t: 'AnyValue', rep: true } },
  KeyValueList: { values: KV },
  KeyValue: { key: { t: 'string', req: true }, value: { t: 'AnyValue' } },
  InstrumentationScope: { name: STR, version: STR, attributes: KV, droppedAttributesCount: U32 },
  Resource: { attributes: KV, droppedAttributesCount: U32 },

  traces: { resourceSpans: { t: 'ResourceSpans', rep: true } },
  ResourceSpans: { resource: { t: 'Resource' }, scopeSpans: { t: 'ScopeSpans', rep: true }, schemaUrl: STR },
  ScopeSpans: { scope: { t: 'InstrumentationScope' }, spans: { t: 'Span', rep: true }, schemaUrl: STR },
  Span: {
    traceId: { t: 'traceId', req: true },
    spanId: { t: 'spanId', req: true },
    traceState: STR,
    parentSpanId: { t: 'spanId' },
    flags: { t: 'uint32', newer: '1.1.0' },
    name: { t: 'string', req: true },
    kind: { t: 'enum:5' },
    startTimeUnixNano: { t: 'uint64', req: true },
    endTimeUnixNano: { t: 'uint64', req: true },
    attributes: KV,
    droppedAttributesCount: U32,
    events: { t: 'Event', rep: true },
    droppedEventsCount: U32,
    links: { t: 'Link', rep: true },
    droppedLinksCount: U32,
    status: { t: 'Status' },
  },
  Event: { timeUnixNano: { t: 'uint64', req: true }, name: { t: 'string', req: true }, attributes: KV, droppedAttributesCount: U32 },
  Link: {
    traceId: { t: 'traceId', req: true },
    spanId: { t: 'spanId', req: true },
    traceState: STR,
    attributes: KV,
    droppedAttributesCount: U32,
    flags: { t: 'uint32', newer: '1.1.0' },
  },
  Status: { message: STR, code: { t: 'enum:2' } },

  metrics: { resourceMetrics: { t: 'ResourceMetrics', rep: true } },
  ResourceMetrics: { resource: { t: 'Resource' }, scopeMetrics: { t: 'ScopeMetrics', rep: true }, schemaUrl: STR },
  ScopeMetrics: { scope: { t: 'InstrumentationScope' }, metrics: { t: 'Metric', rep: true }, schemaUrl: STR },
  Metric: {
    name: { t: 'string', req: true },
    description: STR,
    unit: STR,
    gauge: { t: 'Gauge' },
    sum: { t: 'Sum' },
    histogram: { t: 'Histogram' },
    exponentialHistogram: { t: 'ExponentialHistogram' },
    summary: { t: 'Summary' },
    metadata: { t: 'KeyValue', rep: true, newer: '1.2.0' },
  },
  Gauge: { dataPoints: { t: 'NumberDataPoint', rep: true } },
  Sum: { dataPoints: { t: 'NumberDataPoint', rep: true }, aggregationTemporality: TEMPORALITY, isMonotonic: { t: 'bool' } },
  Histogram: { dataPoints: { t: 'HistogramDataPoint', rep: true }, aggregationTemporality: TEMPORALITY },
  ExponentialHistogram: { dataPoints: { t: 'ExponentialHistogramDataPoint', rep: true }, aggregationTemporality: TEMPORALITY },
  Summary: { dataPoints: { t: 'SummaryDataPoint', rep: true } },
  NumberDataPoint: {
    attributes: KV,
    startTimeUnixNano: U64,
    timeUnixNano: { t: 'uint64', req: true },
    asDouble: DBL,
    asInt: { t: 'int64' },
    exemplars: { t: 'Exemplar', rep: true },
    flags: U32,
  },
  HistogramDataPoint: {
    attributes: KV,
    startTimeUnixNano: U64,
    timeUnixNano: { t: 'uint64', req: true },
    count: U64,
    sum: DBL,
    bucketCounts: { t: 'uint64', rep: true },
    explicitBounds: { t: 'double', rep: true },
    exemplars: { t: 'Exemplar', rep: true },
    flags: U32,
    min: DBL,
    max: DBL,
  },
  ExponentialHistogramDataPoint: {
    attributes: KV,
    startTimeUnixNano: U64,
    timeUnixNano: { t: 'uint64', req: true },
    count: U64,
    sum: DBL,
    scale: { t: 'int32' },
    zeroCount: U64,
    positive: { t: 'Buckets' },
    negative: { t: 'Buckets' },
    flags: U32,
    exemplars: { t: 'Exemplar', rep: true },
    min: DBL,
    max: DBL,
    zeroThreshold: DBL,
  },
  Buckets: { offset: { t: 'int32' }, bucketCounts: { t: 'uint64', rep: true } },
  SummaryDataPoint: {
    attributes: KV,
    startTimeUnixNano: U64,
    timeUnixNano: { t: 'uint64', req: true },
    count: U64,
    sum: DBL,
    quantileValues: { t: 'ValueAtQuantile', rep: true },
    flags: U32,
  },
  ValueAtQuantile: { quantile: DBL, value: DBL },
  Exemplar: {
    filteredAttributes: KV,
    timeUnixNano: U64,
    asDouble: DBL,
    asInt: { t: 'int64' },
    spanId: { t: 'spanId' },
    traceId: { t: 'traceId' },
  },

  logs: { resourceLogs: { t: 'ResourceLogs', rep: true } },
  ResourceLogs: { resource: { t: 'Resource' }, scopeLogs: { t: 'ScopeLogs', rep: true }, schemaUrl: STR },
  ScopeLogs: { scope: { t: 'InstrumentationScope' }, logRecords: { t: 'LogRecord', rep: true }, schemaUrl: STR },
  LogRecord: {
    timeUnixNano: U64,
    observedTimeUnixNano: U64,
    severityNumber: { t: 'enum:24' },
    severityText: STR,
    body: { t: 'AnyValue' },
    attributes: KV,
    droppedAttributesCount: U32,
    flags: U32,
    traceId: { t: 'traceId' },
    spanId: { t: 'spanId' },
    eventName: { t: 'string', newer: '1.5.0' },
  },
};

/**
 * Fields that OTLP added after the proto version the generated module was built from
 * (opentelemetry-proto v1.0.0): checked here by type, then left out of the protobufjs round trip.
 */
export const NEWER_FIELDS: readonly string[] = Object.entries(MSG).flatMap(([m, fs]) =>
  Object.entries(fs)
    .filter(([, f]) => f.newer)
    .map(([k, f]) => `${m}.${k} (OTLP ${f.newer})`),
);

// ---------------------------------------------------------------------------------------------
// Layer 1: walk with the table, collect OTLP/JSON errors, build the protobufjs input and the
// expected round-trip output (the input normalized the way toObject will print it).

interface Walk {
  errors: string[];
  /** keep values that break the rules in the round trip input (to test the schema layer alone) */
  keep: boolean;
  /** paths with an error already reported, so the round trip does not repeat them */
  bad: string[];
  Long: LongCtor;
}

const UINT32_MAX = 0xffffffff;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

function fail(w: Walk, path: string, msg: string): undefined {
  w.errors.push(`${path}: ${msg}`);
  w.bad.push(path);
  return undefined;
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return `${typeof v} ${s === undefined ? String(v) : s.length > 60 ? s.slice(0, 57) + '...' : s}`;
}

/** Edit distance, for suggestions. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** A close known name for an unknown key: case or snake_case mistakes, typos. */
function suggest(key: string, fields: Record<string, Field>): string {
  const norm = (s: string) => s.replace(/_/g, '').toLowerCase();
  const names = Object.keys(fields);
  const hit = names.find((k) => norm(k) === norm(key));
  if (hit) return ` (OTLP/JSON uses lowerCamelCase: did you mean "${hit}"?)`;
  const near = names.find((k) => distance(norm(k), norm(key)) <= 2);
  if (near) return ` (did you mean "${near}"?)`;
  return ` (known fields: ${names.join(', ')})`;
}

/** Returns [protobufjs input, expected toObject output] or undefined when invalid. */
function scalar(w: Walk, t: Field['t'], v: unknown, path: string): [unknown, unknown] | undefined {
  if (t.startsWith('enum:')) {
    const max = Number(t.slice(5));
    if (typeof v === 'string') return fail(w, path, `enum must be an integer in OTLP/JSON, got the string ${JSON.stringify(v)}`);
    if (!Number.isInteger(v)) return fail(w, path, `enum must be an integer, got ${show(v)}`);
    if ((v as number) < 0 || (v as number) > max) return fail(w, path, `enum value ${v} out of range 0..${max}`);
    return [v, v];
  }
  switch (t) {
    case 'string':
      if (typeof v !== 'string') return fail(w, path, `string expected, got ${show(v)}`);
      return [v, v];
    case 'bool':
      if (typeof v !== 'boolean') return fail(w, path, `boolean expected, got ${show(v)}`);
      return [v, v];
    case 'double':
      if (typeof v === 'number') return [v, v];
      // proto3 JSON mapping: non-finite doubles travel as these strings
      if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return [Number(v), Number(v)];
      return fail(w, path, `number expected, got ${show(v)}`);
    case 'uint32':
    case 'int32': {
      if (typeof v !== 'number' || !Number.isInteger(v)) return fail(w, path, `32-bit integer (JSON number) expected, got ${show(v)}`);
      const ok = t === 'uint32' ? v >= 0 && v <= UINT32_MAX : v >= -(2 ** 31) && v < 2 ** 31;
      if (!ok) return fail(w, path, `${v} out of ${t} range`);
      return [v, v];
    }
    case 'int64':
    case 'uint64': {
      const unsigned = t === 'uint64';
      if (typeof v === 'number')
        return fail(w, path, `64-bit integer must be a decimal string in OTLP/JSON, got the number ${v}`);
      if (typeof v !== 'string' || !(unsigned ? /^\d+$/ : /^-?\d+$/).test(v))
        return fail(w, path, `64-bit ${unsigned ? 'unsigned ' : ''}integer as decimal string expected, got ${show(v)}`);
      const n = BigInt(v);
      if (unsigned ? n > UINT64_MAX : n < INT64_MIN || n > INT64_MAX) return fail(w, path, `${v} out of ${t} range`);
      return [w.Long.fromString(n.toString(), unsigned), n.toString()];
    }
    case 'traceId':
    case 'spanId': {
      const len = t === 'traceId' ? 32 : 16;
      if (typeof v !== 'string') return fail(w, path, `hex string expected, got ${show(v)}`);
      if (v === '') return [new Uint8Array(0), ''];
      if (v.length !== len || !/^[0-9a-fA-F]+$/.test(v))
        return fail(w, path, `${t} must be ${len} hex characters (${len / 2} bytes), got ${JSON.stringify(v)} (${v.length} chars)`);
      if (/^0+$/.test(v)) return fail(w, path, `all-zero ${t} is invalid (omit the field instead)`);
      return [Uint8Array.from(Buffer.from(v, 'hex')), v.toLowerCase()];
    }
    case 'bytes':
      if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 === 1)
        return fail(w, path, `base64 string expected, got ${show(v)}`);
      return [v, Buffer.from(v, 'base64').toString('base64')];
  }
  throw new Error(`otlp-schema: unknown field type ${t}`);
}

function message(w: Walk, name: string, v: unknown, path: string): [Record<string, unknown>, Record<string, unknown>] | undefined {
  const fields = MSG[name]!;
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    return fail(w, path || '(root)', `object (${name}) expected, got ${show(v)}`);
  const inp: Record<string, unknown> = {};
  const exp: Record<string, unknown> = {};
  const obj = v as Record<string, unknown>;
  for (const [k, val] of Object.entries(obj)) {
    const p = path ? `${path}.${k}` : k;
    const spec = fields[k];
    if (!spec) {
      fail(w, p, `unknown field "${k}" in ${name}${suggest(k, fields)}`);
      // kept, so the protobuf round trip judges it independently (reported once, see below)
      inp[k] = val;
      exp[k] = val;
      continue;
    }
    if (val === null) {
      fail(w, p, 'null is not allowed (omit the field)');
      continue;
    }
    let r: [unknown, unknown] | undefined;
    if (spec.rep) {
      if (!Array.isArray(val)) {
        fail(w, p, `array expected, got ${show(val)}`);
        continue;
      }
      const ins: unknown[] = [];
      const exs: unknown[] = [];
      val.forEach((item, i) => {
        const e = MSG[spec.t] ? message(w, spec.t, item, `${p}[${i}]`) : scalar(w, spec.t, item, `${p}[${i}]`);
        if (!e && !w.keep) return; // reported; left out of the round trip
        ins.push(e ? e[0] : item);
        exs.push(e ? e[1] : item);
      });
      // protobuf cannot tell an empty list from an absent one
      if (ins.length === 0) continue;
      r = [ins, exs];
    } else {
      r = MSG[spec.t] ? message(w, spec.t, val, p) : scalar(w, spec.t, val, p);
    }
    if (spec.newer) continue; // checked above, unknown to the generated module
    if (!r && w.keep) r = [val, val];
    if (!r) continue;
    inp[k] = r[0];
    exp[k] = r[1];
  }
  for (const [f, spec] of Object.entries(fields)) {
    if (spec.req && (obj[f] === undefined || obj[f] === '')) fail(w, path ? `${path}.${f}` : f, `required field ${name}.${f} is missing`);
  }
  return [inp, exp];
}

// ---------------------------------------------------------------------------------------------
// Layer 2: protobufjs verify + round trip, compared with the expected output.

const ID_KEYS = new Set(['traceId', 'spanId', 'parentSpanId']);

/** toObject printed bytes as base64; OTLP/JSON ids are hex. */
function idsToHex(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(idsToHex);
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    out[k] = ID_KEYS.has(k) && typeof x === 'string' ? Buffer.from(x, 'base64').toString('hex') : idsToHex(x);
  }
  return out;
}

function diff(exp: unknown, got: unknown, path: string, out: string[]): void {
  if (Object.is(exp, got)) return;
  const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;
  if (isObj(exp) && isObj(got) && Array.isArray(exp) === Array.isArray(got)) {
    if (Array.isArray(exp) && Array.isArray(got) && exp.length !== got.length) {
      out.push(`${path}: ${exp.length} items sent, ${got.length} after the protobuf round trip`);
      return;
    }
    for (const k of new Set([...Object.keys(exp), ...Object.keys(got)])) {
      const p = Array.isArray(exp) ? `${path}[${k}]` : path ? `${path}.${k}` : k;
      if (!(k in got)) out.push(`${p}: lost in the protobuf round trip (not a field of the official OTLP schema)`);
      else if (!(k in exp)) out.push(`${p}: appeared in the protobuf round trip`);
      else diff(exp[k], got[k], p, out);
    }
    return;
  }
  out.push(`${path}: sent ${show(exp)}, protobuf round trip gives ${show(got)}`);
}

const MAX_ERRORS = 50;

/** Options of {@link validateOtlp}. */
export interface ValidateOptions {
  /**
   * Run one layer only: `'rules'` (OTLP/JSON rules, no protobuf) or `'schema'` (protobuf verify
   * and round trip alone, with rule-breaking values passed through as they are). Default both.
   */
  only?: 'rules' | 'schema';
}

/**
 * Validates one OTLP/JSON export request body (already parsed) for `signal`.
 * Returns the list of errors, empty when the payload is valid. Never throws on bad input.
 */
export function validateOtlp(signal: Signal, body: unknown, opts: ValidateOptions = {}): string[] {
  const { req, Long } = schema();
  const w: Walk = { errors: [], bad: [], Long, keep: opts.only === 'schema' };
  const r = message(w, signal, body, '');
  if (opts.only === 'schema') {
    w.errors.length = 0;
    w.bad.length = 0;
  }
  if (r && opts.only !== 'rules') {
    const type = req[signal];
    const verr = type.verify(r[0]);
    if (verr) w.errors.push(`protobuf verify: ${verr}`);
    try {
      const decoded = type.decode(type.encode(type.fromObject(r[0])).finish());
      const got = idsToHex(type.toObject(decoded, { longs: String, enums: Number, bytes: String, defaults: false }));
      const d: string[] = [];
      diff(r[1], got, '', d);
      // one report per problem: skip what layer 1 already explained
      for (const e of d) {
        const p = e.slice(0, e.indexOf(':'));
        if (!w.bad.some((b) => p === b || p.startsWith(b + '.') || p.startsWith(b + '['))) w.errors.push(e);
      }
    } catch (e) {
      w.errors.push(`protobuf round trip failed: ${(e as Error).message}`);
    }
  }
  if (w.errors.length > MAX_ERRORS) {
    const n = w.errors.length - MAX_ERRORS;
    w.errors.length = MAX_ERRORS;
    w.errors.push(`... and ${n} more errors`);
  }
  return w.errors;
}

/** Throws an Error listing every problem when `body` is not a valid OTLP/JSON `signal` request. */
export function assertValidOtlp(signal: Signal, body: unknown): void {
  const errors = validateOtlp(signal, body);
  if (errors.length) throw new Error(`invalid OTLP/JSON ${signal} payload:\n  ${errors.join('\n  ')}`);
}

import type { Context } from '../context/types';
import { report } from '../lib/diag';
import { millisOr, now } from '../lib/time';
import type { InstrumentationScope } from '../lib/types';
import { getSpanContext } from '../trace/api';
import type { Resource } from '../trace/resource';
import { isKnownValid } from '../trace/span-context';
import type { SpanContext } from '../trace/types';
import type { LogRecordProcessor, LogRecordWriter, ReadableLogRecord } from './sdk-types';
import type { AnyValue, LogAttributes, LogRecord, SeverityNumber } from './types';

/** What all records of one provider share, so a record holds one pointer instead of four. */
export interface LoggerState {
  /** resource */
  readonly r: Resource;
  /** attributes per record */
  readonly a: number;
  /** value length */
  readonly l: number;
  /** processors */
  readonly p: LogRecordProcessor[];
  /** shut down */
  down?: boolean;
}

/**
 * A copy of `v` that is a valid `AnyValue` (strings cut to `len`), or `undefined` when `v` is
 * not one: functions, symbols, bigints, class instances (`Date`, `Error`, DOM nodes), cycles
 * and nesting deeper than 8 levels. Copying also keeps the record safe from later mutation of
 * the caller's objects, and the encoder safe from cycles (one bad record must not fail a batch).
 * Invalid members of arrays become `null` (positions are kept); of maps, they are left out.
 */
export function cleanAnyValue(v: unknown, len: number, seen: object[] = []): AnyValue | undefined {
  switch (typeof v) {
    case 'string':
      return v.slice(0, len);
    case 'number':
    case 'boolean':
      return v;
    case 'object': {
      if (!v || v instanceof Uint8Array) return v as null | Uint8Array;
      const proto = Object.getPrototypeOf(v);
      const arr = Array.isArray(v);
      if ((!arr && proto && proto != Object.prototype) || seen.includes(v) || seen.length > 7) return;
      seen.push(v);
      let out: AnyValue;
      if (arr) out = v.map((x) => cleanAnyValue(x, len, seen) ?? null);
      else {
        const m: Record<string, AnyValue> = (out = {});
        for (const k in v) {
          const c = cleanAnyValue((v as Record<string, unknown>)[k], len, seen);
          if (c !== undefined) m[k] = c;
        }
      }
      seen.pop();
      return out;
    }
  }
}

/** A string field as given; left out, with a diagnostic, when it is not a string. */
const text = (x: unknown): string | undefined =>
  typeof x == 'string' || x == null ? (x as string | undefined) : void report(1, 'invalid log field', x);

/**
 * The SDK's log record: built by the logger from what `emit` got, enriched by processors during
 * `onEmit`, then read by exporters.
 */
export class SdkLogRecord implements ReadableLogRecord, LogRecordWriter {
  /** {@inheritDoc ReadableLogRecord.time} */
  time: number;
  /** {@inheritDoc ReadableLogRecord.observedTime} */
  observedTime: number;
  /** {@inheritDoc ReadableLogRecord.spanContext} */
  spanContext?: SpanContext;
  /** {@inheritDoc ReadableLogRecord.severityNumber} */
  severityNumber?: SeverityNumber;
  /** {@inheritDoc ReadableLogRecord.severityText} */
  severityText?: string;
  /** {@inheritDoc ReadableLogRecord.body} */
  body?: AnyValue;
  /** {@inheritDoc ReadableLogRecord.eventName} */
  eventName?: string;
  /** {@inheritDoc ReadableLogRecord.attributes} */
  // no prototype: keys like `__proto__` or `toString` are ordinary attribute keys here
  readonly attributes: LogAttributes = Object.create(null);
  /** {@inheritDoc ReadableLogRecord.droppedAttributesCount} */
  droppedAttributesCount = 0;
  /** {@inheritDoc ReadableLogRecord.resource} */
  readonly resource: Resource;
  private n = 0; // attribute count

  /**
   * @param s - what the provider's records share
   * @param instrumentationScope - the emitting logger's scope
   * @param r - what `emit` got
   * @param ctx - the context to take the span from
   */
  constructor(
    private readonly s: LoggerState,
    readonly instrumentationScope: InstrumentationScope,
    r: LogRecord,
    ctx: Context,
  ) {
    this.resource = s.r;
    const t = now();
    const at = (): number => t;
    // times that are absent or not times: now
    this.time = millisOr(r.timestamp, at);
    this.observedTime = millisOr(r.observedTimestamp, at);
    const sc = getSpanContext(ctx);
    if (isKnownValid(sc)) this.spanContext = sc;
    // Only values of the right type and range (severity: the data model's 1-24; 0 is
    // unspecified), others left out with a diagnostic: the encoder writes these fields as they
    // are, and a collector that cannot parse one record rejects the whole batch.
    const n = r.severityNumber;
    if (typeof n == 'number' && n > 0 && n < 25 && n % 1 == 0) this.severityNumber = n;
    else if (n != null && n !== 0) report(1, 'invalid log severityNumber', n);
    this.severityText = text(r.severityText);
    this.eventName = text(r.eventName);
    if (r.body != null) this.body = cleanAnyValue(r.body, Infinity);
    if (r.attributes) this.setAttributes(r.attributes);
    const x = r.exception;
    if (x != null) {
      // the semantic conventions for exceptions in logs; explicit attributes win
      const e = (typeof x == 'object' ? x : { message: String(x) }) as Record<string, unknown>;
      for (const [k, v] of [
        ['type', e.name],
        ['message', e.message],
        ['stacktrace', e.stack],
      ])
        if (typeof v == 'string' && v && !('exception.' + k in this.attributes)) this.setAttribute('exception.' + k, v);
    }
  }

  /** {@inheritDoc LogRecordWriter.setAttribute} */
  setAttribute(key: string, value: AnyValue): this {
    const a = this.attributes;
    const v = value == null ? value : cleanAnyValue(value, this.s.l);
    if (!key || typeof key != 'string' || v == null) {
      if (value != null || !key) report(1, 'invalid log attribute', key, value);
    } else if (key in a || this.n++ < this.s.a) a[key] = v;
    else {
      this.n--;
      this.droppedAttributesCount++;
    }
    return this;
  }

  /** {@inheritDoc LogRecordWriter.setAttributes} */
  setAttributes(attributes: LogAttributes): this {
    for (const k in attributes) this.setAttribute(k, attributes[k]);
    return this;
  }
}

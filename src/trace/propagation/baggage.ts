import { createContextKey } from '../../context/context';
import type { Context } from '../../context/types';
import { isTracingSuppressed } from '../../lib/suppress';
import type {
  Baggage,
  BaggageEntry,
  BaggageEntryMetadata,
  TextMapGetter,
  TextMapPropagator,
  TextMapSetter,
} from './types';

/** The key `@opentelemetry/api` uses too, so baggage set on either side is seen by both. */
const BAGGAGE_KEY = createContextKey('OpenTelemetry Baggage Key');

/** The baggage in `ctx`. */
export const getBaggage = (ctx: Context): Baggage | undefined =>
  (ctx.getValue(BAGGAGE_KEY) as Baggage | undefined) || undefined;

/** `ctx` with `baggage`. */
export const setBaggage = (ctx: Context, baggage: Baggage): Context => ctx.setValue(BAGGAGE_KEY, baggage);

/** `ctx` without baggage. */
export const deleteBaggage = (ctx: Context): Context => ctx.deleteValue(BAGGAGE_KEY);

/** Entry metadata (the `;k=v` properties) kept as the opaque string it is. */
export const baggageEntryMetadataFromString = (str: string): BaggageEntryMetadata => ({
  toString: () => str,
});

/** Immutable baggage over a Map that no one else holds: every change copies it. */
class BaggageImpl implements Baggage {
  constructor(private readonly m: Map<string, BaggageEntry> = new Map()) {}
  getEntry(key: string): BaggageEntry | undefined {
    return this.m.get(key);
  }
  getAllEntries(): [string, BaggageEntry][] {
    return [...this.m];
  }
  setEntry(key: string, entry: BaggageEntry): Baggage {
    return new BaggageImpl(new Map(this.m).set(key, entry));
  }
  removeEntry(key: string): Baggage {
    return this.removeEntries(key);
  }
  removeEntries(...keys: string[]): Baggage {
    const m = new Map(this.m);
    for (const k of keys) m.delete(k);
    return new BaggageImpl(m);
  }
  clear(): Baggage {
    return new BaggageImpl();
  }
}

/** A new baggage holding `entries`. */
export const createBaggage = (entries: Record<string, BaggageEntry> = {}): Baggage =>
  new BaggageImpl(new Map(Object.entries(entries)));

/*
 * W3C Baggage grammar (https://www.w3.org/TR/baggage/#definition): key = token (RFC 7230
 * 3.2.6), value = *baggage-octet (printable ASCII without DQUOTE "," ";" "\"), properties
 * `;key` or `;key=value`, OWS (SP / HTAB) around every delimiter.
 */
const TOKEN = "[!#-'*+.\\dA-Z^-z|~-]+";
const OCTETS = '[!#-+\\--:<-\\[\\]-~]*';
const W = '[ \\t]*';
/** lazily built: no work at import time */
let member: RegExp | undefined;
const IS_TOKEN = /^[!#-'*+.\dA-Z^-z|~-]+$/;

/**
 * Percent-decodes `s`. Each run of `%XX` is decoded as UTF-8 with U+FFFD for bad sequences, as
 * the spec requires (decodeURIComponent would throw instead); a stray `%` stays as it is.
 */
export const percentDecode = (s: string): string =>
  s.replace(/(%[\da-f]{2})+/gi, (run) =>
    new TextDecoder(undefined, { ignoreBOM: true }).decode(
      Uint8Array.from(run.slice(1).split('%'), (h) => parseInt(h, 16)),
    ),
  );

/** The most list members one header carries: the grammar allows 180 (`0*179`). */
const MAX_MEMBERS = 180;
/**
 * The most bytes of one header. The spec says everything up to 64 members and 8192 bytes MUST be
 * propagated, and whole members beyond MAY be dropped (https://www.w3.org/TR/baggage/#limits).
 */
const MAX_BYTES = 8192;

/**
 * The W3C `baggage` header. Values (and keys, like opentelemetry-js, so the two interoperate)
 * are percent-decoded on extract and encoded on inject; properties travel as opaque metadata.
 */
export class W3CBaggagePropagator implements TextMapPropagator {
  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    const b = getBaggage(ctx);
    if (!b || isTracingSuppressed(ctx)) return;
    let out = '';
    let n = 0;
    for (const [k, e] of b.getAllEntries()) {
      let s: string;
      try {
        // encodeURIComponent leaves only token characters but ( ), and throws on lone surrogates
        s = encodeURIComponent(k);
        if (!IS_TOKEN.test(s)) continue;
        s += '=' + encodeURIComponent(e.value);
      } catch {
        continue;
      }
      const meta = e.metadata?.toString();
      if (meta) s += ';' + meta;
      // never a partial member: one that does not fit is left out, later smaller ones still go
      s = out ? out + ',' + s : s;
      if (s.length <= MAX_BYTES) {
        out = s;
        if (++n == MAX_MEMBERS) break;
      }
    }
    if (out) setter.set(carrier, 'baggage', out);
  }

  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    const h = getter.get(carrier, 'baggage');
    if (!h) return ctx;
    member ||= new RegExp(`^${W}(${TOKEN})${W}=${W}(${OCTETS})${W}((?:;${W}${TOKEN}(?:${W}=${W}${OCTETS})?${W})*)$`);
    const m = new Map<string, BaggageEntry>();
    // several header lines combine with "," (RFC 9110 5.3); a malformed member is skipped
    for (const part of String(h).split(',')) {
      const r = member.exec(part);
      if (r) {
        const e: BaggageEntry = { value: percentDecode(r[2]) };
        if (r[3]) e.metadata = baggageEntryMetadataFromString(r[3].slice(1).trim());
        m.set(percentDecode(r[1]), e);
      }
    }
    return m.size ? setBaggage(ctx, new BaggageImpl(m)) : ctx;
  }

  fields(): string[] {
    return ['baggage'];
  }
}

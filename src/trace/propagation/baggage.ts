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
export const getBaggage = (ctx: Context): Baggage | undefined => ctx.getValue(BAGGAGE_KEY) as Baggage | undefined;

/** `ctx` with `baggage`. */
export const setBaggage = (ctx: Context, baggage: Baggage): Context => ctx.setValue(BAGGAGE_KEY, baggage);

/** `ctx` without baggage. */
export const deleteBaggage = (ctx: Context): Context => ctx.deleteValue(BAGGAGE_KEY);

/** Entry metadata (the `;k=v` properties) kept as the opaque string it is. */
export const baggageEntryMetadataFromString = (str: string): BaggageEntryMetadata => ({
  toString: () => str,
});

/**
 * Immutable baggage over a Map that nothing else holds: every change copies it. Closures rather
 * than a class: smaller, and baggage objects are few (one per request that carries any).
 */
const bag = (m: Map<string, BaggageEntry>): Baggage => {
  const without = (keys: string[]) => {
    const c = new Map(m);
    for (const k of keys) c.delete(k);
    return bag(c);
  };
  return {
    getEntry: (k) => m.get(k),
    getAllEntries: () => [...m],
    setEntry: (k, e) => bag(new Map(m).set(k, e)),
    removeEntry: (k) => without([k]),
    removeEntries: (...keys) => without(keys),
    clear: () => bag(new Map()),
  };
};

/** A new baggage holding `entries` (none, or null: empty). */
export const createBaggage = (entries?: Record<string, BaggageEntry> | null): Baggage =>
  bag(new Map(Object.entries(entries || {})));

/*
 * One list member of the W3C Baggage grammar (https://www.w3.org/TR/baggage/#definition):
 * key = token (RFC 7230 3.2.6), value = *baggage-octet (printable ASCII without DQUOTE "," ";"
 * "\"), then properties `;key` or `;key=value`; OWS (SP / HTAB) around every delimiter.
 * Groups: key, value, properties (with their leading ";").
 */
const MEMBER =
  /^[ \t]*([!#-'*+.\dA-Z^-z|~-]+)[ \t]*=[ \t]*([!#-+\--:<-[\]-~]*)[ \t]*((?:;[ \t]*[!#-'*+.\dA-Z^-z|~-]+(?:[ \t]*=[ \t]*[!#-+\--:<-[\]-~]*)?[ \t]*)*)$/;

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
      // a member that cannot be written (a lone surrogate makes encodeURIComponent throw, a
      // metadata object may throw too) is left out
      try {
        // encodeURIComponent leaves only token characters but ( ) in a key (such a member
        // fails the grammar and is left out)
        let s = encodeURIComponent(k) + '=' + encodeURIComponent(e.value);
        // metadata is user text: sent only when it is valid property syntax, so it cannot break
        // the member (a "," in it) or the header (non-ASCII)
        const meta = e.metadata?.toString();
        if (MEMBER.test(s)) {
          if (meta && MEMBER.test(s + ';' + meta)) s += ';' + meta;
          // never a partial member: one that does not fit is left out, later smaller ones still go
          s = out ? out + ',' + s : s;
          if (s.length <= MAX_BYTES) {
            out = s;
            if (++n == MAX_MEMBERS) break;
          }
        }
      } catch {
        // left out
      }
    }
    if (out) setter.set(carrier, 'baggage', out);
  }

  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    const h = getter.get(carrier, 'baggage');
    if (!h) return ctx;
    const m = new Map<string, BaggageEntry>();
    // several header lines combine with "," (RFC 9110 5.3); a malformed member is skipped
    for (const part of String(h).split(',')) {
      const r = MEMBER.exec(part);
      if (r) {
        const e: BaggageEntry = { value: percentDecode(r[2]) };
        if (r[3]) e.metadata = baggageEntryMetadataFromString(r[3].slice(1).trim());
        m.set(percentDecode(r[1]), e);
      }
    }
    return m.size ? setBaggage(ctx, bag(m)) : ctx;
  }

  fields(): string[] {
    return ['baggage'];
  }
}

import type { Context } from '../../context/types';

/** Writes a header into a carrier. Same shape as `@opentelemetry/api`'s `TextMapSetter`. */
export interface TextMapSetter<Carrier = unknown> {
  /** Sets `key` to `value` in `carrier`. */
  set(carrier: Carrier, key: string, value: string): void;
}

/** Reads headers from a carrier. Same shape as `@opentelemetry/api`'s `TextMapGetter`. */
export interface TextMapGetter<Carrier = unknown> {
  /** The keys present in `carrier`. */
  keys(carrier: Carrier): string[];
  /** The value(s) of `key`; several values when the header was repeated. */
  get(carrier: Carrier, key: string): undefined | string | string[];
}

/** Moves context in and out of headers. Same shape as `@opentelemetry/api`'s `TextMapPropagator`. */
export interface TextMapPropagator<Carrier = unknown> {
  /** Writes the context's values into `carrier`. */
  inject(context: Context, carrier: Carrier, setter: TextMapSetter<Carrier>): void;
  /** Returns `context` extended with what `carrier` holds. */
  extract(context: Context, carrier: Carrier, getter: TextMapGetter<Carrier>): Context;
  /** The header names this propagator writes. */
  fields(): string[];
}

/** One baggage entry. */
export interface BaggageEntry {
  /** The value, decoded. */
  value: string;
  /** The properties after the value (`;k=v`), kept as written. */
  metadata?: BaggageEntryMetadata;
}

/** Opaque properties of a baggage entry. */
export interface BaggageEntryMetadata {
  /** The properties as written after the value. */
  toString(): string;
}

/** Immutable name/value pairs that travel with the context (W3C Baggage). */
export interface Baggage {
  /** The entry named `key`. */
  getEntry(key: string): BaggageEntry | undefined;
  /** All entries. */
  getAllEntries(): [string, BaggageEntry][];
  /** A new baggage with `key` set. */
  setEntry(key: string, entry: BaggageEntry): Baggage;
  /** A new baggage without `key`. */
  removeEntry(key: string): Baggage;
  /** A new baggage without these keys. */
  removeEntries(...keys: string[]): Baggage;
  /** A new empty baggage. */
  clear(): Baggage;
}

/** Reads plain-object carriers (and arrays of values for repeated headers). */
export const defaultTextMapGetter: TextMapGetter<Record<string, string | string[] | undefined>> = {
  keys: (c) => (c ? Object.keys(c) : []),
  get: (c, k) => c?.[k] ?? c?.[k.toLowerCase()],
};

/** Writes plain-object carriers. */
export const defaultTextMapSetter: TextMapSetter<Record<string, string>> = {
  set: (c, k, v) => {
    if (c) c[k] = v;
  },
};

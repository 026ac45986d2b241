import { report } from './diag';
import type { Attributes, AttributeValue } from './types';

const primitive = (t: string): boolean => t == 'string' || t == 'number' || t == 'boolean';

/**
 * Whether `v` is a valid attribute value: a string, number or boolean, or an array whose
 * non-null members all share one of those types (the spec's homogeneity rule).
 */
export function isAttributeValue(v: unknown): v is AttributeValue {
  let t: string | undefined;
  return Array.isArray(v)
    ? v.every((x) => x == null || (t ||= typeof x) == typeof x) && (!t || primitive(t))
    : v != null && primitive(typeof v);
}

/**
 * Checks a key/value pair for storage and applies the length limit. Returns the value to store,
 * or undefined to drop it (with a diagnostic: invalid input is never thrown back at the caller).
 */
export function cleanAttribute(key: string, v: unknown, maxLength: number): AttributeValue | undefined {
  if (typeof key != 'string' || !key) return void report(1, 'invalid attribute key', key);
  const t = typeof v;
  if (t == 'string') return (v as string).length > maxLength ? (v as string).slice(0, maxLength) : (v as string);
  if (t == 'number' || t == 'boolean') return v as number;
  // copy: the caller may mutate its array after handing it over
  if (isAttributeValue(v)) {
    return (v as unknown[]).map((x) => (typeof x == 'string' && x.length > maxLength ? x.slice(0, maxLength) : x)) as AttributeValue;
  }
  if (v != null) report(1, 'invalid attribute value for ' + key, v);
}

let Bag: (new () => Attributes) | undefined;

/**
 * A new, empty attributes object without a prototype, so that keys such as `__proto__` or
 * `constructor` are plain keys (on `{}` the first would replace the prototype and the second
 * would look present already). Instances of a constructor whose prototype is null measured as
 * fast as `{}` in V8, unlike `Object.create(null)` (a dictionary-mode object, ~4x slower). The
 * constructor is made on first use: nothing runs at import time.
 */
export const attributesBag = (): Attributes => {
  if (!Bag) {
    Bag = function () {} as unknown as new () => Attributes;
    Bag.prototype = { __proto__: null };
  }
  return new Bag();
};

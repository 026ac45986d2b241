import { report } from './diag';
import type { AttributeValue } from './types';

const PRIMITIVES: Record<string, 1> = { string: 1, number: 1, boolean: 1 };

/**
 * Whether `v` is a valid attribute value: a string, number or boolean, or an array whose
 * non-null members all share one of those types (the spec's homogeneity rule).
 */
export function isAttributeValue(v: unknown): v is AttributeValue {
  if (v == null) return false;
  if (!Array.isArray(v)) return PRIMITIVES[typeof v] == 1;
  let type: string | undefined;
  for (const x of v) {
    if (x == null) continue;
    const t = typeof x;
    if (!PRIMITIVES[t] || (type && t != type)) return false;
    type = t;
  }
  return true;
}

/**
 * Checks a key/value pair for storage and applies the length limit. Returns the value to store,
 * or undefined to drop it (with a diagnostic: invalid input is never thrown back at the caller).
 */
export function cleanAttribute(key: string, v: unknown, maxLength: number): AttributeValue | undefined {
  if (typeof key != 'string' || !key) {
    report(1, 'invalid attribute key', key);
    return;
  }
  if (typeof v == 'string') return v.length > maxLength ? v.slice(0, maxLength) : v;
  if (!isAttributeValue(v)) {
    if (v != null) report(1, `invalid attribute value for ${key}`, v);
    return;
  }
  if (Array.isArray(v)) {
    // copy: the caller may mutate its array after handing it over
    return v.map((x) => (typeof x == 'string' && x.length > maxLength ? x.slice(0, maxLength) : x)) as AttributeValue;
  }
  return v;
}

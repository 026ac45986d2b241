import type { TraceState } from '../types';

/*
 * One tracestate list member with its surrounding OWS, or a blank member (W3C Trace Context
 * Level 2, "tracestate Header Field Values"): key = (lcalpha / DIGIT) 0*255 keychar, keychar
 * adds "_" "-" "*" "/" "@" (so both `vendor` and multi-tenant `tenant@system` keys match);
 * value = 0*255 chr nblk-chr, printable ASCII without "," and "=", not ending in a space.
 */
const MEMBER = /^[ \t]*(?:([a-z\d][a-z\d_*/@-]{0,255})=([ -+\--<>-~]{0,255}[!-+\--<>-~])[ \t]*)?$/;

type Entries = [key: string, value: string][];

/** The tracestate view of `list`; every state is a fresh immutable value over its own array. */
const state = (list: Entries): TraceState => {
  const ts: TraceState = {
    get: (k) => list.find((e) => e[0] == k)?.[1],
    // Modified keys move to the front; a 33rd member pushes out the right-most one
    // ("Mutating the tracestate Field"). Invalid input leaves the state unchanged, as the OTel
    // API spec requires of every TraceState mutation.
    set(k, v) {
      const m = MEMBER.exec(k + '=' + v);
      return m && m[1] == k && m[2] == v
        ? state([[k, v] as [string, string]].concat(list.filter((e) => e[0] != k)).slice(0, 32))
        : ts;
    },
    unset: (k) => state(list.filter((e) => e[0] != k)),
    serialize: () => list.map((e) => e.join('=')).join(),
  };
  return ts;
};

/**
 * Parses a `tracestate` header value (several header lines joined with `,`) into an immutable
 * {@link TraceState}; with no argument, an empty one.
 *
 * Blank members and OWS around members are ignored. A later duplicate of a key is dropped (the
 * left-most entry is the newest). A value that breaks the grammar, or holds more than 32
 * members, is invalid as a whole and yields an empty state: the spec lets a vendor discard an
 * unparseable header entirely (Processing Model, step 3) and the W3C conformance suite
 * (`test_tracestate_member_count_limit`, `test_tracestate_value_illegal_characters`, strict
 * level 2) expects exactly that.
 */
export const createTraceState = (raw?: string): TraceState => {
  const list: Entries = [];
  let n = 0;
  if (raw) {
    for (const part of raw.split(',')) {
      const m = MEMBER.exec(part);
      if (!m || (m[1] && ++n > 32)) return state([]);
      if (m[1] && !list.some((e) => e[0] == m[1])) list.push([m[1], m[2]]);
    }
  }
  return state(list);
};

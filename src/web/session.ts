import { numberOption, report } from '../lib/diag';
import { now } from '../lib/time';
import { RandomIdGenerator } from '../trace/id-generator';

/** Session settings of the web distro. */
export interface SessionOptions {
  /** Where the session lives: `'session'` (one tab, default) or `'local'` (shared by the origin's tabs). */
  storage?: 'session' | 'local';
  /** A session without telemetry for this long ends (15 minutes). */
  inactivityTimeoutMs?: number;
  /** A session ends this long after it started, active or not (4 hours). */
  maxDurationMs?: number;
}

/** The stored form: short keys, it is written every few seconds. */
interface Stored {
  /** id */
  i: string;
  /** start, epoch ms */
  s: number;
  /** last activity, epoch ms */
  l: number;
}

/** The Web Storage key. Only otelite's own values are ever read from storage. */
export const KEY = 'otelite.session';
// Activity is written back at most this often: storage writes are synchronous disk work.
const WRITE_EVERY = 5000;

/**
 * The `session.id` of the semantic conventions: a random id kept in Web Storage with
 * inactivity and maximum-age expiry. Storage can be missing or throw on any access (private
 * mode, sandboxed iframes, blocked cookies, a full quota): the session then lives in memory,
 * for this page. Returns a function that gives the current id, rolling to a new session when
 * the old one has expired; `onStart(id, previousId)` is called for every new session (the
 * previous id when one expired on this page or in storage).
 */
export function createSession(o: SessionOptions, onStart: (id: string, previous?: string) => void): () => string {
  // positive numbers (5e-324 is the smallest)
  const idle = numberOption(o, 'inactivityTimeoutMs', 9e5, 5e-324);
  const max = numberOption(o, 'maxDurationMs', 144e5, 5e-324);
  let store: Storage | undefined;
  try {
    // any access may throw (private mode, sandboxed iframes, blocked cookies): then the session
    // lives in memory, for this page
    store = o.storage == 'local' ? localStorage : sessionStorage;
    store.getItem(KEY);
  } catch {
    store = undefined;
  }
  const read = (): Stored | undefined => {
    try {
      const v = JSON.parse(store!.getItem(KEY)!);
      if (typeof v.i == 'string' && v.s > 0 && v.l > 0) return v;
    } catch {
      // no store, nothing stored, or not ours
    }
  };
  let written = 0;
  const write = (v: Stored): void => {
    written = v.l;
    try {
      store?.setItem(KEY, JSON.stringify(v));
    } catch (e) {
      report(3, 'session not stored', e);
    }
  };
  let cur = read();
  if (cur) written = cur.l;
  return () => {
    const t = now();
    // another tab may have rolled or touched a shared session
    if (store && t - written >= WRITE_EVERY) cur = read() || cur;
    if (!cur || t - cur.l > idle || t - cur.s > max) {
      const prev = cur && cur.i;
      write((cur = { i: new RandomIdGenerator().generateTraceId(), s: t, l: t }));
      onStart(cur.i, prev);
    } else if (((cur.l = t), t - written >= WRITE_EVERY)) write(cur);
    return cur.i;
  };
}

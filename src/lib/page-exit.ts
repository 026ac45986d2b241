import { report } from './diag';
import { BROWSER } from './platform';

let hooks = new Set<() => void>();
let exiting = false;
let installed = false;

/**
 * Whether the page is hidden or being unloaded: transports then send only in ways that survive
 * the unload (keepalive fetch, `sendBeacon`). False outside browsers.
 */
export const isExiting = (): boolean => BROWSER && exiting;

function run(): void {
  exiting = true;
  for (const fn of hooks) {
    try {
      fn();
    } catch (e) {
      report(0, 'page exit flush failed', e);
    }
  }
}

/**
 * Calls `fn` synchronously each time the page may be going away: at `pagehide` and at
 * `visibilitychange` to hidden. Both are needed and both flush: during a navigation Chromium
 * fires `pagehide` first and `visibilitychange` after it (FACTS.md), and web-vitals reports
 * INP and CLS only at the second, so a "flush already done" shortcut would lose them.
 *
 * The listeners sit on `window` in the bubble phase, so they run after web-vitals' listeners
 * on `document` and see the values those just reported. Outside browsers this does nothing.
 * `first` runs `fn` before the hooks already there (the flushes of batch processors and
 * readers): for hooks that end or make spans the first flush must carry.
 * Returns a function that removes `fn`. (The edge build keeps nothing of it.)
 */
export function onPageExit(fn: () => void, first?: boolean): () => void {
  // (the edge build drops the block: `BROWSER` is false there, see platform.ts)
  if (BROWSER) {
    const d = (globalThis as { document?: Document }).document;
    if (d && !installed) {
      installed = true;
      const back = (): boolean => (exiting = false);
      addEventListener('pagehide', run);
      addEventListener('visibilitychange', () => (d.visibilityState == 'hidden' ? run() : back()));
      addEventListener('pageshow', back);
    }
    hooks = new Set(first ? [fn, ...hooks] : [...hooks, fn]);
  }
  return () => hooks.delete(fn);
}

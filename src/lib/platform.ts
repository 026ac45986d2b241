/**
 * Which build this is. `BROWSER` is true in the default build (browsers, Node, any bundler);
 * the edge build (`dist/edge/`, what the `workerd` and `deno` export conditions of package.json
 * select) makes it false: `edgePlugin` in entries.mjs defines it as `false` in each importing
 * file (and resolves any other import of this file to its twin, `platform.edge.ts`).
 *
 * Code only a page can run (page-exit hooks, keepalive budget, `sendBeacon`, resource timing)
 * sits under `if (BROWSER)` or `BROWSER &&`/`BROWSER ?`, which esbuild folds away in the edge
 * build, together with whatever only that code used. Import it exactly as
 * `import { BROWSER } from '…/platform';` (the plugin looks for that line). The guards change
 * nothing where `BROWSER` is true, and almost nothing at the edge: each guarded path also needs,
 * at run time, what only a page has (`document`, resource timing), which workerd and Deno lack.
 * The exception is the same-origin rule of trace propagation (instrumentations/lib/url.ts): Deno
 * run with `--location` has a `location`, but a server has no page origin to trust.
 * @packageDocumentation
 */

/** True in the default build; false in the edge build (Cloudflare Workers, Deno). */
export const BROWSER: boolean = true;

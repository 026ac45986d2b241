/**
 * The edge build's twin of `platform.ts` (see there): no page, so no page-only code.
 * @packageDocumentation
 */

/** True in the default build; false in the edge build (Cloudflare Workers, Deno). */
export const BROWSER: boolean = false;

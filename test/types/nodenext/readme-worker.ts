// README.md, quick start 3 (an edge worker), Cloudflare Workers, as it is there
// (package-types.test.ts checks that README.md still contains the code below the marker).
// ---- README.md ----
// Cloudflare Workers (wrangler.toml: compatibility_flags = ["nodejs_als"])
import { instrument } from 'otelite/cloudflare';
interface Env { API: string } // your bindings (or the Env that `wrangler types` writes)
export default instrument({ async fetch(req, env: Env, ctx) { return fetch(env.API) } }, (env) => ({ serviceName: 'api' }));

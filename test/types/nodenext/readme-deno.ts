// README.md, quick start 3 (an edge worker), Deno, as it is there but for `npm:` (which only
// Deno resolves; package-types.test.ts checks that README.md still contains the code below the
// marker). `Deno.serve` from deno-globals.ts.
// ---- README.md ----
// Deno
import { instrument } from 'otelite/deno';
Deno.serve(instrument((req) => new Response('hi'), { serviceName: 'api' }));

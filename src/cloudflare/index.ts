/**
 * otelite/cloudflare: tracing for Cloudflare Workers (module syntax), and the OTLP relay.
 *
 * ```ts
 * import { instrument } from 'otelite/cloudflare';
 * export default instrument({ async fetch(req, env, ctx) { ... } }, (env) => ({ serviceName: 'shop-api' }));
 * ```
 * Needs `compatibility_flags = ["nodejs_als"]` (or `"nodejs_compat"`) for AsyncLocalStorage.
 * @packageDocumentation
 */
import { report, warnConfig } from '../lib/diag';
import { objectEnv, type EdgeConfig } from '../lib/edge/config';
import { createRelay, type RelayConfig } from '../lib/edge/relay';
import { createEdgeSdk, type EdgeSdk } from '../lib/edge/sdk';
import { serveEvent, serveRequest, type Keep } from '../lib/edge/server';
import type { Attributes } from '../lib/types';

export type { EdgeConfig, SamplerName } from '../lib/edge/config';
export type { RelayConfig } from '../lib/edge/relay';

/** The part of the Workers `ExecutionContext` otelite uses. */
export interface ExecutionContextLike {
  /** Keeps the invocation alive until `promise` settles. */
  waitUntil(promise: Promise<unknown>): void;
}

/** A config object, or a function that makes one from the worker's `env` (secrets and vars). */
export type ConfigOrFactory<C, E> = C | ((env: E) => C);

const FLAG = 'Add compatibility_flags = ["nodejs_als"] (or "nodejs_compat") to the Worker\'s wrangler config.';

/** The invocation of handler method `m` with argument `x`, traced: a SERVER or CONSUMER span. */
function serve(s: EdgeSdk, m: string, x: never, keep: Keep, call: () => unknown): unknown {
  let a: Attributes;
  try {
    if (m == 'fetch') {
      const req = x as Request;
      return serveRequest(s, req, keep, call as () => Response, req.headers.get('cf-connecting-ip'), { 'faas.trigger': 'http' });
    }
    if (m == 'scheduled') {
      const c = x as { cron: string; scheduledTime: number };
      const t = new Date(c.scheduledTime);
      return serveEvent(s, m, 1, { 'faas.trigger': 'timer', 'faas.cron': c.cron, 'faas.time': isNaN(+t) ? undefined : t.toISOString() }, keep, call);
    }
    const b = x as { queue: string; messages: readonly unknown[] };
    a = {
      'faas.trigger': 'pubsub',
      'messaging.system': 'cloudflare_queues',
      'messaging.destination.name': b.queue,
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.batch.message_count': b.messages.length,
    };
  } catch (e) {
    // an argument not of the runtime's shape: the handler runs untraced
    report(0, 'not traced', e);
    return call();
  }
  return serveEvent(s, 'process ' + a['messaging.destination.name'], 4, a, keep, call);
}

/**
 * Wraps a module Worker's handler object: `export default instrument(handler, config)`.
 *
 * - `fetch`: a SERVER span per request (stable HTTP semantic conventions, `client.address` from
 *   `cf-connecting-ip`), continuing the caller's `traceparent`/`tracestate`/`baggage`; the
 *   response comes back unchanged but for `Server-Timing: traceparent;desc=...` on HTML (so the
 *   page's document-load span joins the trace); an exception is recorded and rethrown as is.
 * - `scheduled` (`faas.trigger` `timer`, `faas.cron`) and `queue` (CONSUMER, `faas.trigger`
 *   `pubsub`, messaging attributes): a span per invocation.
 * - Outgoing `fetch` is traced and carries the trace, also when started in `ctx.waitUntil`.
 * - The spans of an invocation are exported through `ctx.waitUntil` after the response, once
 *   the invocation's own spans have ended (at most 10 s later): the response is never delayed.
 *
 * `config` is an {@link EdgeConfig} or a function of `env` returning one; `OTEL_*` variables in
 * `env` fill what it leaves out. Setup happens at the first invocation (workerd allows no timers
 * or random numbers at global scope) and is kept for the isolate's life. The handler's own
 * methods get the very `request`, `env` and `ctx` objects the runtime passed, with `this` the
 * handler object. Other handler methods (`email`, `tail`, ...) pass through untraced.
 * Class-based entrypoints (`WorkerEntrypoint`) are not supported: they are returned unchanged.
 */
export function instrument<H extends object, E = Record<string, unknown>>(
  handler: H,
  config?: ConfigOrFactory<EdgeConfig, E>,
): H {
  if (typeof handler != 'object' || !handler) {
    warnConfig('handler', typeof handler, 'it, not instrumented');
    return handler;
  }
  const out = { ...handler } as Record<string, unknown>;
  let setup: Promise<EdgeSdk | undefined> | undefined;
  /** the SDK once set up (undefined: not yet, or disabled) */
  let sdk: EdgeSdk | undefined;
  for (const m of ['fetch', 'scheduled', 'queue']) {
    const fn = (handler as Record<string, unknown>)[m];
    if (typeof fn == 'function') {
      out[m] = (x: never, env: E, ctx: ExecutionContextLike) => {
        const call = () => fn.call(handler, x, env, ctx);
        const go = (s?: EdgeSdk) => (s ? serve(s, m, x, { w: (p) => ctx.waitUntil(p) }, call) : call());
        // once set up, no extra await per request
        return sdk
          ? go(sdk)
          : (setup ||= createEdgeSdk(
              () => (typeof config == 'function' ? (config as (env: E) => EdgeConfig)(env) : config),
              objectEnv(env),
              'otelite/cloudflare',
              FLAG,
            ).then((s) => (sdk = s))).then(go);
      };
    }
  }
  return out as H;
}

/**
 * The OTLP relay as a Worker `fetch` handler: `export default { fetch: relay(config) }`, or call
 * it from your own handler for the paths you route to it (`return otlp(request, env)`). It
 * accepts `POST .../v1/traces`, `.../v1/metrics`, `.../v1/logs` from the allowed page origins
 * and forwards them to the collector with the secret headers added; see {@link RelayConfig}.
 * `config` may be a function of `env` (to read secrets); `OTEL_EXPORTER_OTLP_ENDPOINT` and
 * `OTEL_EXPORTER_OTLP_HEADERS` in `env` fill what it leaves out.
 */
export function relay<E = Record<string, unknown>>(
  config?: ConfigOrFactory<RelayConfig, E>,
): (request: Request, env?: E) => Promise<Response> {
  return createRelay<E | undefined>(
    (env) => (typeof config == 'function' ? config(env as E) : config),
    objectEnv,
  );
}

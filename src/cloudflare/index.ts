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
import { warnConfig, report } from '../lib/diag';
import { objectEnv, type EdgeConfig } from '../lib/edge/config';
import { createRelay, type RelayConfig } from '../lib/edge/relay';
import { createEdgeSdk, type EdgeSdk } from '../lib/edge/sdk';
import { serveEvent, serveRequest, type Keep } from '../lib/edge/server';
import type { Attributes } from '../lib/types';
import type { SpanKind } from '../trace/types';

export type { EdgeConfig, SamplerName } from '../lib/edge/config';
export type { RelayConfig } from '../lib/edge/relay';

/** The part of the Workers `ExecutionContext` otelite uses. */
export interface ExecutionContextLike {
  /** Keeps the invocation alive until `promise` settles. */
  waitUntil(promise: Promise<unknown>): void;
}

/** A config object, or a function that makes one from the worker's `env` (secrets and vars). */
export type ConfigOrFactory<C, E> = C | ((env: E) => C);

/** The handler methods otelite traces; the rest of the handler object passes through. */
interface Traced<E> {
  fetch?(request: Request, env: E, ctx: ExecutionContextLike): Response | Promise<Response>;
  scheduled?(controller: { cron: string; scheduledTime: number }, env: E, ctx: ExecutionContextLike): unknown;
  queue?(batch: { queue: string; messages: readonly unknown[] }, env: E, ctx: ExecutionContextLike): unknown;
}

const FLAG = 'Add compatibility_flags = ["nodejs_als"] (or "nodejs_compat") to the Worker\'s wrangler config.';

const keep = (ctx: ExecutionContextLike): Keep => ({ w: (p) => ctx.waitUntil(p) });

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
  const h = handler as Traced<E>;
  const out = { ...handler } as H & Traced<E>;
  let setup: Promise<EdgeSdk | undefined> | undefined;
  /** the SDK once set up (undefined: not yet, or disabled) */
  let sdk: EdgeSdk | undefined;
  const sdkOf = (env: E): Promise<EdgeSdk | undefined> =>
    (setup ||= (async () => {
      try {
        const c = typeof config == 'function' ? config(env) : config;
        return (sdk = await createEdgeSdk(c || {}, objectEnv(env), 'otelite/cloudflare', FLAG));
      } catch (e) {
        report(0, 'setup failed', e);
      }
    })());

  if (typeof h.fetch == 'function') {
    const traced = (s: EdgeSdk | undefined, req: Request, env: E, ctx: ExecutionContextLike) => {
      const call = () => h.fetch!(req, env, ctx);
      return s
        ? serveRequest(s, req, keep(ctx), call, req.headers.get('cf-connecting-ip'), { 'faas.trigger': 'http' })
        : call();
    };
    // once set up, no extra await per request
    out.fetch = (req, env, ctx) => (sdk ? traced(sdk, req, env, ctx) : sdkOf(env).then((s) => traced(s, req, env, ctx)));
  }
  // the other invocations: a span each, a root of its own trace
  const events: [keyof Traced<E>, (x: never) => [string, SpanKind, Attributes]][] = [
    [
      'scheduled',
      (c: { cron: string; scheduledTime: number }) => {
        const t = new Date(c.scheduledTime);
        const a: Attributes = { 'faas.trigger': 'timer', 'faas.cron': c.cron };
        if (!isNaN(+t)) a['faas.time'] = t.toISOString();
        return ['scheduled', 1, a];
      },
    ],
    [
      'queue',
      (b: { queue: string; messages: readonly unknown[] }) => [
        'process ' + b.queue,
        4,
        {
          'faas.trigger': 'pubsub',
          'messaging.system': 'cloudflare_queues',
          'messaging.destination.name': b.queue,
          'messaging.operation.type': 'process',
          'messaging.operation.name': 'process',
          'messaging.batch.message_count': b.messages.length,
        },
      ],
    ],
  ];
  for (const [m, describe] of events) {
    const fn = h[m] as ((x: unknown, env: E, ctx: ExecutionContextLike) => unknown) | undefined;
    if (typeof fn == 'function') {
      (out as Record<string, unknown>)[m] = async (x: never, env: E, ctx: ExecutionContextLike) => {
        const s = await sdkOf(env);
        const call = () => fn.call(h, x, env, ctx);
        return s ? serveEvent(s, ...describe(x), keep(ctx), call) : call();
      };
    }
  }
  return out;
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

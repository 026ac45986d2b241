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

// The handler shapes below are declared here (no dependency on @cloudflare/workers-types) as
// the subset of workers-types' that a handler may use: a handler typed with workers-types
// (`ExportedHandler<Env>`, `ExecutionContext`, `MessageBatch`) passes in, and one typed by
// these passes where workers-types' are expected, both ways structurally.

/** The Workers `ExecutionContext` (the third argument of every handler method), its stable part. */
export interface ExecutionContextLike {
  /** Keeps the invocation alive until `promise` settles. */
  waitUntil(promise: Promise<unknown>): void;
  /** On an uncaught exception, forwards the request to the origin instead of failing it. */
  passThroughOnException(): void;
}

/** The `controller` argument of a Worker's `scheduled` handler (a Cron Trigger). */
export interface ScheduledControllerLike {
  /** When the invocation was scheduled, epoch ms. */
  readonly scheduledTime: number;
  /** The cron pattern that triggered it. */
  readonly cron: string;
  /** Asks the runtime not to retry this invocation if it fails. */
  noRetry(): void;
}

/** One message of a Queues batch. */
export interface MessageLike<Body = unknown> {
  /** The message's id. */
  readonly id: string;
  /** When it was sent. */
  readonly timestamp: Date;
  /** The message's body. */
  readonly body: Body;
  /** How many times delivery has been attempted (1 the first time). */
  readonly attempts: number;
  /** Marks the message for redelivery. */
  retry(options?: { delaySeconds?: number }): void;
  /** Acknowledges the message: it is not redelivered, whatever happens to the batch. */
  ack(): void;
}

/** The `batch` argument of a Worker's `queue` handler (a Queues consumer). */
export interface MessageBatchLike<Body = unknown> {
  /** The queue's name. */
  readonly queue: string;
  /** The messages of the batch. */
  readonly messages: readonly MessageLike<Body>[];
  /** Marks every message of the batch for redelivery. */
  retryAll(options?: { delaySeconds?: number }): void;
  /** Acknowledges every message of the batch. */
  ackAll(): void;
}

/**
 * A module Worker's handler object, as {@link instrument} takes it: `fetch`, `scheduled` and
 * `queue` are traced; any other member (`email`, `tail`, your own) is kept as it is. Declared
 * as methods, so that a handler whose parameters are typed more narrowly (workers-types'
 * `ExecutionContext`, your own `MessageBatch<Body>`) still fits; a handler whose parameters
 * are not typed gets these types.
 */
export interface WorkerHandler<E = Record<string, unknown>> {
  /** An HTTP request: traced as a SERVER span. */
  fetch?(request: Request, env: E, ctx: ExecutionContextLike): Response | Promise<Response>;
  /** A Cron Trigger: traced as a span with `faas.trigger` `timer`. */
  scheduled?(controller: ScheduledControllerLike, env: E, ctx: ExecutionContextLike): void | Promise<void>;
  /** A Queues batch: traced as a CONSUMER span with `faas.trigger` `pubsub`. */
  queue?(batch: MessageBatchLike, env: E, ctx: ExecutionContextLike): void | Promise<void>;
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
 *
 * Types: parameters left unannotated get {@link WorkerHandler}'s (`Request`, `E`,
 * {@link ExecutionContextLike}, ...). `E`, the type of `env`, comes from an annotated `env` of a
 * handler method or of the config function (or `instrument<Env>(...)`), else it is
 * `Record<string, unknown>`. The result has the handler's own type, so a handler typed with
 * workers-types (`ExportedHandler<Env>`) stays one.
 *
 * @typeParam E - the type of the Worker's `env` (its bindings)
 * @typeParam H - the handler object's own type, returned as it is
 */
export function instrument<E = Record<string, unknown>, H extends WorkerHandler<E> = WorkerHandler<E> & Record<string, unknown>>(
  // `& WorkerHandler<E>`: E is inferred from a handler's typed `env` parameter too, not only
  // from the config function's (H alone would take E's default and reject an `env: Env`).
  // H's default, for `instrument<Env>(...)`, keeps the handler's other members allowed.
  handler: H & WorkerHandler<E>,
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

/**
 * The handler types of `instrument()` (otelite/cloudflare, otelite/deno), as an app sees them:
 * unannotated parameters get types (strict mode, no implicit any), `env` takes its type from an
 * annotation on a handler method or the config function, the handler's other members stay, and
 * handlers typed with the runtimes' own types fit both ways. `@ts-expect-error` lines check that
 * a type is not `any` (an `any` would make them unused, which fails).
 */
import { instrument, type ExecutionContextLike, type WorkerHandler } from 'otelite/cloudflare';
import { instrument as instrumentDeno } from 'otelite/deno';
import './deno-globals.js';

interface Env {
  API: string;
  QUEUE_NAME: string;
}

// ---- Workers: parameters typed without annotations ----
export const untyped = instrument({
  async fetch(req, env, ctx) {
    ctx.waitUntil(Promise.resolve());
    ctx.passThroughOnException();
    const url: string = req.url;
    // @ts-expect-error: ctx is not any
    ctx.notAMethod();
    // @ts-expect-error: env is Record<string, unknown> when nothing says otherwise
    await fetch(env.API);
    return fetch(url);
  },
  async scheduled(controller, _env, ctx) {
    const when: number = controller.scheduledTime;
    ctx.waitUntil(Promise.resolve(controller.cron + when));
    controller.noRetry();
  },
  async queue(batch, _env, _ctx) {
    for (const m of batch.messages) m.attempts > 3 ? m.ack() : m.retry({ delaySeconds: 5 });
    const name: string = batch.queue;
    if (!name) batch.retryAll();
  },
  // the handler's other members are kept, with their types
  name: 'shop',
  email(message: { from: string }) {
    return message.from;
  },
});
export const kept: [string, string] = [untyped.name, untyped.email({ from: 'a@b' })];

// ---- Workers: env from the config function's annotation ----
export const fromConfig = instrument({ fetch: (req, env) => fetch(env.API + req.url) }, (env: Env) => ({ serviceName: env.QUEUE_NAME }));

// ---- Workers: env from a handler method's annotation, the config function then typed by it ----
export const fromHandler = instrument(
  {
    async fetch(req, env: Env, ctx) {
      ctx.waitUntil(fetch(env.QUEUE_NAME));
      // @ts-expect-error: env is Env
      return fetch(env.NOPE + req.url);
    },
  },
  (env) => ({ propagateTo: [env.API] }),
);

// ---- Workers: env given explicitly, other members still allowed ----
export const explicit = instrument<Env>({ fetch: (_req, env) => fetch(env.API), version: 2 });

// ---- Workers: handlers typed like @cloudflare/workers-types (function-typed members, a richer
// ExecutionContext, MessageBatch with metadata) go in and come out as they were ----
namespace Workers {
  export interface ExecutionContext<Props = unknown> {
    waitUntil(promise: Promise<unknown>): void;
    passThroughOnException(): void;
    readonly props: Props;
    abort(reason?: unknown): void;
  }
  export interface ScheduledController {
    readonly scheduledTime: number;
    readonly cron: string;
    noRetry(): void;
  }
  export interface Message<Body = unknown> {
    readonly id: string;
    readonly timestamp: Date;
    readonly body: Body;
    readonly attempts: number;
    retry(options?: { delaySeconds?: number }): void;
    ack(): void;
  }
  export interface MessageBatch<Body = unknown> {
    readonly messages: readonly Message<Body>[];
    readonly queue: string;
    readonly metadata: { metrics: { backlogCount: number } };
    retryAll(options?: { delaySeconds?: number }): void;
    ackAll(): void;
  }
  export interface ExportedHandler<E = unknown, M = unknown> {
    fetch?: (request: Request, env: E, ctx: ExecutionContext) => Response | Promise<Response>;
    scheduled?: (controller: ScheduledController, env: E, ctx: ExecutionContext) => void | Promise<void>;
    queue?: (batch: MessageBatch<M>, env: E, ctx: ExecutionContext) => void | Promise<void>;
    email?: (message: { from: string }, env: E, ctx: ExecutionContext) => void | Promise<void>;
  }
}
declare const typedHandler: Workers.ExportedHandler<Env, { id: number }>;
export const wrapped: Workers.ExportedHandler<Env, { id: number }> = instrument(typedHandler, (env) => ({ serviceName: env.API }));
export const annotated = instrument({
  async fetch(_req: Request, env: Env, ctx: Workers.ExecutionContext) {
    ctx.abort();
    return fetch(env.API);
  },
  async queue(batch: Workers.MessageBatch<{ id: number }>) {
    batch.messages[0]?.body.id.toFixed();
  },
});
// and what otelite typed fits where the workers types are expected
export const back: Workers.ExportedHandler<Env> = instrument({
  async fetch(req, env: Env, ctx) {
    ctx.waitUntil(Promise.resolve());
    return fetch(env.API + req.url);
  },
  async queue(batch) {
    batch.ackAll();
  },
});
export const backExplicit: Workers.ExportedHandler<Env> = instrument<Env>({ fetch: (_req, env) => fetch(env.API), name: 'x' });
export const shape: WorkerHandler<Env> = back;
export const context: ExecutionContextLike = {} as Workers.ExecutionContext;

// ---- Deno: info typed, Deno's own types fit both ways ----
Deno.serve(
  instrumentDeno((req, info) => {
    const host: string | undefined = info.remoteAddr.hostname;
    // @ts-expect-error: info is not any
    info.notAField;
    return new Response(req.url + host);
  }),
);
Deno.serve(instrumentDeno((_req: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>) => new Response(info.remoteAddr.hostname)));
declare const denoTyped: Deno.ServeHandler<Deno.NetAddr>;
Deno.serve(instrumentDeno(denoTyped, { serviceName: 'api' }));
Deno.serve({ path: '/tmp/s' }, instrumentDeno((_req, info) => new Response(info.remoteAddr.path)));
export default instrumentDeno({ fetch: (req, info) => new Response(req.url + info.remoteAddr.transport) }) satisfies Deno.ServeDefaultExport;

/**
 * The SDK of an edge handler wrapper, set up at its first request (workerd forbids timers and
 * random numbers at global scope) and reused by every later one: tracer provider with a batch
 * processor that exports only when flushed, the OTLP exporter, W3C propagators, the async
 * context manager and the fetch instrumentation. Plus the request scopes that decide when a
 * request's spans are flushed.
 * @packageDocumentation
 */
import { AsyncContextManager } from '../../context/async';
import type { Context } from '../../context/types';
import { OTLPTraceExporter } from '../../exporters/otlp-http-json/traces';
import { fetchInstrumentation } from '../../instrumentations/fetch/fetch';
import { BatchSpanProcessor } from '../../trace/batch-processor';
import { TracerProvider } from '../../trace/provider';
import { resourceFromAttributes } from '../../trace/resource';
import { samplerFromName } from '../../trace/sampler-name';
import type { ReadableSpan, SpanProcessor } from '../../trace/sdk-types';
import type { Tracer } from '../../trace/types';
import { propagatorFrom } from '../config';
import { VERSION } from '../version';
import { resolveEdge, type EdgeConfig, type EnvReader, type ServerOptions } from './config';

/** A running edge SDK. */
export interface EdgeSdk {
  /** The tracer of the adapter's own spans. */
  t: Tracer;
  /** Exports everything queued; concurrent calls share at most one export in flight plus one after it. */
  f: () => Promise<void>;
  /** SERVER span options. */
  o: ServerOptions;
  /** AsyncLocalStorage was found (else outgoing fetch is not traced: its parent could not be known). */
  a: boolean;
}

/**
 * How long a request's flush waits for the spans of its own work (outgoing fetches, also those
 * handed to `ctx.waitUntil`) to end before it exports without them. They still go out with a
 * later flush.
 */
const WAIT = 10_000;

/** After this long a flush in flight is presumed dead (the runtime cancelled its invocation). */
const STALE = 30_000;

/**
 * A request's scope: the spans started inside it (in its context) that have not ended. When
 * the handler is done and none is open, the request's spans are complete and get flushed.
 */
interface Scope {
  /** spans open */
  n: number;
  /** the handler is done */
  c?: boolean;
  /** called when the handler is done and no span is open */
  i?: () => void;
  /** hands a promise to the runtime so that the request lives until it settles (`ctx.waitUntil`) */
  w: (p: Promise<unknown>) => void;
  /** lets a timer not keep the process alive (Deno) */
  u?: (timer: ReturnType<typeof setTimeout>) => void;
}

const SCOPE = Symbol('otelite edge scope');
const open = new WeakMap<ReadableSpan, Scope>();

/** Counts the spans of each request scope (the scope is read from the span's parent context). */
const scopes: SpanProcessor = {
  onStart(span, ctx) {
    const s = ctx.getValue(SCOPE) as Scope | undefined;
    if (s) {
      s.n++;
      open.set(span, s);
    }
  },
  onEnd(span) {
    const s = open.get(span);
    if (s) {
      open.delete(span);
      if (!--s.n && s.c) s.i?.();
    }
  },
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

/**
 * `ctx` carrying a new request scope. Spans started in it (and in contexts derived from it, such
 * as an outgoing fetch inside `ctx.waitUntil`) are counted; see {@link closeScope}.
 */
export const openScope = (
  ctx: Context,
  w: Scope['w'],
  u?: Scope['u'],
): Context => ctx.setValue(SCOPE, { n: 0, w, u });

/**
 * Marks the handler of `ctx`'s scope done, and hands the runtime (`scope.w`) the flush of its
 * spans: once every span of the scope has ended, or after {@link WAIT} ms. A span of the scope
 * that starts and ends after that flush (work the handler left running) hands over another one.
 */
export function closeScope(ctx: Context, flush: () => Promise<void>): void {
  const s = ctx.getValue(SCOPE) as Scope;
  s.c = true;
  const later = (): void => {
    try {
      s.w(flush());
    } catch {
      // the request is over (workerd refuses waitUntil then): a later flush exports the spans
    }
  };
  if (!s.n) return (s.i = later), later();
  s.w(
    new Promise<void>((resolve) => {
      const t = setTimeout(() => s.i!(), WAIT);
      s.u?.(t);
      s.i = () => {
        clearTimeout(t);
        s.i = later;
        resolve(flush());
      };
    }),
  );
}

let alsWarned = false;

/**
 * Sets the SDK up. `undefined` when `disabled`. Never rejects: a failure leaves the handler
 * untraced (reported through `diag`), never broken.
 *
 * @param config - the user's config, already a plain object
 * @param env - reads `OTEL_*` variables
 * @param name - the adapter's name (`otelite/cloudflare`), the scope of its spans
 * @param flag - what to tell a user whose runtime lacks AsyncLocalStorage
 * @param fetchOptions - overrides for the fetch instrumentation (Deno's own telemetry: no propagation)
 */
export async function createEdgeSdk(
  config: EdgeConfig,
  env: EnvReader,
  name: string,
  flag: string,
  fetchOptions?: { propagateTo?: [] },
): Promise<EdgeSdk | undefined> {
  const c = resolveEdge(config, env);
  if (c.disabled) return;
  const a = await AsyncContextManager.load();
  if (!a && !alsWarned) {
    alsWarned = true;
    console.error(`${name}: AsyncLocalStorage is missing, so outgoing requests are not traced. ${flag}`);
  }
  const provider = new TracerProvider({
    resource: resourceFromAttributes(c.resourceAttributes),
    sampler: samplerFromName(c.sampler, c.samplerArg),
    // the batch processor first: a scope's last span must be queued before its flush drains the queue
    spanProcessors: [
      // retries must end within the ~30 s workerd gives waitUntil work after the response
      new BatchSpanProcessor(c.exporter || new OTLPTraceExporter({ maxRetryElapsedMillis: 20_000, ...c, url: env('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') }), {
        scheduledDelayMillis: Infinity,
      }),
      scopes,
    ],
  });
  // Without AsyncLocalStorage the stack manager at least keeps the synchronous part right.
  provider.register({ contextManager: a ? new AsyncContextManager() : undefined, propagator: propagatorFrom(c.propagators) });
  // without AsyncLocalStorage an outgoing request's parent cannot be known
  if (a && c.fetch) fetchInstrumentation({ ...c, ...fetchOptions }).enable();
  let run: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  let since = 0;
  const f = (): Promise<void> => {
    // A flush that outlived its invocation (workerd cancels waitUntil work 30 s after the
    // response) never settles: later requests must not queue behind it forever.
    if (run && Date.now() - since > STALE) run = next = undefined;
    if (run) return (next ||= run.then(() => ((next = undefined), f())));
    since = Date.now();
    const p: Promise<void> = provider.forceFlush().finally(() => {
      if (run === p) run = undefined;
    });
    return (run = p);
  };
  return { t: provider.getTracer(name, VERSION), f, o: c, a };
}

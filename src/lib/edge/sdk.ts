/**
 * The SDK of an edge handler wrapper, set up at its first request (workerd forbids timers and
 * random numbers at global scope) and reused by every later one: tracer provider, the OTLP
 * exporter, W3C propagators, the async context manager and the fetch instrumentation, and one
 * span processor of its own that keeps the request scopes (which decide when a request's spans
 * are flushed) and the bounded queue that each flush empties.
 * @packageDocumentation
 */
import { AsyncContextManager } from '../../context/async';
import type { Context } from '../../context/types';
import { OTLPTraceExporter } from '../../exporters/otlp-http-json/traces';
import { fetchInstrumentation } from '../../instrumentations/fetch/fetch';
import { TracerProvider } from '../../trace/provider';
import { resourceFromAttributes } from '../../trace/resource';
import { samplerFromName } from '../../trace/sampler-name';
import type { ReadableSpan, SpanExporter, SpanProcessor } from '../../trace/sdk-types';
import { contextOf, type RecordingSpan } from '../../trace/span';
import type { Tracer } from '../../trace/types';
import { propagatorFrom } from '../config';
import { report, reportOnce } from '../diag';
import { VERSION } from '../version';
import { resolveEdge, type EdgeConfig, type EnvReader, type ServerOptions } from './config';
import type { Keep } from './server';

/** A running edge SDK. */
export interface EdgeSdk {
  /** The tracer of the adapter's own spans. */
  t: Tracer;
  /**
   * Exports everything queued when called: a call while a flush runs shares the one follow-up
   * chained after it (never rejects).
   */
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

/** Spans kept waiting at most (the specification's default queue size); more are dropped. */
const MAX_QUEUE = 2048;

/** Spans per export at most (the specification's default batch size). */
const BATCH = 512;

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
  /** how to keep the runtime alive for a promise (`ctx.waitUntil`), and unref a timer (Deno) */
  k: Keep;
}

const SCOPE = Symbol();

/**
 * The edge's one span processor, in place of a batch processor (whose timers, page-exit hook
 * and export scheduling a worker has no use for: it exports only when flushed). It counts the
 * open spans of each request scope (read from the span's parent context), and queues ended,
 * sampled spans, at most {@link MAX_QUEUE} (more are dropped, reported once).
 *
 * `forceFlush` exports what was queued when it started (so that it ends, however steady the
 * traffic), in batches of {@link BATCH}, one export at a time, and never rejects. A call while a
 * flush runs gets a follow-up flush chained after it, one shared by every such call (it exports
 * what they queued), so a burst of requests makes few exports and each request's promise
 * settles once its own spans are out. A flush that made no progress for {@link STALE} ms (workerd
 * cancels `waitUntil` work 30 s after the response, so its exporter never answers) is left
 * behind: later requests must not wait on it forever, and it exports nothing more should it
 * wake up.
 */
function processor(exporter: SpanExporter): SpanProcessor {
  const q: ReadableSpan[] = [];
  const open = new WeakMap<ReadableSpan, Scope>();
  /** the flush running, its follow-up, its generation (bumped when it is left behind) */
  let run: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  let gen = 0;
  /** when the flush running last made progress (started, or an export of it settled) */
  let last = 0;
  const send = (batch: ReadableSpan[]): Promise<void> =>
    new Promise<void>((resolve) => {
      const done = (e?: unknown): void => {
        if (e) report(0, 'export failed', e);
        resolve();
      };
      try {
        exporter.export(batch, (r) => done(r.code && (r.error || r.code)));
      } catch (e) {
        done(e);
      }
    });
  // Only the flush running takes from the front of the queue, and spans are only appended, so
  // the first `n` spans stay the ones queued when it was called.
  const flush = async (g: number): Promise<void> => {
    let n = q.length;
    // then a tick, so that `run` is set before an empty queue ends the flush
    await 0;
    for (; n > 0; n -= BATCH) {
      await send(q.splice(0, n < BATCH ? n : BATCH));
      // left behind as stale: a newer flush owns the queue now
      if (g != gen) return;
      last = Date.now();
    }
    run = undefined;
  };
  const forceFlush = (): Promise<void> => {
    if (run && Date.now() - last > STALE) (run = next = undefined), gen++;
    if (run) return (next ||= run.then(() => ((next = undefined), forceFlush())));
    last = Date.now();
    return (run = flush(gen));
  };
  return {
    onStart(span, ctx) {
      const s = ctx.getValue(SCOPE) as Scope | undefined;
      if (s) s.n++, open.set(span, s);
    },
    onEnd(span) {
      // queued first: a scope's last span must be in the queue before its flush drains it
      if (contextOf(span as RecordingSpan).traceFlags & 1) {
        if (q.length < MAX_QUEUE) q.push(span);
        else reportOnce('bsp.full', 'queue full, dropping spans');
      }
      const s = open.get(span);
      if (s && open.delete(span) && !--s.n && s.c) s.i!();
    },
    forceFlush,
    async shutdown() {},
  };
}

/**
 * `ctx` carrying a new request scope. Spans started in it (and in contexts derived from it, such
 * as an outgoing fetch inside `ctx.waitUntil`) are counted; see {@link closeScope}.
 */
export const openScope = (ctx: Context, k: Keep): Context => ctx.setValue(SCOPE, { n: 0, k });

/**
 * Marks the handler of `ctx`'s scope done, and hands the runtime (`keep.w`) the flush of its
 * spans: once every span of the scope has ended, or after {@link WAIT} ms. A span of the scope
 * that starts and ends after that flush (work the handler left running) hands over another one.
 */
export function closeScope(ctx: Context, flush: () => Promise<void>): void {
  const s = ctx.getValue(SCOPE) as Scope;
  const k = s.k;
  const later = (): void => {
    try {
      k.w(flush());
    } catch {
      // the request is over (workerd refuses waitUntil then): a later flush exports the spans
    }
  };
  s.c = true;
  if (!s.n) return (s.i = later)();
  k.w(
    new Promise<void>((resolve) => {
      const t = setTimeout(() => s.i!(), WAIT);
      k.u?.(t);
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
 * Sets the SDK up. `undefined` when `disabled`. Never rejects: a failure (a config function that
 * throws included) leaves the handler untraced (reported through `diag`), never broken.
 *
 * @param config - makes the user's config (called here, inside the guard: a config function of the user's may throw)
 * @param env - reads `OTEL_*` variables
 * @param name - the adapter's name (`otelite/cloudflare`), the scope of its spans
 * @param flag - what to tell a user whose runtime lacks AsyncLocalStorage
 * @param fetchOptions - overrides for the fetch instrumentation (Deno's own telemetry: no propagation)
 */
export async function createEdgeSdk(
  config: () => EdgeConfig | undefined,
  env: EnvReader,
  name: string,
  flag: string,
  fetchOptions?: { propagateTo?: [] },
): Promise<EdgeSdk | undefined> {
  try {
    const c = resolveEdge(config() || {}, env);
    if (c.disabled) return;
    const a = await AsyncContextManager.load();
    if (!a && !alsWarned) {
      alsWarned = true;
      console.error(`${name}: AsyncLocalStorage is missing, so outgoing requests are not traced. ${flag}`);
    }
    const p = processor(
      // retries must end within the ~30 s workerd gives waitUntil work after the response
      c.exporter || new OTLPTraceExporter({ maxRetryElapsedMillis: 20_000, ...c, url: env('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') }),
    );
    const provider = new TracerProvider({
      resource: resourceFromAttributes(c.resourceAttributes),
      sampler: samplerFromName(c.sampler, c.samplerArg),
      spanProcessors: [p],
    });
    // Without AsyncLocalStorage the stack manager at least keeps the synchronous part right.
    provider.register({ contextManager: a ? new AsyncContextManager() : undefined, propagator: propagatorFrom(c.propagators) });
    // without AsyncLocalStorage an outgoing request's parent cannot be known
    if (a && c.fetch) fetchInstrumentation({ ...c, ...fetchOptions }).enable();
    return { t: provider.getTracer(name, VERSION), f: p.forceFlush, o: c, a };
  } catch (e) {
    report(0, 'setup failed', e);
  }
}

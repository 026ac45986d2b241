/**
 * otelite/deno: tracing for `Deno.serve` handlers, and the OTLP relay.
 *
 * ```ts
 * import { instrument } from 'otelite/deno';
 * Deno.serve(instrument((req) => new Response('hi'), { serviceName: 'shop-api' }));
 * ```
 * @packageDocumentation
 */
import { ROOT_CONTEXT } from '../context/context';
import type { Context } from '../context/types';
import { report } from '../lib/diag';
import type { EdgeConfig, EnvReader } from '../lib/edge/config';
import { createRelay, type RelayConfig } from '../lib/edge/relay';
import { createEdgeSdk, type EdgeSdk } from '../lib/edge/sdk';
import { serveRequest, type Keep } from '../lib/edge/server';
import { getSpan, setSpanContext } from '../trace/api';
import { isSpanContextValid } from '../trace/span-context';

export type { EdgeConfig, SamplerName } from '../lib/edge/config';
export type { RelayConfig } from '../lib/edge/relay';

/**
 * The second argument of a `Deno.serve` handler: Deno's `Deno.ServeHandlerInfo`, loosened to fit
 * every listener kind (TCP, Unix socket, VSOCK) and a hand-written subset of it, so that a handler
 * typed either way fits {@link DenoHandler}. Annotate `info: Deno.ServeHandlerInfo<Deno.NetAddr>`
 * for Deno's exact types.
 */
export interface ServeHandlerInfoLike {
  /** The peer's address: `hostname` and `port` over TCP, `path` over a Unix socket. */
  remoteAddr: { transport?: string; hostname?: string; port?: number; path?: string };
  /** Settles when the response has been sent; rejects when it could not be. */
  completed?: Promise<void>;
}

/**
 * A `Deno.serve` handler. An untyped handler gets these parameter types; one typed with Deno's
 * own (`Deno.ServeHandler`, `Deno.ServeHandlerInfo<Deno.NetAddr>`) fits as well, since the
 * parameters are compared both ways (a method's, not a function's: hence the indexed access).
 */
export type DenoHandler = {
  m(request: Request, info: ServeHandlerInfoLike): Response | Promise<Response>;
}['m'];

/** The parts of the `Deno` global used here, all optional (Deno Deploy, older versions). */
interface DenoLike {
  env?: { get(key: string): string | undefined };
  permissions?: { querySync?(d: { name: 'env'; variable: string }): { state: string } };
  telemetry?: { contextManager?: { active(): Context } };
  unrefTimer?(id: number): void;
}

const deno = (): DenoLike | undefined => (globalThis as { Deno?: DenoLike }).Deno;

/**
 * Reads an environment variable only when the permission is granted already: asking for it
 * would prompt in a terminal, and reading without it throws. Without `--allow-env` the
 * variables are simply not read.
 */
const denoEnv: EnvReader = (k) => {
  try {
    const d = deno();
    if (d?.permissions?.querySync?.({ name: 'env', variable: k }).state == 'granted') return d.env?.get(k);
  } catch {
    // no permission API: not read
  }
};

/**
 * The context of Deno's own telemetry (`OTEL_DENO=true`) when it has a span active: Deno then
 * traces `Deno.serve` and `fetch` itself and appends its own `traceparent` to every outgoing
 * request. otelite defers to it: its SERVER span becomes a child of Deno's, and it does not
 * inject a second `traceparent`.
 */
function denoContext(): Context | undefined {
  try {
    const sc = getSpan(deno()!.telemetry!.contextManager!.active())?.spanContext();
    if (isSpanContextValid(sc)) {
      return setSpanContext(ROOT_CONTEXT, { traceId: sc.traceId, spanId: sc.spanId, traceFlags: sc.traceFlags });
    }
  } catch {
    // no Deno telemetry
  }
}

/**
 * Deno has no `waitUntil`: a flush runs on by itself (what settles it keeps it referenced); a
 * rejection, which flushes are not meant to have, must not become an unhandled one that ends
 * the process.
 */
const KEEP: Keep = {
  w: (p) => void p.catch(() => {}),
  u: (t) => deno()?.unrefTimer?.(t as unknown as number),
};

/** The flush of every SDK `instrument()` has set up. */
const flushes = new Set<() => Promise<void>>();
const exit = (): void => void forceFlush();

/**
 * Exports every span not exported yet, of every handler `instrument()` wraps; resolves when done
 * (never rejects). Spans are flushed after each request anyway: call this before the process ends
 * on a signal, which runs no `unload` listener:
 * `Deno.addSignalListener('SIGTERM', async () => { await forceFlush(); Deno.exit(0); })`.
 */
export function forceFlush(): Promise<void> {
  return Promise.all([...flushes].map((f) => f())).then(() => {});
}

/**
 * Wraps a `Deno.serve` handler (a function, or a `{ fetch }` object for `deno serve`):
 * `Deno.serve(instrument(handler, config))`.
 *
 * Each request gets a SERVER span (stable HTTP semantic conventions, `client.address` from the
 * peer address), continuing the caller's `traceparent`/`tracestate`/`baggage`; the response
 * comes back unchanged but for `Server-Timing: traceparent;desc=...` on HTML; an exception is
 * recorded and rethrown as is. Outgoing `fetch` is traced and carries the trace.
 *
 * Export never delays a response: once a request's spans have ended, a flush starts without
 * being awaited (concurrent requests share it); `beforeunload` and `unload` flush what is left
 * when the process ends on its own (not on a signal: Deno runs no listeners then).
 *
 * `OTEL_*` variables are read from `Deno.env` when `--allow-env` grants them (all, or each one
 * by name), else ignored. With Deno's built-in telemetry on (`OTEL_DENO=true`, detected from the
 * variable or from Deno's active span), otelite defers to it: no second `traceparent` on
 * outgoing requests (Deno appends its own, from its own fetch span) and otelite's SERVER span
 * becomes a child of Deno's, so both land in one trace.
 */
export function instrument<H extends DenoHandler | { fetch: DenoHandler }>(handler: H, config?: EdgeConfig): H {
  const self = typeof handler == 'function' ? undefined : (handler as { fetch: DenoHandler });
  const fn = self ? self.fetch : (handler as DenoHandler);
  if (typeof fn != 'function') {
    report(1, 'otelite/deno: instrument() needs a handler function');
    return handler;
  }
  let sdk: Promise<EdgeSdk | undefined> | undefined;
  /** whether Deno's telemetry is on; unknown until the first request */
  let defer: boolean | undefined;
  const traced = async function (this: unknown, req: Request, info: ServeHandlerInfoLike): Promise<Response> {
    // read before any await, while Deno's server span is surely the active one
    const parent = defer !== false ? denoContext() : undefined;
    const s = await (sdk ||= (async () => {
      // checked inside the first request, where Deno's server span (if any) is active
      defer = denoEnv('OTEL_DENO')?.toLowerCase() == 'true' || !!parent;
      const s = await createEdgeSdk(() => config, denoEnv, 'otelite/deno', 'Update Deno.', {
        // Deno appends its own traceparent: injecting ours would send two
        ...(defer && { propagateTo: [] }),
      });
      if (s && flushes.add(s.f).size == 1) {
        globalThis.addEventListener?.('beforeunload', exit);
        globalThis.addEventListener?.('unload', exit);
      }
      return s;
    })());
    const call = () => fn.call(self || this, req, info as never);
    return s ? serveRequest(s, req, KEEP, call, info && info.remoteAddr && info.remoteAddr.hostname, undefined, parent) : call();
  };
  return (self ? { ...handler, fetch: traced } : traced) as H;
}

/**
 * The OTLP relay as a `Deno.serve` handler: `Deno.serve(relay(config))`, or call it from your
 * own handler for the paths you route to it. It accepts `POST .../v1/traces`, `.../v1/metrics`,
 * `.../v1/logs` from the allowed page origins and forwards them to the collector with the
 * secret headers added; see {@link RelayConfig}. `OTEL_EXPORTER_OTLP_ENDPOINT` and
 * `OTEL_EXPORTER_OTLP_HEADERS` from `Deno.env` (when permitted) fill what `config` leaves out.
 */
export function relay(config?: RelayConfig): (request: Request, info?: unknown) => Promise<Response> {
  return createRelay<unknown>(
    () => config,
    () => denoEnv,
  );
}

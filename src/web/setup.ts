import { report } from '../lib/diag';
import { globals } from '../lib/global';
import type { Attributes } from '../lib/types';
import { onPageExit } from '../lib/page-exit';
import { VERSION } from '../lib/version';
import type { OTLPExporterConfig } from '../exporters/otlp-http-json/config';
import { OTLPLogExporter } from '../exporters/otlp-http-json/logs';
import { OTLPTraceExporter } from '../exporters/otlp-http-json/traces';
import type { Instrumentation } from '../instrumentations/lib/types';
import { BatchLogRecordProcessor } from '../logs/processors';
import { LoggerProvider } from '../logs/provider';
import { trace } from '../trace/api';
import { BatchSpanProcessor } from '../trace/batch-processor';
import { each, TracerProvider } from '../trace/provider';
import { resourceFromAttributes, type Resource } from '../trace/resource';
import { samplerFromName } from '../trace/sampler-name';
import type { Sampler } from '../trace/sampler';
import type { Tracer } from '../trace/types';
import { ALL, resolve, type InstrumentationName, type WebConfig } from './config';
import { propagatorFromNames, type PropagatorLoader } from './propagators';
import { createSession } from './session';

/** What `init` returns (and the snippet puts on `window.otelite`). */
export interface Otelite {
  /** Exports everything pending, in every signal. Never rejects. */
  forceFlush(): Promise<void>;
  /** Removes the instrumentations, flushes and stops every pipeline. Never rejects. */
  shutdown(): Promise<void>;
  /** A tracer of the installed SDK (a no-op one when otelite is disabled). */
  getTracer(name: string, version?: string): Tracer;
  /** The current `session.id`, when sessions are on. */
  sessionId(): string | undefined;
}

/** A pipeline `init` flushes and shuts down: a tracer, meter or logger provider. */
export interface Pipeline {
  /** Exports everything pending. */
  forceFlush(): Promise<void>;
  /** Flushes and stops. */
  shutdown(): Promise<void>;
}

/** An instrumentation factory, like `fetchInstrumentation`. */
export type InstrumentationFactory = (options: never) => Instrumentation;

/**
 * The parts {@link initWith} may use. Only what is passed here ends up in a bundle: `init` passes
 * them all; a page that wants less passes less.
 */
export interface Parts {
  /** Instrumentation factories by name; a name without one does not run. */
  instrumentations: Partial<Record<InstrumentationName, InstrumentationFactory>>;
  /**
   * Makes and registers the metrics pipeline (see `metricsPipeline`); without it there is no
   * metrics SDK (the metrics API stays a no-op: web vitals are then events only).
   */
  metrics?: (resource: Resource, exporter: OTLPExporterConfig) => Pipeline & { readonly resource: Resource };
  /** Loads B3 and Jaeger when the config names them (see `importPropagator`); without it they are skipped. */
  propagator?: PropagatorLoader;
}

const done = async (): Promise<void> => {};

/** An exporter of spans or log records. */
interface Exporter {
  export(items: never[], done: (r: { code: 0 | 1 }) => void): void;
  forceFlush?(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * An exporter made at its first export (seconds after the page loaded, or at its exit): its
 * setup is not needed before, and the snippet's task is the page's critical path.
 */
function lazy<E extends Exporter>(make: () => E): E {
  let e: E | undefined;
  return {
    export: (items, d) => (e ||= make()).export(items, d),
    forceFlush: () => (e && e.forceFlush ? e.forceFlush() : done()),
    shutdown: () => (e ? e.shutdown() : done()),
  } as E;
}

/** A span or log record, as the tagging processors see it. */
interface Taggable {
  readonly attributes: Attributes | Record<string, unknown>;
  setAttribute(k: string, v: string): unknown;
}

/**
 * `init` with the parts it may use given explicitly, for bundles that should carry only
 * those (tree-shaking): `initWith(config, { instrumentations: { fetch: fetchInstrumentation } })`
 * contains no XHR, document-load, web-vitals, errors or metrics code.
 */
export function initWith(config: WebConfig | undefined, parts: Parts): Otelite {
  const g = globals() as { w?: Otelite };
  if (g.w) {
    try {
      console.warn('otelite: init() was called again; keeping the first setup (the new config is ignored)');
    } catch {
      // no console
    }
    return g.w;
  }
  let api: Otelite | undefined;
  try {
    const c = resolve(config || {});
    // diagnostics to the console, at debug level
    if (c.d) globals().d = [console, 70];
    if (!c.o) api = setup(c, parts);
  } catch (e) {
    report(0, 'init failed; otelite is off', e);
  }
  return (g.w = api || {
    forceFlush: done,
    shutdown: done,
    getTracer: (n, v) => trace.getTracer(n, v),
    sessionId: () => undefined,
  });
}

/**
 * What runs in the snippet's own task is what must be in place before the page's next line: the
 * providers, fetch, XHR and errors. The rest waits for the first idle moment (at most 1 s), the
 * first telemetry that needs it, or the page's exit: the session's storage read (Web Storage's
 * first access alone costs about a millisecond in Chromium), document-load and web-vitals (both
 * read buffered performance entries, so starting late loses nothing).
 */
const LATE: InstrumentationName[] = ['document-load', 'web-vitals'];

function setup(c: ReturnType<typeof resolve>, parts: Parts): Otelite {
  const resource = resourceFromAttributes(c.r);
  const running: Instrumentation[] = [];
  let session: (() => string) | undefined;
  let mp: ReturnType<NonNullable<Parts['metrics']>> | undefined;
  // a metric stream has one resource: its session.id follows the session
  const onMetrics = (id: string): unknown => mp && ((mp.resource.attributes as Attributes)['session.id'] = id);
  const n = c.n;
  const sid =
    n &&
    ((): string =>
      (session ||= createSession(n, (id, prev) => {
        onMetrics(id);
        const log = lp.getLogger('otelite/session', VERSION);
        if (prev) log.emit({ eventName: 'session.end', attributes: { 'session.id': prev } });
        log.emit({ eventName: 'session.start', attributes: prev ? { 'session.id': id, 'session.previous_id': prev } : { 'session.id': id } });
      }))());
  // session.id and url.full redaction on every span and log record: spans at start (before
  // any processor sees them end), records at emit
  const tag = (x: Taggable): void => {
    const a = x.attributes;
    const u = a['url.full'];
    if (typeof u == 'string') x.setAttribute('url.full', c.u(u));
    if (sid && a['session.id'] === undefined) x.setAttribute('session.id', sid());
  };

  // logs first: the session's first id emits session.start, which needs the logger provider
  const lp = new LoggerProvider({
    resource,
    processors: [
      { onEmit: tag, forceFlush: done, shutdown: done },
      new BatchLogRecordProcessor(lazy(() => new OTLPLogExporter(c.x))),
    ],
  });
  lp.register();

  const tp = new TracerProvider({
    resource,
    sampler: typeof c.s == 'object' ? (c.s as Sampler) : samplerFromName(c.s, c.a),
    spanProcessors: [
      { onStart: tag as never, onEnd() {}, forceFlush: done, shutdown: done },
      new BatchSpanProcessor(lazy(() => new OTLPTraceExporter(c.x))),
    ],
  });
  tp.register({ contextManager: c.c, propagator: propagatorFromNames(c.p, parts.propagator) });

  const start = (late: boolean): void => {
    for (const name of ALL) {
      const o = c.i[name];
      const f = parts.instrumentations[name] as ((o: object) => Instrumentation) | undefined;
      if (o && f && LATE.includes(name) == late) {
        try {
          const i = f({ propagateTo: c.pt, ignoreUrls: c.iu, ...o });
          i.enable();
          running.push(i);
        } catch (e) {
          report(0, 'instrumentation ' + name + ' failed', e);
        }
      }
    }
  };
  start(false);
  mp = parts.metrics?.(resource, c.x);

  let pending = true;
  const rest = (): void => {
    if (pending) {
      pending = false;
      stop();
      try {
        if (sid) onMetrics(sid());
        start(true);
      } catch (e) {
        report(0, 'init failed', e);
      }
    }
  };
  const stop = onPageExit(rest);
  if (typeof requestIdleCallback == 'function') requestIdleCallback(rest, { timeout: 1000 });
  else setTimeout(rest);

  const all = (m: keyof Pipeline): Promise<void> => each([tp, lp, mp!].filter(Boolean), (p) => p[m]());
  return {
    forceFlush() {
      rest();
      return all('forceFlush');
    },
    shutdown() {
      pending = false;
      stop();
      for (const i of running) i.disable();
      return all('shutdown');
    },
    getTracer: (n, v) => tp.getTracer(n, v),
    sessionId: () => (sid ? sid() : undefined),
  };
}

import { propagatorFrom } from '../lib/config';
import { report } from '../lib/diag';
import { globals, type Globals } from '../lib/global';
import type { Attributes } from '../lib/types';
import { onPageExit } from '../lib/page-exit';
import { VERSION } from '../lib/version';
import type { OTLPExporterConfig } from '../exporters/otlp-http-json/config';
import { OTLPLogExporter } from '../exporters/otlp-http-json/logs';
import { OTLPTraceExporter } from '../exporters/otlp-http-json/traces';
import type { Instrumentation } from '../instrumentations/lib/types';
import { BatchLogRecordProcessor } from '../logs/processors';
import { logs } from '../logs/api';
import { LoggerProvider } from '../logs/provider';
import { trace } from '../trace/api';
import { BatchSpanProcessor } from '../trace/batch-processor';
import { each, TracerProvider } from '../trace/provider';
import { resourceFromAttributes, type Resource } from '../trace/resource';
import { samplerFromName } from '../trace/sampler-name';
import type { Sampler } from '../trace/sampler';
import type { Tracer } from '../trace/types';
import { ALL, resolve, type InstrumentationName, type Resolved, type WebConfig } from './config';
import { lazyPropagator, type PropagatorLoader } from './propagators';
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
  const g = globals() as Globals & { w?: Otelite };
  if (g.w) {
    try {
      console.warn('otelite: init() called again; the first setup is kept');
    } catch {
      // no console
    }
    return g.w;
  }
  let api: Otelite | undefined;
  try {
    const c = resolve(config || {});
    // diagnostics to the console, at debug level
    if (c.debug) g.d = [console, 70];
    if (!c.disabled) api = setup(c, parts, g);
  } catch (e) {
    report(0, 'init failed', e);
  }
  // getTracer: the global one, which makes the SDK when it is read first (see setup)
  return (g.w = api || { forceFlush: done, shutdown: done, getTracer: trace.getTracer, sessionId: () => undefined });
}

/** The globals the SDK registers (the registry's keys): tracer, logger, meter provider, propagator, context manager. */
const KEYS: (keyof Globals)[] = ['t', 'l', 'm', 'p', 'c'];

/**
 * The snippet's own task is the page's critical path, so it does only what must be in place
 * before the page's next line: patching fetch and XHR, listening for errors. Those take the API's
 * proxy tracer and logger, which find the SDK when they first record. The SDK itself (providers,
 * processors, exporters, propagators, context manager, metrics) is made at the first read of a
 * global it registers (the first span, log record, metric, header injection or active context),
 * at the first idle moment (1 s at most) or at the page's exit, whichever comes first: nothing
 * is recorded before it, so nothing is lost. document-load and web-vitals (the two after
 * `fetch`, `xhr` in ALL) start then too: they read buffered performance entries, so starting late
 * loses nothing; and so does the session (Web Storage's first access costs about a millisecond).
 */
function setup(c: Resolved, parts: Parts, g: Globals): Otelite {
  const running: Instrumentation[] = [];
  const pipelines: Pipeline[] = [];
  let mp: ReturnType<NonNullable<Parts['metrics']>> | undefined;
  let session: (() => string) | undefined;
  // a metric stream has one resource: its session.id follows the session
  const onMetrics = (id: string): unknown => mp && ((mp.resource.attributes as Attributes)['session.id'] = id);
  const n = c.session;
  const sid =
    n &&
    ((): string =>
      (session ||= createSession(n, (id, prev) => {
        onMetrics(id);
        const log = logs.getLogger('otelite/session', VERSION);
        if (prev) log.emit({ eventName: 'session.end', attributes: { 'session.id': prev } });
        log.emit({ eventName: 'session.start', attributes: prev ? { 'session.id': id, 'session.previous_id': prev } : { 'session.id': id } });
      }))());
  // session.id and url.full redaction on every span and log record: spans at start (before
  // any processor sees them end), records at emit
  const tag = (x: Taggable): void => {
    const a = x.attributes;
    const u = a['url.full'];
    if (typeof u == 'string') x.setAttribute('url.full', c.redactUrl(u));
    if (sid && a['session.id'] === undefined) x.setAttribute('session.id', sid());
  };
  const tagger = { onStart: tag as never, onEmit: tag, onEnd() {}, forceFlush: done, shutdown: done };

  const start = (late: boolean): void =>
    ALL.forEach((name, i) => {
      const o = c.instrumentations[name];
      const f = parts.instrumentations[name] as ((o: object) => Instrumentation) | undefined;
      if (o && f && (i == 2 || i == 3) == late) {
        try {
          const x = f(o);
          x.enable();
          running.push(x);
        } catch (e) {
          report(0, 'instrumentation ' + name + ' failed', e);
        }
      }
    });
  // first, while no SDK is registered: they take the API's proxies
  start(false);

  let made = 0;
  /** the globals that make the SDK when read */
  const lazy = KEYS.filter((k) => !g[k] && (k != 'm' || parts.metrics));
  /** Makes the SDK, once (not when `off`: shut down before it was made). */
  const make = (off?: boolean): void => {
    if (made++) return;
    for (const k of lazy) delete g[k];
    if (off) return;
    try {
      const resource = resourceFromAttributes(c.resourceAttributes);
      const lp = new LoggerProvider({ resource, processors: [tagger, new BatchLogRecordProcessor(new OTLPLogExporter(c))] });
      const tp = new TracerProvider({
        resource,
        sampler: samplerFromName(c.sampler, c.samplerArg),
        spanProcessors: [tagger, new BatchSpanProcessor(new OTLPTraceExporter(c))],
      });
      lp.register();
      const load = parts.propagator;
      tp.register({ contextManager: c.contextManager, propagator: propagatorFrom(c.propagators, load && ((n) => lazyPropagator(load, n))) });
      pipelines.push(lp, tp);
      if ((mp = parts.metrics?.(resource, c))) pipelines.push(mp);
    } catch (e) {
      report(0, 'init failed', e);
    }
  };
  for (const k of lazy) {
    Object.defineProperty(g, k, {
      configurable: true,
      enumerable: true,
      get: () => (make(), g[k]),
      set: (v) => (make(), (g[k] = v)),
    });
  }

  let pending = true;
  let stop = (): unknown => 0;
  const rest = (): void => {
    if (pending) {
      pending = false;
      stop();
      make();
      if (sid) onMetrics(sid());
      start(true);
    }
  };
  // A task later: in Chromium the first page-exit listener and the first idle callback of a
  // page cost about 0.1 ms each, more than the rest of this task's own work.
  setTimeout(() => {
    if (pending) {
      stop = onPageExit(rest);
      if (typeof requestIdleCallback == 'function') requestIdleCallback(rest, { timeout: 1000 });
      else rest();
    }
  });

  const all = (m: keyof Pipeline): Promise<void> => each(pipelines, (p) => p[m]());
  return {
    forceFlush() {
      rest();
      return all('forceFlush');
    },
    shutdown() {
      pending = false;
      stop();
      make(true);
      for (const i of running) i.disable();
      return all('shutdown');
    },
    getTracer: trace.getTracer,
    sessionId: () => (sid ? sid() : undefined),
  };
}

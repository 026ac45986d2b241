/**
 * otelite/web: the browser distro. One `init(config)` sets up tracing, metrics and logs with
 * OTLP/HTTP JSON export (gzip, unload-safe), the W3C propagators, sessions, and the fetch, XHR,
 * document-load, web-vitals and errors instrumentations, each of which can be turned off or
 * configured. Users who assemble the parts by hand import them directly and pay for no distro code.
 * @packageDocumentation
 */
import { report, warnConfig } from '../lib/diag';
import { globals } from '../lib/global';
import type { Attributes } from '../lib/types';
import { trace } from '../trace/api';
import { OTLPTraceExporter } from '../exporters/otlp-http-json/traces';
import { OTLPLogExporter } from '../exporters/otlp-http-json/logs';
import { OTLPMetricExporter } from '../exporters/otlp-http-json/metrics';
import type { OTLPExporterConfig } from '../exporters/otlp-http-json/config';
import { documentLoadInstrumentation, webVitalsInstrumentation } from '../instrumentations/document-load/index';
import { errorsInstrumentation } from '../instrumentations/errors/errors';
import { fetchInstrumentation } from '../instrumentations/fetch/fetch';
import type { Instrumentation } from '../instrumentations/lib/types';
import { xhrInstrumentation } from '../instrumentations/xhr/xhr';
import { logs } from '../logs/api';
import { BatchLogRecordProcessor } from '../logs/processors';
import { LoggerProvider } from '../logs/provider';
import { PeriodicExportingMetricReader } from '../metrics/periodic-reader';
import { MeterProvider } from '../metrics/provider';
import { BatchSpanProcessor } from '../trace/batch-processor';
import { TracerProvider } from '../trace/provider';
import { resourceFromAttributes } from '../trace/resource';
import { samplerFromName } from '../trace/sampler-name';
import type { Sampler } from '../trace/sampler';
import type { SpanProcessor } from '../trace/sdk-types';
import type { Tracer } from '../trace/types';
import { flag, instrumentationOptions, keyValues, matchers, type WebConfig } from './config';
import { propagatorFromNames } from './propagators';
import { createSession, type SessionOptions } from './session';

export type { InstrumentationName, WebConfig } from './config';
export type { SessionOptions } from './session';

/** What {@link init} returns. */
export interface Otelite {
  /** Exports everything pending, in every signal. */
  forceFlush(): Promise<void>;
  /** Flushes, stops every pipeline and removes the instrumentations. */
  shutdown(): Promise<void>;
  /** A tracer of the installed SDK. */
  getTracer(name: string, version?: string): Tracer;
  /** The current `session.id`, when sessions are on. */
  sessionId(): string | undefined;
}

const NOOP: Otelite = {
  forceFlush: async () => {},
  shutdown: async () => {},
  getTracer: (n, v) => trace.getTracer(n, v),
  sessionId: () => undefined,
};

type Factory = (o: object) => Instrumentation;
const FACTORIES: Record<string, Factory> = {
  fetch: fetchInstrumentation,
  xhr: xhrInstrumentation,
  'document-load': documentLoadInstrumentation as Factory,
  'web-vitals': webVitalsInstrumentation as Factory,
  errors: errorsInstrumentation as Factory,
};

/**
 * Sets up otelite in a page. Calling it again warns and returns the first setup. Bad config
 * values warn once (naming the key) and fall back to safe defaults; nothing here throws into
 * the page: on an unexpected failure otelite stays a no-op.
 */
export function init(config: WebConfig = {}): Otelite {
  const g = globals() as { w?: Otelite };
  if (g.w) {
    warnConfig('init', 'called twice', 'the first setup');
    return g.w;
  }
  try {
    return (g.w = flag(config.disabled) ? NOOP : setup(config));
  } catch (e) {
    report(0, 'init failed', e);
    return (g.w = NOOP);
  }
}

function setup(c: WebConfig): Otelite {
  const exp: OTLPExporterConfig = {
    endpoint: c.endpoint,
    headers: c.headers === undefined ? undefined : keyValues('headers', c.headers),
    compression: c.compression,
    transport: c.transport,
  };
  const attrs: Attributes = { ...keyValues('resourceAttributes', c.resourceAttributes) };
  if (c.serviceName) attrs['service.name'] = String(c.serviceName);
  const resource = resourceFromAttributes(attrs);

  // sessions: session.id on spans and log records, a session.start event for each new one
  let sessionId: (() => string) | undefined;
  const s = c.session ?? true;
  if (s !== false && s !== 'false') {
    const o: SessionOptions = typeof s == 'object' ? s : s === 'local' ? { storage: 'local' } : {};
    sessionId = createSession(o, (id, previous) =>
      logs.getLogger('otelite/session').emit({
        eventName: 'session.start',
        attributes: previous ? { 'session.id': id, 'session.previous_id': previous } : { 'session.id': id },
      }),
    );
  }
  const tagSession: SpanProcessor = {
    onStart: (span) => sessionId && (span as unknown as { setAttribute(k: string, v: string): void }).setAttribute('session.id', sessionId()),
    onEnd() {},
    forceFlush: async () => {},
    shutdown: async () => {},
  };

  // logs first: the first session.id (taken by the tracer and meter setup below) emits
  // session.start, which must find the logger provider registered
  const lp = new LoggerProvider({
    resource,
    processors: [
      {
        onEmit: (r) => sessionId && r.setAttribute('session.id', sessionId()),
        forceFlush: async () => {},
        shutdown: async () => {},
      },
      new BatchLogRecordProcessor(new OTLPLogExporter(exp)),
    ],
  });
  lp.register();

  const sampler: Sampler =
    typeof c.sampler == 'object' ? c.sampler : samplerFromName(c.sampler, c.samplerArg);
  const tp = new TracerProvider({
    resource,
    sampler,
    spanProcessors: [tagSession, new BatchSpanProcessor(new OTLPTraceExporter(exp))],
  });
  tp.register({ contextManager: c.contextManager, propagator: propagatorFromNames(c.propagators) });

  const mp = new MeterProvider({
    resource: sessionId ? resource.merge(resourceFromAttributes({ 'session.id': sessionId() })) : resource,
    readers: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter(exp) })],
  });
  mp.register();


  const http = {
    propagateTo: matchers('propagateTo', c.propagateTo),
    ignoreUrls: matchers('ignoreUrls', c.ignoreUrls),
    redactUrl: c.redactUrl,
  };
  const running: Instrumentation[] = [];
  for (const [name, o] of Object.entries(instrumentationOptions(c, http))) {
    try {
      const i = FACTORIES[name](o);
      i.enable();
      running.push(i);
    } catch (e) {
      report(0, 'instrumentation ' + name, e);
    }
  }

  const all = <T>(fn: (p: { forceFlush(): Promise<void>; shutdown(): Promise<void> }) => Promise<T>) =>
    Promise.all([tp, mp, lp].map((p) => fn(p).catch((e) => report(0, 'flush', e)))).then(() => {});
  return {
    forceFlush: () => all((p) => p.forceFlush()),
    shutdown: () => {
      for (const i of running) i.disable();
      return all((p) => p.shutdown());
    },
    getTracer: (n, v) => tp.getTracer(n, v),
    sessionId: () => sessionId?.(),
  };
}

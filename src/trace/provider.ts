import { StackContextManager } from '../context/stack';
import type { ContextManager } from '../context/types';
import { numberOption, report } from '../lib/diag';
import { setGlobal, type Globals } from '../lib/global';
import type { IdGenerator } from './id-generator';
import { W3CBaggagePropagator } from './propagation/baggage';
import { CompositePropagator } from './propagation/composite';
import { W3CTraceContextPropagator } from './propagation/trace-context';
import type { TextMapPropagator } from './propagation/types';
import { defaultResource, type Resource } from './resource';
import { parentBasedAlwaysOn, type Sampler } from './sampler';
import type { SpanLimits, SpanProcessor } from './sdk-types';
import type { ResolvedLimits } from './span';
import { SdkTracer } from './tracer';
import type { Tracer, TracerOptions, TracerProvider as ApiTracerProvider } from './types';

/** Options of {@link TracerProvider}. */
export interface TracerProviderConfig {
  /** Merged over the default resource (`service.name`, `telemetry.sdk.*`). */
  resource?: Resource;
  /** Default: parent-based, always on for roots. */
  sampler?: Sampler;
  /** Default: the specification's limits. */
  spanLimits?: SpanLimits;
  /**
   * Default: random ids from `crypto.getRandomValues`. A custom generator must return valid ids
   * (32 and 16 lowercase hex characters, not all zero): spans made here are trusted as parents
   * without checking them again.
   */
  idGenerator?: IdGenerator;
  /** Where spans go. */
  spanProcessors?: SpanProcessor[];
}

/** Options of {@link TracerProvider.register}. */
export interface RegisterConfig {
  /** Default: the stack (synchronous) manager; `null` keeps whatever is installed. */
  contextManager?: ContextManager | null;
  /** Default: W3C trace context and baggage; `null` keeps whatever is installed. */
  propagator?: TextMapPropagator | null;
}

/** Runs `fn` on every item; once all have settled, reports each failure. Never rejects: a broken processor must not break the host. */
export async function each<T>(items: T[], fn: (item: T) => Promise<void>): Promise<void> {
  for (const r of await Promise.allSettled(items.map(async (i) => fn(i)))) {
    if ('reason' in r) report(0, 'processor failed', r.reason);
  }
}

/** The SDK's entry point: makes tracers whose spans go to the configured processors. */
export class TracerProvider implements ApiTracerProvider {
  /** The resource every span carries. */
  readonly resource: Resource;
  private readonly p: SpanProcessor[];
  private readonly x: ResolvedLimits;
  private readonly s: Sampler;
  private readonly ids?: IdGenerator;
  /**
   * Tracers by name, version and schema URL. Every key holds "@" and ":", so none is the name
   * of an `Object.prototype` member.
   */
  private readonly c: Record<string, Tracer> = {};

  /** @param config - resource, sampler, limits, id generator and processors (none, or null: the defaults) */
  constructor(config?: TracerProviderConfig | null) {
    config ||= {};
    this.resource = defaultResource().merge(config.resource);
    this.p = [...(config.spanProcessors || [])];
    const l = config.spanLimits || {};
    // a limit is a number >= 0 (0 drops everything)
    const limit = (key: keyof SpanLimits, d = 128): number => numberOption(l, key, d, 0);
    this.x = {
      a: limit('attributeCountLimit'),
      l: limit('attributeValueLengthLimit', Infinity),
      e: limit('eventCountLimit'),
      k: limit('linkCountLimit'),
      ea: limit('attributePerEventCountLimit'),
      la: limit('attributePerLinkCountLimit'),
    };
    this.s = config.sampler || parentBasedAlwaysOn;
    // none: the built-in ids, made lazily from random bytes (see SdkTracer)
    this.ids = config.idGenerator;
  }

  /** {@inheritDoc TracerProvider.getTracer} */
  getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
    const schemaUrl = options?.schemaUrl;
    return (this.c[`${name}@${version || ''}:${schemaUrl || ''}`] ||= new SdkTracer(
      { r: this.resource, s: { name: String(name || ''), version, schemaUrl }, x: this.x, p: this.p },
      this.s,
      this.ids,
    ));
  }

  /**
   * Makes this the global tracer provider and installs a context manager and propagator,
   * so `trace.getTracer` from the API (here and in libraries) records through it. What is
   * installed already (by this or another copy of otelite, or an earlier `register`) is kept,
   * with a diagnostic naming it.
   */
  register(config: RegisterConfig = {}): void {
    const m = config.contextManager;
    const p = config.propagator;
    const install = (key: keyof Globals, value: unknown, what: string): unknown =>
      setGlobal(key, value) || report(1, 'kept the registered ' + what);
    install('t', this, 'tracer provider');
    if (m !== null) install('c', (m || new StackContextManager()).enable(), 'context manager');
    if (p !== null) {
      install(
        'p',
        p || new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
        'propagator',
      );
    }
  }

  /** Exports everything pending in every processor. */
  forceFlush(): Promise<void> {
    return each(this.p, (p) => p.forceFlush());
  }

  /** Flushes and stops every processor. */
  shutdown(): Promise<void> {
    return each(this.p, (p) => p.shutdown());
  }
}

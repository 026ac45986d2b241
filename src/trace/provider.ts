import { context } from '../context/api';
import { StackContextManager } from '../context/stack';
import type { ContextManager } from '../context/types';
import { report } from '../lib/diag';
import { trace } from './api';
import { RandomIdGenerator, type IdGenerator } from './id-generator';
import { setGlobalPropagator } from './propagation/api';
import { W3CBaggagePropagator } from './propagation/baggage';
import { CompositePropagator } from './propagation/composite';
import { W3CTraceContextPropagator } from './propagation/trace-context';
import type { TextMapPropagator } from './propagation/types';
import { defaultResource, type Resource } from './resource';
import { AlwaysOnSampler, ParentBasedSampler, type Sampler } from './sampler';
import type { SpanLimits, SpanProcessor } from './sdk-types';
import type { ResolvedLimits, TracerState } from './span';
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
  /** Default: random ids from `crypto.getRandomValues`. */
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

const limit = (v: number | undefined, d: number): number => (typeof v == 'number' && v >= 0 ? v : d);

/** Runs `fn` on every item; once all have settled, reports each failure. Never rejects: a broken processor must not break the host. */
export async function each<T>(items: T[], fn: (item: T) => Promise<void>): Promise<void> {
  const results = await Promise.allSettled(items.map(async (i) => fn(i)));
  for (const r of results) if (r.status == 'rejected') report(0, 'processor failed', r.reason);
}

/** The SDK's entry point: makes tracers whose spans go to the configured processors. */
export class TracerProvider implements ApiTracerProvider {
  /** The resource every span carries. */
  readonly resource: Resource;
  private readonly p: SpanProcessor[];
  private readonly x: ResolvedLimits;
  private readonly s: Sampler;
  private readonly ids: IdGenerator;
  private readonly tracers = new Map<string, Tracer>();

  /** @param config - resource, sampler, limits, id generator and processors */
  constructor(config: TracerProviderConfig = {}) {
    this.resource = defaultResource().merge(config.resource);
    this.p = [...(config.spanProcessors ?? [])];
    const l = config.spanLimits ?? {};
    const a = limit(l.attributeCountLimit, 128);
    this.x = {
      a,
      l: limit(l.attributeValueLengthLimit, Infinity),
      e: limit(l.eventCountLimit, 128),
      k: limit(l.linkCountLimit, 128),
      ea: limit(l.attributePerEventCountLimit, 128),
      la: limit(l.attributePerLinkCountLimit, 128),
    };
    this.s = config.sampler ?? new ParentBasedSampler({ root: new AlwaysOnSampler() });
    this.ids = config.idGenerator ?? new RandomIdGenerator();
  }

  /** {@inheritDoc TracerProvider.getTracer} */
  getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
    const key = `${name}@${version || ''}:${options?.schemaUrl || ''}`;
    let t = this.tracers.get(key);
    if (!t) {
      const state: TracerState = {
        r: this.resource,
        s: { name: String(name || ''), version, schemaUrl: options?.schemaUrl },
        x: this.x,
        p: this.p,
      };
      this.tracers.set(key, (t = new SdkTracer(state, this.s, this.ids)));
    }
    return t;
  }

  /**
   * Makes this the global tracer provider and installs a context manager and propagator,
   * so `trace.getTracer` from the API (here and in libraries) records through it.
   */
  register(config: RegisterConfig = {}): void {
    if (!trace.setGlobalTracerProvider(this)) report(1, 'a tracer provider is registered already');
    if (config.contextManager !== null) {
      context.setGlobalContextManager((config.contextManager ?? new StackContextManager()).enable());
    }
    if (config.propagator !== null) {
      setGlobalPropagator(
        config.propagator ??
          new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
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

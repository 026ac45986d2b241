/**
 * otelite/otel-api: makes otelite the SDK behind `@opentelemetry/api`, so libraries
 * instrumented with the OpenTelemetry API export through otelite. Their spans parent to
 * otelite's and the other way round: both sides store the active span under the same
 * `Symbol.for` context key, so no translation is needed, only delegation.
 * @packageDocumentation
 */
import {
  context as otelContext,
  propagation as otelPropagation,
  trace as otelTrace,
  type ContextManager as OtelContextManager,
  type TextMapPropagator as OtelTextMapPropagator,
  type TracerProvider as OtelTracerProvider,
} from '@opentelemetry/api';
import { context } from '../context/api';
import { report } from '../lib/diag';
import { trace } from '../trace/api';
import { propagation } from '../trace/propagation/api';

/**
 * Registers delegates with `@opentelemetry/api` that forward to whatever otelite has
 * registered, now or later (so the order of `registerOtelApi()` and the SDK's `register()`
 * does not matter). Returns false when `@opentelemetry/api` had another SDK already; that SDK
 * then stays in charge of the API's calls, and a diagnostic says so.
 */
export function registerOtelApi(): boolean {
  const provider: OtelTracerProvider = {
    getTracer: (name, version, options) => trace.getTracer(name, version, options),
  };
  const manager: OtelContextManager = {
    active: () => context.active(),
    with: (ctx, fn, thisArg, ...args) => context.with(ctx, fn, thisArg, ...args),
    bind: (ctx, target) => context.bind(ctx, target),
    enable() {
      return this;
    },
    disable() {
      return this;
    },
  };
  const propagator: OtelTextMapPropagator = {
    inject: (ctx, carrier, setter) => propagation.inject(ctx, carrier, setter),
    extract: (ctx, carrier, getter) => propagation.extract(ctx, carrier, getter),
    fields: () => propagation.fields(),
  };
  const ok =
    otelTrace.setGlobalTracerProvider(provider) &&
    otelContext.setGlobalContextManager(manager) &&
    otelPropagation.setGlobalPropagator(propagator);
  if (!ok) report(1, '@opentelemetry/api has another SDK registered already');
  return ok;
}

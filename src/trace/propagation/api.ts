import { context } from '../../context/api';
import type { Context } from '../../context/types';
import { globals, setGlobal } from '../../lib/global';
import { createBaggage, deleteBaggage, getBaggage, setBaggage } from './baggage';
import { safe } from './safe';
import {
  defaultTextMapGetter,
  defaultTextMapSetter,
  type Baggage,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from './types';

export { baggageEntryMetadataFromString } from './baggage';

const propagator = (): TextMapPropagator | undefined => globals().p as TextMapPropagator | undefined;

/**
 * Installs the global propagator; false when one is installed already. Also a standalone export
 * so that the SDK's `register()` does not pull the whole API object into every bundle.
 */
export const setGlobalPropagator = (p: TextMapPropagator): boolean => setGlobal('p', p);

/**
 * The propagation API, shaped like `@opentelemetry/api`'s `propagation`. Until a propagator is
 * registered (the SDK's `register()` installs W3C trace context + baggage), `inject` writes
 * nothing and `extract` returns the context it was given. Nothing here throws.
 */
export const propagation = {
  /** Writes `ctx`'s trace and baggage headers into `carrier`. */
  inject<Carrier>(
    ctx: Context,
    carrier: Carrier,
    setter: TextMapSetter<Carrier> = defaultTextMapSetter as TextMapSetter<Carrier>,
  ): void {
    const p = propagator();
    if (p) safe(() => p.inject(ctx, carrier, setter), undefined);
  },

  /** `ctx` extended with what `carrier`'s headers hold. */
  extract<Carrier>(
    ctx: Context,
    carrier: Carrier,
    getter: TextMapGetter<Carrier> = defaultTextMapGetter as TextMapGetter<Carrier>,
  ): Context {
    const p = propagator();
    return p ? safe(() => p.extract(ctx, carrier, getter), ctx) : ctx;
  },

  /** The header names the registered propagator writes. */
  fields(): string[] {
    const p = propagator();
    return p ? safe(() => p.fields(), []) : [];
  },

  setGlobalPropagator,

  /** Removes the global propagator. */
  disable(): void {
    globals().p = undefined;
  },

  getBaggage,

  /** The baggage of the active context. */
  getActiveBaggage: (): Baggage | undefined => getBaggage(context.active()),

  setBaggage,
  deleteBaggage,
  createBaggage,
};

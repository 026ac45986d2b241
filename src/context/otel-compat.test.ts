import * as otel from '@opentelemetry/api';
import { AsyncLocalStorage } from 'node:async_hooks';
import { afterEach, describe, it, expect, vi } from 'vitest';
import { AsyncContextManager, type AsyncLocalStorageClass } from './async';
import { createContextKey, ROOT_CONTEXT } from './context';
import { StackContextManager } from './stack';
import type { Context, ContextManager } from './types';
import { ZoneContextManager } from './zone';

// Compile-time checks (vitest does not typecheck: `npx tsc -p tsconfig.json` does).
const managers: otel.ContextManager[] = [
  new StackContextManager(),
  new ZoneContextManager(),
  new AsyncContextManager(),
  new AsyncContextManager({ AsyncLocalStorage }),
];
const ours: ContextManager[] = managers; // and the other way round
const ctxOurs: otel.Context = ROOT_CONTEXT;
const ctxTheirs: Context = otel.ROOT_CONTEXT;
const alsClass: AsyncLocalStorageClass = AsyncLocalStorage;

afterEach(() => {
  otel.context.disable();
  vi.restoreAllMocks();
});

describe('@opentelemetry/api compatibility', () => {
  it('every manager and context type is assignable to the @opentelemetry/api one', () => {
    expect(managers).toHaveLength(4);
    expect(ours).toBe(managers);
    expect([ctxOurs, ctxTheirs, alsClass]).toHaveLength(3);
  });

  it('AsyncContextManager works as the @opentelemetry/api global manager, with its contexts', async () => {
    expect(otel.context.setGlobalContextManager(new AsyncContextManager())).toBe(true);
    const key = otel.createContextKey('compat');
    const theirs = otel.ROOT_CONTEXT.setValue(key, 'theirs');
    const got = await otel.context.with(theirs, async () => {
      await new Promise((r) => setTimeout(r, 1));
      return otel.context.active().getValue(createContextKey('compat'));
    });
    expect(got).toBe('theirs');
    expect(otel.context.active()).toBe(ROOT_CONTEXT);
  });

  it('ZoneContextManager binds through @opentelemetry/api (no zone.js here: stack behaviour)', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {}); // the one "zone.js is not loaded"
    const m = new ZoneContextManager();
    otel.context.setGlobalContextManager(m);
    const c = ROOT_CONTEXT.setValue(createContextKey('compat'), 1);
    const f = otel.context.bind(c, () => otel.context.active());
    expect(f()).toBe(c);
  });
});

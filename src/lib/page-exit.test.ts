import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ReadableSpan, SpanExporter } from '../trace/sdk-types';

/*
 * page-exit.ts keeps its listeners and hooks in module state and installs the listeners once per
 * module instance, so every test gets a fresh module (vi.resetModules + dynamic import) and a
 * fake browser: a `document` with `visibilityState`, and globalThis as an event target.
 */

const KEY = Symbol.for('otelite');
type PageExit = typeof import('./page-exit');
let target: EventTarget;
let doc: { visibilityState: DocumentVisibilityState };

function browser(): void {
  target = new EventTarget();
  doc = { visibilityState: 'visible' };
  vi.stubGlobal('document', doc);
  vi.stubGlobal('addEventListener', vi.fn(target.addEventListener.bind(target)));
  vi.stubGlobal('removeEventListener', target.removeEventListener.bind(target));
}

function pagehide(): void {
  target.dispatchEvent(new Event('pagehide'));
}

function visibility(state: DocumentVisibilityState): void {
  doc.visibilityState = state;
  target.dispatchEvent(new Event('visibilitychange'));
}

async function fresh(): Promise<PageExit> {
  vi.resetModules();
  return import('./page-exit');
}

beforeEach(() => {
  delete (globalThis as { [KEY]?: unknown })[KEY];
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('onPageExit outside browsers', () => {
  it('installs nothing and never fires where there is no document', async () => {
    const add = vi.fn();
    vi.stubGlobal('addEventListener', add);
    const { onPageExit, isExiting } = await fresh();
    const fn = vi.fn();
    const off = onPageExit(fn);
    expect(add).not.toHaveBeenCalled();
    expect(isExiting()).toBe(false);
    expect(() => off()).not.toThrow();
  });
});

describe('onPageExit in a browser', () => {
  beforeEach(browser);

  it('installs no listener at import time, and its listeners once, on the first hook', async () => {
    const { onPageExit } = await fresh();
    expect(addEventListener).not.toHaveBeenCalled();
    onPageExit(() => {});
    onPageExit(() => {});
    const types = vi.mocked(addEventListener).mock.calls.map((c) => c[0]);
    expect(types.sort()).toEqual(['pagehide', 'pageshow', 'visibilitychange']);
  });

  it('runs the hooks synchronously at pagehide', async () => {
    const { onPageExit } = await fresh();
    const a = vi.fn();
    const b = vi.fn();
    onPageExit(a);
    onPageExit(b);
    pagehide();
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).toHaveBeenCalledTimes(1);
  });

  it('runs the hooks at visibilitychange to hidden, not to visible', async () => {
    const { onPageExit } = await fresh();
    const fn = vi.fn();
    onPageExit(fn);
    visibility('visible');
    expect(fn).not.toHaveBeenCalled();
    visibility('hidden');
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('runs at both events of a navigation: pagehide, then visibilitychange (the second is not swallowed)', async () => {
    const { onPageExit } = await fresh();
    const fn = vi.fn();
    onPageExit(fn);
    pagehide();
    visibility('hidden');
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it('isExiting() is true during the hook and after, and reset when the page is visible again', async () => {
    const { onPageExit, isExiting } = await fresh();
    const seen: boolean[] = [];
    onPageExit(() => seen.push(isExiting()));
    expect(isExiting()).toBe(false);
    pagehide();
    expect(seen).toEqual([true]);
    expect(isExiting()).toBe(true);
    visibility('visible');
    expect(isExiting()).toBe(false);
    visibility('hidden');
    expect(seen).toEqual([true, true]);
    expect(isExiting()).toBe(true);
  });

  it('resets isExiting() at pageshow (back/forward cache restore)', async () => {
    const { onPageExit, isExiting } = await fresh();
    onPageExit(() => {});
    pagehide();
    expect(isExiting()).toBe(true);
    target.dispatchEvent(new Event('pageshow'));
    expect(isExiting()).toBe(false);
  });

  it('returns a function that removes the hook', async () => {
    const { onPageExit } = await fresh();
    const fn = vi.fn();
    const off = onPageExit(fn);
    off();
    pagehide();
    expect(fn).not.toHaveBeenCalled();
  });

  it('keeps running the other hooks when one throws, and reports the failure', async () => {
    const { onPageExit } = await fresh();
    const { diag } = await import('./diag');
    const log = { error: vi.fn() };
    diag.setLogger(log);
    const after = vi.fn();
    onPageExit(() => {
      throw new Error('bad hook');
    });
    onPageExit(after);
    expect(() => pagehide()).not.toThrow();
    expect(after).toHaveBeenCalledTimes(1);
    expect(log.error).toHaveBeenCalledWith('otelite: page exit flush failed', expect.any(Error));
  });
});

describe('BatchSpanProcessor at page exit', () => {
  beforeEach(browser);

  function span(i: number): ReadableSpan {
    return {
      name: 's' + i,
      spanContext: () => ({ traceId: '1'.repeat(32), spanId: (i + 1).toString(16).padStart(16, '0'), traceFlags: 1 }),
    } as unknown as ReadableSpan;
  }

  async function setup(config = {}) {
    const { isExiting } = await fresh();
    const { BatchSpanProcessor } = await import('../trace/batch-processor');
    const batches: string[][] = [];
    const exiting: boolean[] = [];
    // an exporter that never answers: the second flush must not wait for the first
    const exporter: SpanExporter = {
      export: vi.fn((spans: ReadableSpan[]) => {
        batches.push(spans.map((s) => s.name));
        exiting.push(isExiting());
      }),
      shutdown: vi.fn(async () => {}),
    };
    const bsp = new BatchSpanProcessor(exporter, config);
    return { bsp, batches, exiting, exporter };
  }

  it('drains the queue synchronously at pagehide, while isExiting() is true', async () => {
    const { bsp, batches, exiting } = await setup();
    bsp.onEnd(span(1));
    bsp.onEnd(span(2));
    expect(batches).toEqual([]);
    pagehide();
    expect(batches).toEqual([['s1', 's2']]);
    expect(exiting).toEqual([true]);
  });

  it('drains again at visibilitychange to hidden, with the first export still in flight', async () => {
    const { bsp, batches } = await setup();
    bsp.onEnd(span(1));
    pagehide();
    bsp.onEnd(span(2)); // ended between the two events (a web-vitals callback, say)
    visibility('hidden');
    expect(batches).toEqual([['s1'], ['s2']]);
  });

  it('sends everything queued, in batches of maxExportBatchSize', async () => {
    const { bsp, batches } = await setup({ maxExportBatchSize: 2, scheduledDelayMillis: 60_000 });
    // a full batch goes at once; the leftovers wait for the timer or the exit
    for (let i = 0; i < 5; i++) bsp.onEnd(span(i));
    const before = batches.length;
    pagehide();
    expect(batches.flat().sort()).toEqual(['s0', 's1', 's2', 's3', 's4']);
    expect(batches.length).toBeGreaterThan(before);
    for (const b of batches) expect(b.length).toBeLessThanOrEqual(2);
  });

  it('does nothing at exit when the queue is empty', async () => {
    const { exporter } = await setup();
    pagehide();
    visibility('hidden');
    expect(exporter.export).not.toHaveBeenCalled();
  });

  it('stops listening after shutdown', async () => {
    const { bsp, exporter } = await setup();
    await bsp.shutdown();
    bsp.onEnd(span(1));
    pagehide();
    expect(exporter.export).not.toHaveBeenCalled();
  });
});

describe('onPageExit first', () => {
  it('runs a `first` hook before the hooks already registered', async () => {
    vi.resetModules();
    const doc = { visibilityState: 'visible' };
    const target = new EventTarget();
    vi.stubGlobal('document', doc);
    vi.stubGlobal('addEventListener', target.addEventListener.bind(target));
    try {
      const { onPageExit } = await import('./page-exit');
      const order: string[] = [];
      onPageExit(() => order.push('flush'));
      onPageExit(() => order.push('end spans'), true);
      target.dispatchEvent(new Event('pagehide'));
      expect(order).toEqual(['end spans', 'flush']);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

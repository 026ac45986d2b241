import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { context } from '../../context/api';
import { ROOT_CONTEXT } from '../../context/context';
import { StackContextManager } from '../../context/stack';
import { logs } from '../../logs/api';
import { LoggerProvider } from '../../logs/provider';
import type { LogRecordProcessor, ReadableLogRecord } from '../../logs/sdk-types';
import { setSpanContext } from '../../trace/api';
import { TracerProvider } from '../../trace/provider';
import { errorsInstrumentation, recordError, type ErrorsInstrumentation } from './errors';

const KEY = Symbol.for('otelite');
const SC = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 };
const INNER = { ...SC, spanId: '00f067aa0ba902b7' };

type Listener = (ev: Event) => void;

/**
 * A window-like event target that records how listeners were added (capture or not) and calls
 * them with a plain event object, so a test can also fake an element's `error` event seen in the
 * capture phase (Node's EventTarget has no tree to capture from).
 */
class FakeWindow {
  l: Array<{ type: string; fn: Listener; capture: boolean }> = [];
  addEventListener(type: string, fn: Listener, capture?: boolean | AddEventListenerOptions): void {
    this.l.push({ type, fn, capture: !!capture });
  }
  removeEventListener(type: string, fn: Listener, capture?: boolean | EventListenerOptions): void {
    this.l = this.l.filter((x) => !(x.type == type && x.fn == fn && x.capture == !!capture));
  }
  /** Fires at this window (or, with `target`, as an element's event in the capture phase). */
  fire(type: string, props: Record<string, unknown> = {}, target: unknown = this): { preventDefault: ReturnType<typeof vi.fn> } {
    const ev = { type, target, currentTarget: this, preventDefault: vi.fn(), ...props };
    // an element's event does not bubble: only capture listeners of the window see it
    for (const x of this.l.filter((x) => x.type == type && (x.capture || target === this))) x.fn(ev as unknown as Event);
    return ev;
  }
  error(error: unknown, extra?: Record<string, unknown>) {
    return this.fire('error', { error, filename: '', lineno: 0, colno: 0, ...(extra ?? { message: 'Uncaught ' + String(error) }) });
  }
  rejection(reason: unknown, promise: object = {}) {
    return this.fire('unhandledrejection', { reason, promise });
  }
}

let recs: ReadableLogRecord[];
let provider: LoggerProvider;
let win: FakeWindow;
let inst: ErrorsInstrumentation | undefined;

function start(opts: Parameters<typeof errorsInstrumentation>[0] = {}): ErrorsInstrumentation {
  inst = errorsInstrumentation({ loggerProvider: provider, target: win as unknown as EventTarget, ...opts });
  inst.enable();
  return inst;
}

const attrs = (i = 0) => ({ ...recs[i].attributes });

beforeEach(() => {
  delete (globalThis as { [KEY]?: unknown })[KEY];
  recs = [];
  const cap: LogRecordProcessor = { onEmit: (r) => void recs.push(r), forceFlush: async () => {}, shutdown: async () => {} };
  provider = new LoggerProvider({ processors: [cap] });
  win = new FakeWindow();
  context.setGlobalContextManager(new StackContextManager());
});
afterEach(() => {
  inst?.disable();
  inst = undefined;
  context.disable();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('errorsInstrumentation', () => {
  it('does nothing until enabled, and listens for error and unhandledrejection then', () => {
    const i = errorsInstrumentation({ loggerProvider: provider, target: win as unknown as EventTarget });
    expect(i.name).toBe('errors');
    expect(win.l).toHaveLength(0);
    win.error(new Error('before'));
    expect(recs).toHaveLength(0);
    i.enable();
    i.enable();
    expect(win.l.map((x) => [x.type, x.capture])).toEqual([
      ['error', false],
      ['unhandledrejection', false],
    ]);
    inst = i;
  });

  it('turns an uncaught error into an exception log record', () => {
    start();
    const e = new TypeError('x is not a function');
    const ev = win.error(e);
    expect(recs).toHaveLength(1);
    const r = recs[0];
    expect(r.eventName).toBe('exception');
    expect(r.severityNumber).toBe(17);
    expect(r.severityText).toBe('ERROR');
    expect(attrs()).toEqual({
      'exception.type': 'TypeError',
      'exception.message': 'x is not a function',
      'exception.stacktrace': e.stack,
    });
    expect(r.instrumentationScope.name).toBe('otelite/errors');
    expect(ev.preventDefault).not.toHaveBeenCalled();
  });

  it('turns an unhandled rejection into one, whatever the reason is', () => {
    start({ dedupeWindowMillis: 0 });
    const e = new RangeError('too far');
    win.rejection(e);
    win.rejection('plain text');
    win.rejection({ code: 42 });
    win.rejection(undefined);
    win.rejection(Object.assign(new Error('aborted'), { name: 'AbortError' }));
    expect(recs.map((r) => [r.attributes['exception.type'], r.attributes['exception.message']])).toEqual([
      ['RangeError', 'too far'],
      [undefined, 'plain text'],
      [undefined, '{"code":42}'],
      [undefined, 'undefined'],
      ['AbortError', 'aborted'],
    ]);
    expect(recs[0].attributes['exception.stacktrace']).toBe(e.stack);
  });

  it('uses the event message and location when there is no Error (cross-origin script, thrown string)', () => {
    start();
    win.fire('error', { error: null, message: 'Script error.', filename: '', lineno: 0, colno: 0 });
    win.fire('error', { error: 'just text', message: 'Uncaught just text', filename: 'https://app.test/app.js', lineno: 12, colno: 5 });
    expect(attrs(0)).toEqual({ 'exception.message': 'Script error.' });
    expect(attrs(1)).toEqual({
      'exception.message': 'just text',
      'code.file.path': 'https://app.test/app.js',
      'code.line.number': 12,
      'code.column.number': 5,
    });
  });

  it('ignores a synthetic error event that carries no error', () => {
    start();
    win.fire('error', {});
    expect(recs).toHaveLength(0);
  });

  it('is transparent with a real EventTarget: other listeners run, nothing is prevented', () => {
    const t = new EventTarget();
    inst = errorsInstrumentation({ loggerProvider: provider, target: t });
    inst.enable();
    const other = vi.fn();
    t.addEventListener('error', other);
    const ev = Object.assign(new Event('error', { cancelable: true }), { error: new Error('real'), message: 'Uncaught Error: real' });
    t.dispatchEvent(ev);
    expect(other).toHaveBeenCalledTimes(1);
    expect(ev.defaultPrevented).toBe(false);
    expect(recs).toHaveLength(1);
    inst.disable();
    t.dispatchEvent(Object.assign(new Event('error'), { error: new Error('after'), message: 'x' }));
    expect(recs).toHaveLength(1);
  });

  describe('trace correlation', () => {
    it('puts an error that escaped a span back in that span (innermost wins)', () => {
      start();
      const e = new Error('escaped');
      expect(() =>
        context.with(setSpanContext(ROOT_CONTEXT, SC), () =>
          context.with(setSpanContext(ROOT_CONTEXT, INNER), () => {
            throw e;
          }),
        ),
      ).toThrow(e);
      // the stack has unwound: nothing is active when the page reports the error
      expect(context.active()).toBe(ROOT_CONTEXT);
      win.error(e);
      expect(recs[0].spanContext).toEqual(INNER);
    });

    it('works through a real tracer: startActiveSpan, sync throw and async rejection', async () => {
      const tp = new TracerProvider();
      const tracer = tp.getTracer('app');
      start();
      let sc1, sc2;
      const e1 = new Error('sync');
      try {
        tracer.startActiveSpan('op', (span) => {
          sc1 = span.spanContext();
          span.end();
          throw e1;
        });
      } catch {
        // uncaught in a page
      }
      const p = tracer.startActiveSpan('async op', async (span) => {
        sc2 = span.spanContext();
        await null;
        span.end();
        throw new Error('async');
      });
      const reason = await p.catch((r) => r);
      win.error(e1);
      win.rejection(reason, p);
      expect(recs.map((r) => r.spanContext)).toEqual([sc1, sc2]);
    });

    it('an unhandled rejection of a thrown-and-escaped error keeps its span', () => {
      start();
      const e = new Error('rethrown later');
      try {
        context.with(setSpanContext(ROOT_CONTEXT, SC), () => {
          throw e;
        });
      } catch {
        // caught, then rejected elsewhere
      }
      win.rejection(e);
      expect(recs[0].spanContext).toEqual(SC);
    });

    it('falls back to the context active when the event fires', () => {
      start();
      context.with(setSpanContext(ROOT_CONTEXT, SC), () => win.rejection(new Error('in zone')));
      expect(recs[0].spanContext).toEqual(SC);
      win.error(new Error('nowhere'));
      expect(recs[1].spanContext).toBeUndefined();
    });

    it('restores context.with exactly when the last instance is disabled', () => {
      const original = context.with;
      const a = errorsInstrumentation({ loggerProvider: provider, target: win as unknown as EventTarget });
      const b = errorsInstrumentation({ loggerProvider: provider, target: new FakeWindow() as unknown as EventTarget });
      a.enable();
      b.enable();
      expect(context.with).not.toBe(original);
      a.disable();
      expect(context.with).not.toBe(original);
      b.disable();
      expect(context.with).toBe(original);
      // and context.with still behaves: value, this, args, exceptions
      expect(context.with(ROOT_CONTEXT, (x: number, y: number) => x + y, undefined, 1, 2)).toBe(3);
    });

    it('keeps context.with transparent while enabled', () => {
      start();
      const ctx = setSpanContext(ROOT_CONTEXT, SC);
      const self = {};
      expect(
        context.with(
          ctx,
          function (this: unknown, a: number) {
            return [this, a, context.active()];
          },
          self,
          7,
        ),
      ).toEqual([self, 7, ctx]);
      const e = new Error('through');
      expect(() =>
        context.with(ctx, () => {
          throw e;
        }),
      ).toThrow(e);
    });
  });

  describe('bounds', () => {
    it('reports 1000 identical errors once, and counts the duplicates', () => {
      const i = start();
      const errs = Array.from({ length: 1000 }, () => new Error('same'));
      // same type, message and first frame: created on one line
      for (const e of errs) win.error(e);
      expect(recs).toHaveLength(1);
      expect(i.duplicates).toBe(999);
    });

    it('reports an identical error again after the window', () => {
      vi.useFakeTimers();
      const i = start({ dedupeWindowMillis: 1000 });
      const make = () => new Error('again');
      win.error(make());
      vi.advanceTimersByTime(999);
      win.error(make());
      vi.advanceTimersByTime(1);
      win.error(make());
      expect(recs).toHaveLength(2);
      expect(i.duplicates).toBe(1);
    });

    it('tells errors apart by type, message and first stack frame', () => {
      start();
      const a = () => new Error('m');
      const b = () => new Error('m');
      win.error(a());
      win.error(b()); // another line: another frame
      win.error(new TypeError('m'));
      win.error(new Error('other'));
      win.error(a());
      expect(recs).toHaveLength(4);
    });

    it('rate-limits distinct errors to maxPerMinute, counts the drops, and reports once', () => {
      vi.useFakeTimers();
      const consoleError = vi.spyOn(console, 'error');
      const i = start({ maxPerMinute: 10 });
      for (let n = 0; n < 25; n++) win.error(new Error('distinct ' + n));
      expect(recs).toHaveLength(10);
      expect(i.dropped).toBe(15);
      vi.advanceTimersByTime(60000);
      win.error(new Error('next minute'));
      expect(recs).toHaveLength(11);
      // silent: the page's console is not otelite's to fill
      expect(consoleError).not.toHaveBeenCalled();
      consoleError.mockRestore();
    });

    it('forgets the oldest keys past its bound (memory stays bounded)', () => {
      const i = start({ maxPerMinute: 1e6 });
      const first = () => new Error('key 0');
      win.error(first());
      for (let n = 1; n < 300; n++) win.error(new Error('key ' + n));
      expect(recs).toHaveLength(300);
      win.error(first()); // evicted: reported again
      expect(recs).toHaveLength(301);
      expect(i.duplicates).toBe(0);
    });

    it('warns about bad options and uses the defaults', () => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      const i = start({ maxPerMinute: -1, dedupeWindowMillis: 'x' as unknown as number });
      expect(warn).toHaveBeenCalledTimes(2);
      for (let n = 0; n < 120; n++) win.error(new Error('d' + n));
      expect(recs).toHaveLength(100);
      expect(i.dropped).toBe(20);
      warn.mockRestore();
    });
  });

  describe('resource errors', () => {
    const img = { localName: 'img', src: 'https://cdn.test/missing.png' };

    it('are ignored by default (no capture listener)', () => {
      start();
      win.fire('error', {}, img);
      expect(recs).toHaveLength(0);
    });

    it('become WARN records with the URL when enabled', () => {
      start({ resourceErrors: true });
      expect(win.l.find((x) => x.type == 'error')!.capture).toBe(true);
      win.fire('error', {}, img);
      win.fire('error', {}, { localName: 'link', href: 'https://cdn.test/a.css', src: undefined });
      expect(recs[0].severityNumber).toBe(13);
      expect(recs[0].severityText).toBe('WARN');
      expect(recs[0].eventName).toBe('exception');
      expect(attrs(0)).toEqual({
        'exception.type': 'ResourceError',
        'exception.message': 'Failed to load img https://cdn.test/missing.png',
        'url.full': 'https://cdn.test/missing.png',
      });
      expect(attrs(1)['url.full']).toBe('https://cdn.test/a.css');
      // uncaught errors still work with the capture listener
      win.error(new Error('still'));
      expect(recs[2].attributes['exception.message']).toBe('still');
    });
  });

  describe('recordError', () => {
    it('reports a caught error in the active span, with attributes', () => {
      const i = start();
      context.with(setSpanContext(ROOT_CONTEXT, SC), () => i.recordError(new SyntaxError('bad json'), { 'app.step': 'parse' }));
      expect(recs[0].spanContext).toEqual(SC);
      expect(attrs()).toMatchObject({ 'exception.type': 'SyntaxError', 'exception.message': 'bad json', 'app.step': 'parse' });
    });

    it('the module function goes through the instance enabled last', () => {
      const i = start({ maxPerMinute: 1 });
      recordError(new Error('one'));
      recordError(new Error('two'));
      expect(recs).toHaveLength(1);
      expect(i.dropped).toBe(1);
    });

    it('the module function works without an enabled instance, through the global provider', () => {
      provider.register();
      recordError('string error');
      expect(attrs()).toEqual({ 'exception.message': 'string error' });
      logs.disable();
    });
  });

  describe('never throws', () => {
    it('with a hostile error, a throwing logger, or no event target', () => {
      start();
      const hostile = new Proxy(
        {},
        {
          get() {
            throw new Error('trap');
          },
        },
      );
      expect(() => win.error(hostile, { message: 'Uncaught' })).not.toThrow();
      expect(() => win.rejection(hostile)).not.toThrow();
      const bad = errorsInstrumentation({
        loggerProvider: {
          getLogger: () => ({
            emit() {
              throw new Error('logger');
            },
            enabled: () => true,
          }),
        },
        target: new FakeWindow() as unknown as EventTarget,
      });
      expect(() => bad.recordError(new Error('x'))).not.toThrow();
      const none = errorsInstrumentation({ target: {} as EventTarget });
      expect(() => none.enable()).not.toThrow();
      expect(() => none.disable()).not.toThrow();
    });

    it('listens on the global scope by default (a worker or a window)', () => {
      const t = new EventTarget();
      vi.stubGlobal('addEventListener', t.addEventListener.bind(t));
      vi.stubGlobal('removeEventListener', t.removeEventListener.bind(t));
      inst = errorsInstrumentation({ loggerProvider: provider });
      inst.enable();
      t.dispatchEvent(Object.assign(new Event('unhandledrejection'), { reason: new Error('in worker'), promise: Promise.resolve() }));
      expect(recs).toHaveLength(1);
    });
  });
});

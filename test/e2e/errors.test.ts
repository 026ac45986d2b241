/**
 * Errors as logs in real Chromium: uncaught errors and unhandled rejections thrown inside active
 * spans reach the receiver as schema-valid `exception` log records with the span's trace and span
 * ids; floods are deduplicated and rate-limited; the page (and its console) sees every error as
 * without otelite; records queued at page exit arrive; a dedicated worker reports its own errors.
 *
 * The page code is bundled from src/ with esbuild here (no dependency on dist/ being fresh).
 */
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { htmlPage, launchBrowser, newPage, REPO_ROOT, startReceiver, startServer } from './harness';
import type { Browser, Receiver, TestPage, TestServer } from './harness';

/** Sets up tracing and logs to the receiver, and the errors instrumentation; exposes helpers. */
const APP = `
import { TracerProvider, BatchSpanProcessor } from './src/trace/index';
import { LoggerProvider, BatchLogRecordProcessor } from './src/logs/index';
import { OTLPTraceExporter } from './src/exporters/otlp-http-json/traces';
import { OTLPLogExporter } from './src/exporters/otlp-http-json/logs';
import { errorsInstrumentation, recordError } from './src/instrumentations/errors/index';

const q = new URLSearchParams(location.search);
const endpoint = q.get('endpoint');
const tp = new TracerProvider({ spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ endpoint }))] });
tp.register();
const lp = new LoggerProvider({
  processors: [new BatchLogRecordProcessor(new OTLPLogExporter({ endpoint }), { scheduledDelayMillis: Number(q.get('delay') || 1000) })],
});
lp.register();
const errors = errorsInstrumentation({ resourceErrors: q.has('resources') });
errors.enable();
const tracer = tp.getTracer('page');

const ids = (span) => ({ traceId: span.spanContext().traceId, spanId: span.spanContext().spanId });
window.t = {
  errors,
  flush: () => Promise.all([tp.forceFlush(), lp.forceFlush()]),
  // thrown inside an active span, uncaught (a timer callback: nothing catches it)
  throwInSpan: () =>
    new Promise((resolve) =>
      setTimeout(() =>
        tracer.startActiveSpan('sync op', (span) => {
          resolve(ids(span));
          span.end();
          throw new TypeError('boom in span');
        }),
      ),
    ),
  // an async span callback that rejects; its promise is left unhandled
  rejectInSpan: () =>
    new Promise((resolve) => {
      tracer.startActiveSpan('async op', async (span) => {
        resolve(ids(span));
        await new Promise((r) => setTimeout(r, 1));
        span.end();
        throw new RangeError('rejected in span');
      });
    }),
  flood: (n, distinct) =>
    new Promise((resolve) => {
      for (let i = 0; i < n; i++)
        setTimeout(() => {
          throw new Error(distinct ? 'flood ' + i : 'flood');
        });
      setTimeout(resolve, 10);
    }),
  manual: () => tracer.startActiveSpan('manual', (span) => {
    recordError(new SyntaxError('caught and reported'), { 'app.step': 'parse' });
    span.end();
    return ids(span);
  }),
  brokenImage: () =>
    new Promise((resolve) => {
      const img = new Image();
      img.onerror = () => resolve(img.src);
      img.src = '/missing.png';
      document.body.append(img);
    }),
};
`;

/** A dedicated worker that reports its own errors (global addEventListener of the worker scope). */
const WORKER = `
import { LoggerProvider, SimpleLogRecordProcessor } from './src/logs/index';
import { OTLPLogExporter } from './src/exporters/otlp-http-json/logs';
import { errorsInstrumentation } from './src/instrumentations/errors/index';

const endpoint = new URL(location.href).searchParams.get('endpoint');
new LoggerProvider({ processors: [new SimpleLogRecordProcessor(new OTLPLogExporter({ endpoint, compression: 'none' }))] }).register();
errorsInstrumentation().enable();
setTimeout(() => {
  throw new Error('thrown in worker');
});
Promise.reject(new Error('rejected in worker'));
postMessage('ready');
`;

async function bundle(contents: string): Promise<string> {
  const r = await build({
    stdin: { contents, resolveDir: REPO_ROOT, sourcefile: 'page.ts', loader: 'ts' },
    bundle: true,
    format: 'esm',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return r.outputFiles[0].text;
}

let browser: Browser;
let receiver: Receiver;
let site: TestServer;
let p: TestPage | undefined;

beforeAll(async () => {
  const [app, worker] = await Promise.all([bundle(APP), bundle(WORKER)]);
  [browser, receiver, site] = await Promise.all([
    launchBrowser(),
    startReceiver({ cors: { origins: '*' } }),
    startServer({
      routes: {
        '/app.js': app,
        '/worker.js': worker,
        '/index.html': htmlPage({ modules: ['/app.js'] }),
        '/next.html': htmlPage({ title: 'next' }),
        '/worker.html': htmlPage({ body: '<p>worker</p>' }),
      },
    }),
  ]);
});
afterAll(async () => {
  await Promise.all([browser?.close(), receiver?.close(), site?.close()]);
});
afterEach(async () => {
  await p?.close();
  p = undefined;
  receiver.reset();
});

async function open(query = ''): Promise<TestPage> {
  p = await newPage(browser);
  await p.page.goto(site.at(`/index.html?endpoint=${encodeURIComponent(receiver.url)}${query}`));
  await p.page.waitForFunction(() => 't' in window);
  return p;
}

const exceptions = () => receiver.logs().filter((l) => l.eventName == 'exception');

describe('errors instrumentation in Chromium', () => {
  it('exports an uncaught error and an unhandled rejection thrown in active spans, with their ids', async () => {
    const { page } = await open();
    const sync = await page.evaluate(() => (window as any).t.throwInSpan());
    const async_ = await page.evaluate(() => (window as any).t.rejectInSpan());
    // let the rejection become unhandled, then flush
    await page.waitForTimeout(50);
    await page.evaluate(() => (window as any).t.flush());
    const logs = await receiver.waitFor((r) => (r.logs().length >= 2 ? r.logs() : undefined));
    expect(receiver.errors()).toEqual([]);

    const thrown = logs.find((l) => l.attrs['exception.message'] == 'boom in span')!;
    expect(thrown).toMatchObject({ eventName: 'exception', severityNumber: 17, severityText: 'ERROR', traceId: sync.traceId, spanId: sync.spanId });
    expect(thrown.attrs['exception.type']).toBe('TypeError');
    expect(thrown.attrs['exception.stacktrace']).toMatch(/^TypeError: boom in span\n\s+at .*app\.js/);
    expect(thrown.scope.name).toBe('otelite/errors');
    expect(thrown.resource['telemetry.sdk.name']).toBe('otelite');
    expect(BigInt(thrown.timeUnixNano!)).toBeGreaterThan(0n);

    const rejected = logs.find((l) => l.attrs['exception.message'] == 'rejected in span')!;
    expect(rejected).toMatchObject({ eventName: 'exception', severityNumber: 17, traceId: async_.traceId, spanId: async_.spanId });
    expect(rejected.attrs['exception.type']).toBe('RangeError');

    // the spans they point at were exported too
    const spans = await receiver.waitFor((r) => (r.spans().length >= 2 ? r.spans() : undefined));
    expect(spans.map((s) => s.spanId).sort()).toEqual([sync.spanId, async_.spanId].sort());
    // and the record's flags are the span's W3C trace flags (sampled, and random under Level 2)
    const span = spans.find((s) => s.spanId == sync.spanId)!;
    expect(thrown.flags).toBe(span.flags! & 0xff);
    expect(thrown.flags! & 1).toBe(1);

    // transparent: the page still saw both, exactly as without otelite
    expect(p!.pageErrors.some((e) => e.includes('boom in span'))).toBe(true);
    expect(p!.unhandledRejections.some((e) => e.includes('rejected in span'))).toBe(true);
    expect(p!.problems([/boom in span/, /rejected in span/])).toEqual([]);
  });

  it('reports 1000 identical errors once, and 1000 distinct ones up to the rate limit', async () => {
    const { page } = await open('&delay=50');
    await page.evaluate(() => (window as any).t.flood(1000, false));
    await page.evaluate(() => (window as any).t.flush());
    expect(exceptions()).toHaveLength(1);
    expect(await page.evaluate(() => (window as any).t.errors.duplicates)).toBe(999);
    // the console still got every one of them
    expect(p!.pageErrors.filter((e) => e.includes('flood'))).toHaveLength(1000);

    await page.evaluate(() => (window as any).t.flood(1000, true));
    await page.evaluate(() => (window as any).t.flush());
    // 100 per minute by default, the identical one included
    expect(exceptions()).toHaveLength(100);
    expect(await page.evaluate(() => (window as any).t.errors.dropped)).toBe(901);
    expect(receiver.errors()).toEqual([]);
  });

  it('delivers an error queued when the page navigates away', async () => {
    const { page } = await open('&delay=60000');
    await page.evaluate(() => (window as any).t.throwInSpan());
    await page.goto(site.at('/next.html'));
    const [l] = await receiver.waitFor((r) => (r.logs().length ? r.logs() : undefined));
    expect(l.attrs['exception.message']).toBe('boom in span');
    expect(receiver.errors()).toEqual([]);
  });

  it('reports caught errors with recordError, in the active span', async () => {
    const { page } = await open();
    const ids = await page.evaluate(() => (window as any).t.manual());
    await page.evaluate(() => (window as any).t.flush());
    const [l] = exceptions();
    expect(l).toMatchObject({ traceId: ids.traceId, spanId: ids.spanId });
    expect(l.attrs).toMatchObject({ 'exception.type': 'SyntaxError', 'exception.message': 'caught and reported', 'app.step': 'parse' });
    expect(p!.problems()).toEqual([]);
  });

  it('reports resources that fail to load when asked', async () => {
    const { page } = await open('&resources');
    const url = await page.evaluate(() => (window as any).t.brokenImage());
    await page.evaluate(() => (window as any).t.flush());
    const [l] = exceptions();
    expect(l.severityNumber).toBe(13);
    expect(l.attrs).toEqual({ 'exception.type': 'ResourceError', 'exception.message': 'Failed to load img ' + url, 'url.full': url });
    expect(receiver.errors()).toEqual([]);
  });

  it('works in a dedicated worker', async () => {
    p = await newPage(browser);
    await p.page.goto(site.at('/worker.html'));
    await p.page.evaluate(
      (src) =>
        new Promise((ready) => {
          const w = new Worker(src, { type: 'module' });
          w.onmessage = ready;
          // the page's own handler: the worker's error reaches it as before
          w.onerror = (e) => e.preventDefault();
        }),
      site.at(`/worker.js?endpoint=${encodeURIComponent(receiver.url)}`),
    );
    const logs = await receiver.waitFor((r) => (r.logs().length >= 2 ? r.logs() : undefined));
    expect(logs.map((l) => l.attrs['exception.message']).sort()).toEqual(['rejected in worker', 'thrown in worker']);
    expect(receiver.errors()).toEqual([]);
  });
});

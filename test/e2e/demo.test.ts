/**
 * The demo and the dev collector:
 * - `npm start -- --headless` (what CI runs): builds, starts the collector, the Deno inventory
 *   service, the Worker in workerd and the shop page, drives the page in Chromium and exits 0
 *   once the checkout's trace arrived complete (page → Worker → backend), printing it as a text
 *   waterfall; it also checks the collector's page draws that trace, and saves a screenshot.
 * - The collector's page on its own (Chromium): a trace across three services as a waterfall in
 *   parent/child order with proportional bars, attributes on click, the web vitals and the logs
 *   tabs; a screenshot for people to look at.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector } from '../../demo/collector';
import { launchBrowser, newPage, REPO_ROOT } from './harness';
import type { Browser, Receiver } from './harness';

const OUT = join(REPO_ROOT, 'node_modules/.cache/otelite-test/demo');

describe('npm start -- --headless', () => {
  it('exits 0 with a complete page → Worker → backend trace, printed as a text waterfall', async () => {
    mkdirSync(OUT, { recursive: true });
    const shot = join(OUT, 'demo-collector.png');
    rmSync(shot, { force: true });
    const child = spawn('npm', ['start', '--silent', '--', '--headless', '--screenshot', shot], {
      cwd: REPO_ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((ok) => child.on('exit', ok));
    expect(code, out).toBe(0);
    // the waterfall: one line per span, indented by depth, across the three services
    expect(out).toMatch(/^checkout \[shop-web INTERNAL\] +\|█+ *\| +[\d.]+ ms$/m);
    expect(out).toMatch(/^ {2}POST \[shop-web CLIENT\] +\|/m);
    expect(out).toMatch(/^ {4}POST \[shop-worker SERVER\] +\|/m);
    expect(out).toMatch(/^ {6}POST \[shop-worker CLIENT\] +\|/m);
    expect(out).toMatch(/^ {8}POST \[inventory SERVER\] +\|/m);
    expect(out).toContain('schema errors: 0');
    expect(out).toContain('demo: page → Worker → backend trace arrived complete');
    expect(existsSync(shot)).toBe(true);
  }, 120_000);
});

describe('the dev collector page', () => {
  let browser: Browser;
  let collector: Receiver;
  const T = '4bf92f3577b34da6a3ce929d0e0e4736';
  const NOW = Date.now();
  const at = (ms: number) => String(BigInt(Math.round((NOW + ms) * 1000)) * 1000n);
  const kv = (o: Record<string, string | number>) =>
    Object.entries(o).map(([key, v]) => ({ key, value: typeof v == 'number' ? { intValue: String(v) } : { stringValue: v } }));
  const span = (id: string, parent: string | undefined, name: string, kind: number, from: number, to: number, attrs: Record<string, string | number> = {}) => ({
    traceId: T,
    spanId: id.padEnd(16, '0'),
    ...(parent ? { parentSpanId: parent.padEnd(16, '0') } : {}),
    name,
    kind,
    startTimeUnixNano: at(from),
    endTimeUnixNano: at(to),
    attributes: kv(attrs),
  });
  const resource = (service: string) => ({ attributes: kv({ 'service.name': service, 'telemetry.sdk.name': 'otelite' }) });
  const post = (signal: string, body: unknown) =>
    fetch(`${collector.url}/v1/${signal}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    [browser, collector] = await Promise.all([launchBrowser(), startCollector({ port: 0 })]);
    // one checkout across three services, sent as each service would send its part
    await post('traces', {
      resourceSpans: [
        {
          resource: resource('shop-web'),
          scopeSpans: [
            { scope: { name: 'shop' }, spans: [span('a1', undefined, 'checkout', 1, 0, 240, { 'shop.order_id': 'f00d' })] },
            { scope: { name: 'otelite/fetch' }, spans: [span('a2', 'a1', 'POST', 3, 5, 230, { 'http.request.method': 'POST', 'url.full': 'http://127.0.0.1:8787/api/checkout', 'http.response.status_code': 200 })] },
          ],
        },
      ],
    });
    await post('traces', {
      resourceSpans: [
        {
          resource: resource('shop-worker'),
          scopeSpans: [
            {
              scope: { name: 'otelite/cloudflare' },
              spans: [
                span('b1', 'a2', 'POST', 2, 60, 220, { 'http.request.method': 'POST', 'url.path': '/api/checkout', 'http.response.status_code': 200 }),
                span('b2', 'b1', 'POST', 3, 70, 210, { 'http.request.method': 'POST', 'url.full': 'http://127.0.0.1:8788/reserve' }),
              ],
            },
          ],
        },
      ],
    });
    await post('traces', {
      resourceSpans: [
        { resource: resource('inventory'), scopeSpans: [{ scope: { name: 'otelite/deno' }, spans: [span('c1', 'b2', 'POST', 2, 120, 200, { 'url.path': '/reserve', 'http.response.status_code': 200 })] }] },
      ],
    });
    const vital = (name: string, value: number, rating: string) => ({
      timeUnixNano: at(300),
      eventName: 'browser.web_vital',
      attributes: kv({ 'browser.web_vital.name': name, 'browser.web_vital.rating': rating }).concat([{ key: 'browser.web_vital.value', value: { doubleValue: value } } as never]),
    });
    await post('logs', {
      resourceLogs: [
        {
          resource: resource('shop-web'),
          scopeLogs: [
            {
              scope: { name: 'otelite/web-vitals' },
              logRecords: [vital('lcp', 812.5, 'good'), vital('fcp', 420, 'good'), vital('ttfb', 35, 'good'), vital('inp', 260, 'needs-improvement'), vital('cls', 0.02, 'good')],
            },
            {
              scope: { name: 'otelite/errors' },
              logRecords: [{ timeUnixNano: at(100), severityNumber: 17, severityText: 'ERROR', eventName: 'exception', traceId: T, spanId: 'a1'.padEnd(16, '0'), attributes: kv({ 'exception.type': 'TypeError', 'exception.message': 'cart is undefined' }) }],
            },
          ],
        },
      ],
    });
    expect(collector.errors()).toEqual([]);
  });
  afterAll(async () => {
    await Promise.all([browser?.close(), collector?.close()]);
  });

  it('draws the trace as a waterfall, shows attributes on click, the web vitals and the logs', async () => {
    const p = await newPage(browser, { viewport: { width: 1280, height: 760 } });
    const page = p.page;
    await page.goto(collector.url + '/');
    await page.waitForSelector(`.trace-item[data-trace="${T}"]`);
    // the list: the trace by its root span, with its services in call order
    const item = page.locator(`.trace-item[data-trace="${T}"]`);
    expect(await item.locator('.root').textContent()).toBe('checkout');
    expect(await item.locator('.chip').allTextContents()).toEqual(['shop-web', 'shop-worker', 'inventory']);
    expect(await item.locator('.meta').textContent()).toContain('5 spans · 240 ms');

    // the waterfall: parent before child, indented by depth, bars placed by time
    const rows = await page.$$eval('#waterfall .row[data-id]', (rs) =>
      rs.map((r) => {
        const bar = r.querySelector<HTMLElement>('.bar')!;
        return {
          id: r.getAttribute('data-id'),
          text: r.querySelector('.name')!.textContent,
          indent: parseFloat((r.querySelector('.name') as HTMLElement).style.paddingLeft),
          left: parseFloat(bar.style.left),
          width: parseFloat(bar.style.width),
          dur: r.querySelector('.dur')!.textContent,
        };
      }),
    );
    expect(rows.map((r) => r.text)).toEqual([
      'shop-webcheckoutINTERNAL',
      'shop-webPOSTCLIENT',
      'shop-workerPOSTSERVER',
      'shop-workerPOSTCLIENT',
      'inventoryPOSTSERVER',
    ]);
    expect(rows.map((r) => r.indent)).toEqual([6, 22, 38, 54, 70]);
    expect(rows.map((r) => r.dur)).toEqual(['240 ms', '225 ms', '160 ms', '140 ms', '80 ms']);
    expect(rows[0]).toMatchObject({ left: 0, width: 100 });
    expect(rows[4].left).toBeCloseTo(50, 1); // 120 ms into 240
    expect(rows[4].width).toBeCloseTo((80 / 240) * 100, 1);

    // attributes on click
    await page.click('#waterfall .row[data-id="b2' + '0'.repeat(14) + '"]');
    const details = await page.locator('#details').textContent();
    expect(details).toContain('url.full');
    expect(details).toContain('http://127.0.0.1:8788/reserve');
    expect(details).toContain('shop-worker');
    expect(await page.locator('#details h3').textContent()).toBe('shop-worker POST');
    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: join(OUT, 'collector-waterfall.png'), fullPage: true });

    // web vitals and logs
    await page.click('nav button[data-tab=vitals]');
    const vitals = await page.$$eval('#vitals-table tr', (rs) => rs.slice(1).map((r) => [...r.querySelectorAll('td')].slice(1, 4).map((d) => d.textContent)));
    expect(vitals).toEqual(
      expect.arrayContaining([
        ['LCP', '813 ms', 'good'],
        ['INP', '260 ms', 'needs-improvement'],
        ['CLS', '0.020', 'good'],
      ]),
    );
    expect(vitals).toHaveLength(5);
    await page.click('nav button[data-tab=logs]');
    expect(await page.locator('#logs-table').textContent()).toContain('TypeError: cart is undefined');
    expect(await page.locator('#stats').textContent()).toBe('1 trace · 5 vitals · 6 logs · 0 metric streams');
    expect(p.problems()).toEqual([]);
    await p.close();
  });
});

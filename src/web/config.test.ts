import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { redactor, resolve, type WebConfig } from './config';

let warn: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => vi.restoreAllMocks());
const warnings = (): string[] => warn.mock.calls.map((c: unknown[]) => String(c[0]));

describe('redactor', () => {
  const r = redactor(['AWSAccessKeyId', 'Signature', 'sig', 'X-Goog-Signature', 'to.ken']);

  it('replaces credentials with REDACTED:REDACTED', () => {
    expect(r('https://user:pw@example.com/p?q=1')).toBe('https://REDACTED:REDACTED@example.com/p?q=1');
    expect(r('https://user@example.com/')).toBe('https://REDACTED:REDACTED@example.com/');
    // an @ in the path or query is not a credential
    expect(r('https://example.com/a@b?c=d@e')).toBe('https://example.com/a@b?c=d@e');
  });

  it("redacts the semantic conventions' signed query parameters, and only their values", () => {
    expect(r('https://s3.example.com/k?AWSAccessKeyId=AKIA&Expires=1&Signature=abc%2F#frag')).toBe(
      'https://s3.example.com/k?AWSAccessKeyId=REDACTED&Expires=1&Signature=REDACTED#frag',
    );
    expect(r('https://x.example/?sig=1&signature=2&X-Goog-Signature=3')).toBe('https://x.example/?sig=REDACTED&signature=2&X-Goog-Signature=REDACTED');
    // names are matched literally, not as regular expressions
    expect(r('https://x.example/?to.ken=1&toXken=2')).toBe('https://x.example/?to.ken=REDACTED&toXken=2');
  });

  it('gives the hook the last word; a throwing or non-string hook records REDACTED', () => {
    expect(redactor([], (u) => u.replace(/\/users\/\d+/, '/users/{id}'))('https://x.example/users/42')).toBe('https://x.example/users/{id}');
    expect(
      redactor([], () => {
        throw new Error('bug');
      })('https://x.example/'),
    ).toBe('REDACTED');
    expect(redactor([], () => undefined as unknown as string)('https://x.example/')).toBe('REDACTED');
  });
});

describe('resolve', () => {
  it('has safe defaults for an empty config', () => {
    const c = resolve({});
    expect(c).toMatchObject({
      resourceAttributes: {},
      endpoint: undefined,
      headers: {},
      compression: undefined,
      transport: undefined,
      propagators: ['tracecontext', 'baggage'],
      propagateTo: [],
      ignoreUrls: [],
      instrumentations: { fetch: {}, xhr: {}, 'document-load': {}, 'web-vitals': {}, errors: {} },
      session: {},
      debug: false,
      disabled: false,
    });
    expect(warnings()).toEqual([]);
  });

  it('takes the data-* string forms of every key', () => {
    const c = resolve({
      serviceName: 'shop',
      resourceAttributes: 'deployment.environment.name=prod,app.version=1.2',
      endpoint: 'https://collector.example.com',
      headers: 'x-api-key=abc',
      compression: 'none',
      transport: 'beacon',
      temporalityPreference: 'Delta' as 'delta',
      sampler: 'traceidratio',
      samplerArg: '0.5',
      propagators: 'tracecontext,b3',
      propagateTo: 'https://api.example.com,/^https:\\/\\/cdn\\./',
      ignoreUrls: 'https://ads.example.com',
      instrumentations: 'fetch,xhr,errors',
      disabledInstrumentations: 'xhr',
      session: 'local',
      redactQueryParams: 'token',
      debug: '',
      disabled: 'false',
    });
    expect(warnings()).toEqual([]);
    expect(c).toMatchObject({
      resourceAttributes: { 'service.name': 'shop', 'deployment.environment.name': 'prod', 'app.version': '1.2' },
      endpoint: 'https://collector.example.com',
      headers: { 'x-api-key': 'abc' },
      compression: 'none',
      transport: 'beacon',
      temporalityPreference: 'delta',
      sampler: 'traceidratio',
      samplerArg: '0.5',
      propagators: ['tracecontext', 'b3'],
      propagateTo: ['https://api.example.com', /^https:\/\/cdn\./],
      ignoreUrls: ['https://ads.example.com'],
      instrumentations: { fetch: {}, errors: {} },
      session: { storage: 'local' },
      debug: true,
      disabled: false,
    });
    expect(c.redactUrl('https://x.example/?token=1&a=2')).toBe('https://x.example/?token=REDACTED&a=2');
  });

  it('takes propagateTo and ignoreUrls in the forms the edge takes: /re/flags strings are RegExps', () => {
    const c = resolve({
      propagateTo: ['/^https:\\/\\/API\\.example\\./i', 'https://b.example', /c\.example/],
      ignoreUrls: '/\\/health$/, https://ads.example',
    });
    expect(c.propagateTo).toEqual([/^https:\/\/API\.example\./i, 'https://b.example', /c\.example/]);
    expect(c.ignoreUrls).toEqual([/\/health$/, 'https://ads.example']);
    expect(resolve({ propagateTo: '/x/g' }).propagateTo).toEqual([/x/g]);
    expect(warnings()).toEqual([]);
    expect(resolve({ propagateTo: ['/[/', '/ok/'] }).propagateTo).toEqual([/ok/]);
    expect(warnings()).toEqual(['otelite: invalid propagateTo "/[/"; using "skipped"']);
  });

  it("converts an instrumentation's own propagateTo and ignoreUrls as the top-level ones, which fill in the rest", () => {
    // (a regression: these reached the instrumentations as strings, so `/re/` was a URL prefix
    // on the page's origin, which matched nothing)
    const fetch = { propagateTo: '/^https:\\/\\/api\\./, https://b.example', redactUrl: (u: string) => u };
    const c = resolve({
      propagateTo: 'https://top.example',
      ignoreUrls: '/ads/',
      instrumentations: { fetch, xhr: { propagateTo: undefined, ignoreUrls: ['/\\/health$/i', /ads/] }, 'document-load': { ignoreUrls: '/\\.png$/' } },
    });
    const top = { propagateTo: ['https://top.example'], ignoreUrls: [/ads/] };
    expect(c.instrumentations).toEqual({
      fetch: { propagateTo: [/^https:\/\/api\./, 'https://b.example'], redactUrl: fetch.redactUrl, ignoreUrls: top.ignoreUrls },
      // an option given as undefined is none, as when the instrumentation is made by hand
      xhr: { propagateTo: [], ignoreUrls: [/\/health$/i, /ads/] },
      'document-load': { propagateTo: top.propagateTo, ignoreUrls: [/\.png$/] },
      'web-vitals': top,
      errors: top,
    });
    // the caller's objects stay as they were
    expect(fetch).toEqual({ propagateTo: '/^https:\\/\\/api\\./, https://b.example', redactUrl: fetch.redactUrl });
    expect(warnings()).toEqual([]);
    // the same diagnostic and safe default as the top-level keys: the bad entry is left out
    const bad = resolve({ instrumentations: { fetch: { propagateTo: ['/[/', '/ok/'] }, xhr: { ignoreUrls: 'ftp://x' } } });
    expect(bad.instrumentations.fetch).toEqual({ propagateTo: [/ok/], ignoreUrls: [] });
    expect(bad.instrumentations.xhr).toEqual({ propagateTo: [], ignoreUrls: [] });
    expect(warnings()).toEqual(['otelite: invalid fetch.propagateTo "/[/"; using "skipped"', 'otelite: invalid xhr.ignoreUrls "ftp://x"; using "skipped"']);
  });

  it('takes objects: instrumentation options, session options, a sampler, a context manager, a hook', () => {
    const sampler = { shouldSample: () => ({ decision: 1 as const }), toString: () => 's' };
    const cm = { active: () => undefined };
    const c = resolve({
      instrumentations: { xhr: false, 'web-vitals': { attribution: true }, errors: 'false' as never },
      session: { storage: 'session', inactivityTimeoutMs: 1000 },
      sampler,
      contextManager: cm as never,
      redactUrl: () => 'gone',
    });
    expect(warnings()).toEqual([]);
    // (each with the top-level URL options, which it may override)
    const urls = { propagateTo: [], ignoreUrls: [] };
    expect(c.instrumentations).toEqual({ fetch: urls, 'document-load': urls, 'web-vitals': { attribution: true, ...urls } });
    expect(c.session).toEqual({ storage: 'session', inactivityTimeoutMs: 1000 });
    expect(c.sampler).toBe(sampler);
    expect(c.contextManager).toBe(cm);
    expect(c.redactUrl('https://x.example/')).toBe('gone');
  });

  it('turns sessions off', () => {
    expect(resolve({ session: false }).session).toBe(false);
    expect(resolve({ session: 'false' }).session).toBe(false);
  });

  it('warns once per bad key, naming it and the value, and falls back to the default', () => {
    const c = resolve({
      serviceName: 42 as never,
      endpoint: 'not a url at all:',
      compression: 'brotli' as never,
      transport: 'pigeon' as never,
      sampler: 7 as never,
      instrumentations: 'fetch,bogus',
      disabledInstrumentations: ['nope' as never],
      session: 'forever',
      disabled: 'maybe',
      debug: 'loud',
      redactUrl: 'x' as never,
      contextManager: {} as never,
      serviceNmae: 'typo',
    } as never);
    // in the order of the table (WebConfig's), the instrumentation names last, each under its
    // key; "default" where what uses the value has the default (unknown_service, gzip, fetch,
    // parentbased_always_on, none, the stack manager); an unusable endpoint exports nothing
    expect(warnings()).toEqual([
      'otelite: invalid config key "serviceNmae"; using "ignored"',
      'otelite: invalid serviceName 42; using "default"',
      'otelite: invalid endpoint "not a url at all:"; using "no export"',
      'otelite: invalid compression "brotli"; using "default"',
      'otelite: invalid sampler 7; using "default"',
      'otelite: invalid disabled "maybe"; using false',
      'otelite: invalid transport "pigeon"; using "default"',
      'otelite: invalid session "forever"; using {}',
      'otelite: invalid redactUrl "x"; using "default"',
      'otelite: invalid contextManager {}; using "default"',
      'otelite: invalid debug "loud"; using false',
      'otelite: invalid instrumentations "bogus"; using "ignored"',
      'otelite: invalid disabledInstrumentations "nope"; using "ignored"',
    ]);
    expect(c).toMatchObject({
      resourceAttributes: {},
      endpoint: '',
      compression: undefined,
      transport: undefined,
      sampler: undefined,
      instrumentations: { fetch: {} },
      session: {},
      disabled: false,
      debug: false,
    });
  });

  it('data-disabled-instrumentations="xhr,fetchh": xhr off, the typo named under its key', () => {
    const c = resolve({ disabledInstrumentations: 'xhr,fetchh' });
    expect(Object.keys(c.instrumentations)).toEqual(['fetch', 'document-load', 'web-vitals', 'errors']);
    expect(warnings()).toEqual(['otelite: invalid disabledInstrumentations "fetchh"; using "ignored"']);
  });

  it("takes other tools' data-* attributes on the snippet's tag (Next.js, Cloudflare) without a warning, and warns about typos", () => {
    // what the snippet passes: the tag's dataset (data-nscript="afterInteractive", data-cfasync="false", data-servce-name)
    const c = resolve({ serviceName: 'shop', nscript: 'afterInteractive', cfasync: 'false', servceName: 'typo' } as WebConfig);
    expect(c.resourceAttributes).toEqual({ 'service.name': 'shop' });
    expect(warnings()).toEqual(['otelite: invalid config key "servceName"; using "ignored"']);
  });

  it('a /re/ of data-propagate-to with commas inside stays one expression', () => {
    const c = resolve({ propagateTo: '/^http:\\/\\/127\\.0\\.0\\.1:910[0-9]{1,2}\\/api\\//, https://b.example' });
    expect(c.propagateTo).toEqual([/^http:\/\/127\.0\.0\.1:910[0-9]{1,2}\/api\//, 'https://b.example']);
    expect(warnings()).toEqual([]);
  });

  it('says disabled', () => {
    expect(resolve({ disabled: true }).disabled).toBe(true);
    expect(resolve({ disabled: '' }).disabled).toBe(true);
  });
});

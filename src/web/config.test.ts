import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flag, keyValues, list, matchers, redactor, resolve } from './config';

let warn: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => vi.restoreAllMocks());
const warnings = (): string[] => warn.mock.calls.map((c: unknown[]) => String(c[0]));

describe('list, flag, keyValues', () => {
  it('splits comma-separated lists and passes arrays through', () => {
    expect(list(' fetch, xhr ,,errors')).toEqual(['fetch', 'xhr', 'errors']);
    expect(list(['a'])).toEqual(['a']);
    expect(list(undefined)).toEqual([]);
    expect(list(3)).toEqual([]);
  });

  it('reads booleans the way data attributes write them', () => {
    for (const t of [true, '', 'true', '1']) expect(flag(t)).toBe(true);
    for (const f of [false, 'false', '0']) expect(flag(f)).toBe(false);
    for (const x of ['yes', 2, null, undefined]) expect(flag(x)).toBeUndefined();
  });

  it('parses k=v lists with percent-decoding and warns once per bad pair', () => {
    expect(keyValues('headers', 'a=1, b = x%20y ,bad,=v,c=%E0%A4%A', () => true)).toEqual({ a: '1', b: 'x y' });
    expect(warnings()).toEqual([
      'otelite: invalid headers "bad"; using "skipped"',
      'otelite: invalid headers "=v"; using "skipped"',
      'otelite: invalid headers "c=%E0%A4%A"; using "skipped"',
    ]);
  });

  it('checks the values of objects', () => {
    expect(keyValues('resourceAttributes', { a: 1, b: { no: 1 }, c: ['x'] }, (v) => typeof v != 'object' || Array.isArray(v))).toEqual({
      a: 1,
      c: ['x'],
    });
    expect(warnings()).toEqual(['otelite: invalid resourceAttributes.b {"no":1}; using "skipped"']);
    expect(keyValues('headers', 42, () => true)).toEqual({});
    expect(warnings()[1]).toBe('otelite: invalid headers 42; using {}');
  });
});

describe('matchers', () => {
  it('keeps RegExps and http(s) URLs, turns /re/flags into RegExps, warns about the rest', () => {
    const m = matchers('propagateTo', ['https://api.example.com', /x/, '/^https:\\/\\/a\\./i', 'ftp://x', '/[/']);
    expect(m).toEqual(['https://api.example.com', /x/, /^https:\/\/a\./i]);
    expect(warnings()).toEqual(['otelite: invalid propagateTo "ftp://x"; using "skipped"', 'otelite: invalid propagateTo "/[/"; using "skipped"']);
  });

  it('takes a comma-separated string and a single RegExp', () => {
    expect(matchers('ignoreUrls', 'https://a.example, https://b.example/x')).toEqual(['https://a.example', 'https://b.example/x']);
    expect(matchers('ignoreUrls', /y/g)).toEqual([/y/g]);
    expect(matchers('ignoreUrls', undefined)).toEqual([]);
  });
});

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
      r: {},
      x: { endpoint: undefined, headers: {}, compression: undefined, transport: undefined },
      p: ['tracecontext', 'baggage'],
      pt: [],
      iu: [],
      i: { fetch: {}, xhr: {}, 'document-load': {}, 'web-vitals': {}, errors: {} },
      n: {},
      d: false,
      o: false,
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
      r: { 'service.name': 'shop', 'deployment.environment.name': 'prod', 'app.version': '1.2' },
      x: { endpoint: 'https://collector.example.com', headers: { 'x-api-key': 'abc' }, compression: 'none', transport: 'beacon' },
      s: 'traceidratio',
      a: '0.5',
      p: ['tracecontext', 'b3'],
      pt: ['https://api.example.com', /^https:\/\/cdn\./],
      iu: ['https://ads.example.com'],
      i: { fetch: {}, errors: {} },
      n: { storage: 'local' },
      d: true,
      o: false,
    });
    expect(c.u('https://x.example/?token=1&a=2')).toBe('https://x.example/?token=REDACTED&a=2');
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
    expect(c.i).toEqual({ fetch: {}, 'document-load': {}, 'web-vitals': { attribution: true } });
    expect(c.n).toEqual({ storage: 'session', inactivityTimeoutMs: 1000 });
    expect(c.s).toBe(sampler);
    expect(c.c).toBe(cm);
    expect(c.u('https://x.example/')).toBe('gone');
  });

  it('turns sessions off', () => {
    expect(resolve({ session: false }).n).toBe(false);
    expect(resolve({ session: 'false' }).n).toBe(false);
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
    expect(warnings()).toEqual([
      'otelite: invalid config key "serviceNmae"; using "nothing (unknown key)"',
      'otelite: invalid serviceName 42; using undefined',
      'otelite: invalid instrumentations "bogus"; using ["fetch","xhr","document-load","web-vitals","errors"]',
      'otelite: invalid instrumentations "nope"; using ["fetch","xhr","document-load","web-vitals","errors"]',
      'otelite: invalid session "forever"; using "session"',
      'otelite: invalid contextManager {}; using undefined',
      'otelite: invalid endpoint "not a url at all:"; using undefined',
      'otelite: invalid compression "brotli"; using undefined',
      'otelite: invalid transport "pigeon"; using undefined',
      'otelite: invalid sampler 7; using undefined',
      'otelite: invalid redactUrl "x"; using undefined',
      'otelite: invalid debug "loud"; using false',
      'otelite: invalid disabled "maybe"; using false',
    ]);
    expect(c).toMatchObject({ r: {}, x: { endpoint: undefined, compression: undefined, transport: undefined }, s: undefined, i: { fetch: {} }, n: {}, o: false, d: false });
  });

  it('says disabled', () => {
    expect(resolve({ disabled: true }).o).toBe(true);
    expect(resolve({ disabled: '' }).o).toBe(true);
  });
});

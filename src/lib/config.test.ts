import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { check, checkedValues, COMMON, endpoint, flag, instrumentations, keyValues, list, matchers, patterns, propagatorFrom, unknownNames, withEnv } from './config';

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
    expect(list('')).toEqual([]);
    expect(list(' , ,')).toEqual([]);
  });

  it('keeps a /re/flags member of a URL pattern list whole across the commas of its expression', () => {
    // (a regression: split at the comma of {1,2}, silently: two members that match nothing)
    const re = '/^http:\\/\\/127\\.0\\.0\\.1:910[0-9]{1,2}\\/api\\//';
    const RE = /^http:\/\/127\.0\.0\.1:910[0-9]{1,2}\/api\//;
    expect(patterns(re, 'propagateTo')).toEqual([RE]);
    expect(patterns(`https://a.example, ${re} ,/[,;]x/i,/b/`, 'propagateTo')).toEqual(['https://a.example', RE, /[,;]x/i, /b/]);
    // a path is no expression: it ends at its comma, also before members that end with a slash
    expect(patterns('/health, https://a.example/, /b/', 'ignoreUrls')).toEqual(['/health', 'https://a.example/', /b/]);
    expect(patterns('/health,/x{1,2}/', 'ignoreUrls')).toEqual(['/health', /x{1,2}/]);
    expect(patterns('/a,b, c', 'ignoreUrls')).toEqual(['/a', 'b', 'c']);
    // a k=v member or a /re/ after the comma splits, whatever brackets its value has
    expect(keyValues('authorization=Basic x,x-tag=a}', 'headers')).toEqual({ authorization: 'Basic x', 'x-tag': 'a}' });
    expect(patterns('/a/,/\\]/', 'ignoreUrls')).toEqual([/a/, /\]/]);
    expect(list('a=/x,b=/y/')).toEqual(['a=/x', 'b=/y/']);
    expect(list('fetch,xhr')).toEqual(['fetch', 'xhr']);
  });

  it('reads booleans the way data attributes and OTEL variables write them', () => {
    for (const t of [true, '', 'true', '1', ' TRUE ']) expect(flag(t)).toBe(true);
    for (const f of [false, 'false', '0', 'False']) expect(flag(f)).toBe(false);
    for (const x of ['yes', 2, null, undefined]) expect(flag(x)).toBeUndefined();
  });

  it('parses k=v lists: keys and values percent-decoded, blanks trimmed, empty members skipped', () => {
    expect(keyValues('a=1, b = two%20words ,,c=x%3Dy', 'k')).toEqual({ a: '1', b: 'two words', c: 'x=y' });
    expect(keyValues('api-key=s3cr%2Ct,k%2Cey=v', 'k')).toEqual({ 'api-key': 's3cr,t', 'k,ey': 'v' });
    expect(keyValues('a=', 'k')).toEqual({ a: '' });
    expect(keyValues(undefined, 'k')).toEqual({});
    expect(keyValues('', 'k')).toEqual({});
    expect(warnings()).toEqual([]);
  });

  it('discards a malformed list as a whole (the SDK environment spec), with one warning naming the key', () => {
    for (const bad of ['a=1,novalue', '=1', 'a=%E0%A4%A', 'a=1, b = x%20y ,bad,=v']) expect(keyValues(bad, 'headers')).toEqual({});
    expect(warnings()).toEqual([
      'otelite: invalid headers "a=1,novalue"; using {}',
      'otelite: invalid headers "=1"; using {}',
      'otelite: invalid headers "a=%E0%A4%A"; using {}',
      'otelite: invalid headers "a=1, b = x%20y ,bad,=v"; using {}',
    ]);
  });

  it('takes objects as they are, or checks their values (a copy)', () => {
    const o = { a: 1, b: { no: 1 }, c: ['x'] };
    expect(keyValues(o, 'resourceAttributes')).toBe(o);
    expect(checkedValues((v) => typeof v != 'object' || Array.isArray(v))(o, 'resourceAttributes')).toEqual({ a: 1, c: ['x'] });
    expect(o.b).toEqual({ no: 1 });
    expect(warnings()).toEqual(['otelite: invalid resourceAttributes.b {"no":1}; using "skipped"']);
    expect(keyValues(42, 'headers')).toEqual({});
    expect(warnings()[1]).toBe('otelite: invalid headers 42; using {}');
  });
});

describe('matchers', () => {
  it('keeps RegExps and http(s) URLs, turns /re/flags into RegExps, warns about the rest', () => {
    const m = matchers(['https://api.example.com', /x/, '/^https:\\/\\/a\\./i', 'ftp://x', '/[/'], 'propagateTo');
    expect(m).toEqual(['https://api.example.com', /x/, /^https:\/\/a\./i]);
    // a bad expression is found first (by patterns), then bad URLs
    expect(warnings()).toEqual(['otelite: invalid propagateTo "/[/"; using "skipped"', 'otelite: invalid propagateTo "ftp://x"; using "skipped"']);
  });

  it('takes a comma-separated string and a single RegExp', () => {
    expect(matchers('https://a.example, https://b.example/x', 'ignoreUrls')).toEqual(['https://a.example', 'https://b.example/x']);
    expect(matchers(/y/g, 'ignoreUrls')).toEqual([/y/g]);
    expect(matchers(undefined, 'ignoreUrls')).toEqual([]);
  });

  it('skips a string that is neither a URL nor a path (a host without its scheme) with a warning, on a page too', () => {
    // (a regression: data-propagate-to="127.0.0.1:9102" was a relative path of the page, silently)
    vi.stubGlobal('location', new URL('https://shop.example/cart/'));
    try {
      expect(matchers('api.example.com, 127.0.0.1:9102, /api, //cdn.example, https://b.example/, static/', 'propagateTo')).toEqual([
        'https://shop.example/api',
        'https://cdn.example',
        'https://b.example',
      ]);
      expect(warnings()).toEqual([
        'otelite: invalid propagateTo "api.example.com"; using "skipped"',
        'otelite: invalid propagateTo "127.0.0.1:9102"; using "skipped"',
        'otelite: invalid propagateTo "static/"; using "skipped"',
      ]);
    } finally {
      vi.unstubAllGlobals();
    }
    // without a page (a worker, Node): said once, not again by the URL check
    expect(matchers(['api.example.com', '/api'], 'ignoreUrls')).toEqual([]);
    expect(warnings().slice(3)).toEqual(['otelite: invalid ignoreUrls "api.example.com"; using "skipped"', 'otelite: invalid ignoreUrls "/api"; using "skipped"']);
  });
});

describe('endpoint', () => {
  it('keeps http(s) URLs and paths, leaves it unset when absent (the OTLP default)', () => {
    for (const e of ['https://collector.example.com', 'http://127.0.0.1:4318/', '/otel', '//c.example', 'https://gw.example/otlp/v1']) expect(endpoint(e, 'endpoint')).toBe(e);
    expect(endpoint(undefined, 'endpoint')).toBeUndefined();
    expect(warnings()).toEqual([]);
  });

  it('an endpoint given but unusable exports nothing (not the localhost default), and says so', () => {
    for (const e of ['127.0.0.1:9104', 'collector.example.com', '', 5, 'https:// collector.example.com', 'https://']) expect(endpoint(e, 'endpoint')).toBe('');
    expect(warnings()).toEqual([
      'otelite: invalid endpoint "127.0.0.1:9104"; using "no export"',
      'otelite: invalid endpoint "collector.example.com"; using "no export"',
      'otelite: invalid endpoint ""; using "no export"',
      'otelite: invalid endpoint 5; using "no export"',
      'otelite: invalid endpoint "https:// collector.example.com"; using "no export"',
      'otelite: invalid endpoint "https://"; using "no export"',
    ]);
  });

  it('a full signal URL (or a typo of one) stays the base URL, as the spec says, with a warning showing the URLs it makes', () => {
    expect(endpoint('http://h:4318/v1/traces/', 'endpoint')).toBe('http://h:4318/v1/traces/');
    expect(endpoint('https://h/v1/trace', 'endpoint')).toBe('https://h/v1/trace');
    // a gateway's base URL that merely ends in /v1/<word> is not one
    expect(endpoint('https://gw.example/api/v1/otlp', 'endpoint')).toBe('https://gw.example/api/v1/otlp');
    expect(warnings()).toEqual([
      'otelite: invalid endpoint "http://h:4318/v1/traces/"; using "http://h:4318/v1/traces/v1/{signal}"',
      'otelite: invalid endpoint "https://h/v1/trace"; using "https://h/v1/trace/v1/{signal}"',
    ]);
  });
});

describe('patterns', () => {
  it('makes /re/flags strings RegExps and leaves other strings to the caller (the edge: the fetch instrumentation checks them)', () => {
    expect(patterns(['https://api.example.com', /x/g, '/^https:\\/\\/a\\./i', 'ftp://x', '/[/', '/a/b/'], 'propagateTo')).toEqual([
      'https://api.example.com',
      /x/g,
      /^https:\/\/a\./i,
      'ftp://x',
      /a\/b/,
    ]);
    expect(warnings()).toEqual(['otelite: invalid propagateTo "/[/"; using "skipped"']);
    expect(patterns('/^https:\\/\\/cdn\\./, https://b.example', 'ignoreUrls')).toEqual([/^https:\/\/cdn\./, 'https://b.example']);
    // a protocol-relative URL, not the expression /\/cdn.example/ (which would match it anywhere)
    expect(patterns('//cdn.example/x/', 'propagateTo')).toEqual(['//cdn.example/x/']);
    const re = /y/;
    expect(patterns(re, 'ignoreUrls')[0]).toBe(re);
    expect(patterns(undefined, 'ignoreUrls')).toEqual([]);
  });
});


describe('check', () => {
  it('runs every check of the table, warns about unknown keys, and falls back to the defaults', () => {
    const c = check<Record<string, unknown>>(
      { serviceName: 'shop', compression: ' GZIP ', disabled: 'maybe', sampler: 7, serviceNmae: 'x', samplerArg: '0.5' },
      COMMON,
    );
    expect(c).toEqual({
      serviceName: 'shop',
      resourceAttributes: {},
      endpoint: undefined,
      headers: {},
      compression: 'gzip',
      sampler: undefined,
      samplerArg: '0.5',
      propagators: ['tracecontext', 'baggage'],
      propagateTo: [],
      ignoreUrls: [],
      instrumentations: undefined,
      disabledInstrumentations: [],
      disabled: false,
    });
    // (the sampler's default is the sampler factory's: said as "default", not as undefined)
    expect(warnings()).toEqual([
      'otelite: invalid config key "serviceNmae"; using "ignored"',
      'otelite: invalid sampler 7; using "default"',
      'otelite: invalid disabled "maybe"; using false',
    ]);
  });

  it('takes the instrumentations as a list, an object, and disabled names', () => {
    const names = ['fetch', 'xhr', 'errors'];
    expect(instrumentations(undefined, [], names)).toEqual({ fetch: {}, xhr: {}, errors: {} });
    expect(instrumentations('fetch,errors', ['errors'], names)).toEqual({ fetch: {} });
    expect(instrumentations({ xhr: false, errors: { a: 1 }, fetch: 'false' }, [], names)).toEqual({ errors: { a: 1 } });
    // names of other distros are known (one OTEL_WEB_DISABLED_INSTRUMENTATIONS for page and worker)
    expect(instrumentations({ 'web-vitals': false, bogus: true }, [], ['fetch'])).toEqual({ fetch: {} });
    expect(warnings()).toEqual(['otelite: invalid instrumentations "bogus"; using "ignored"']);
  });

  it('names the key that gave an unknown instrumentation name, which is ignored', () => {
    // (a regression: "invalid instrumentations "fetchh"; using [...all]", though xhr was off)
    expect(instrumentations(undefined, ['xhr', 'fetchh'], ['fetch', 'xhr'])).toEqual({ fetch: {} });
    expect(instrumentations('fetch,xhrr', [], ['fetch', 'xhr'])).toEqual({ fetch: {} });
    expect(warnings()).toEqual([
      'otelite: invalid disabledInstrumentations "fetchh"; using "ignored"',
      'otelite: invalid instrumentations "xhrr"; using "ignored"',
    ]);
  });

  it('unknownNames: one warning per name not known', () => {
    unknownNames('config key', ['a', 'tpyo', 'b'], ['a', 'b']);
    expect(warnings()).toEqual(['otelite: invalid config key "tpyo"; using "ignored"']);
  });
});

describe('propagatorFrom', () => {
  it('makes the W3C propagators by name (any case), takes objects, skips none and unknown names', () => {
    const mine = { inject: vi.fn(), extract: (c: never) => c, fields: () => ['x-mine'] };
    const p = propagatorFrom(['TraceContext', 'baggage', 'none', mine, 'b3'], (n) => (n == 'b3' ? undefined : undefined));
    expect(p.fields()).toEqual(['traceparent', 'tracestate', 'baggage', 'x-mine']);
    expect(warnings()).toEqual(['otelite: invalid propagators "b3"; using "skipped"']);
  });
});

describe('withEnv', () => {
  const vars: Record<string, string> = {
    OTEL_SERVICE_NAME: 'from-env',
    OTEL_RESOURCE_ATTRIBUTES: 'team=edge',
    OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.example.com',
    OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=abc',
    OTEL_EXPORTER_OTLP_COMPRESSION: ' GZIP ',
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: '0.25',
    OTEL_PROPAGATORS: 'TraceContext, baggage',
    OTEL_WEB_EXCLUDED_URLS: '^https://ads\\.,/health$',
    OTEL_WEB_DISABLED_INSTRUMENTATIONS: 'xhr,fetch',
    OTEL_SDK_DISABLED: 'TRUE',
    OTEL_EMPTY: '',
  };
  const env = (k: string) => vars[k];

  it('fills every key the config leaves out from the OTEL_* variables, which the table then checks', () => {
    const c = withEnv<Record<string, unknown>>({ serviceName: undefined }, env);
    expect(c).toEqual({
      serviceName: 'from-env',
      resourceAttributes: 'team=edge',
      endpoint: 'https://collector.example.com',
      headers: 'x-api-key=abc',
      compression: ' GZIP ',
      sampler: 'parentbased_traceidratio',
      samplerArg: '0.25',
      propagators: 'TraceContext, baggage',
      // regular expressions in the form the config writes them; the checks make them RegExps
      ignoreUrls: ['/^https://ads\\./', '/\\/health$/'],
      instrumentations: { xhr: false, fetch: false },
      disabled: 'TRUE',
    });
    expect(check(c, COMMON)).toMatchObject({
      resourceAttributes: { team: 'edge' },
      headers: { 'x-api-key': 'abc' },
      compression: 'gzip',
      propagators: ['TraceContext', 'baggage'],
      ignoreUrls: [/^https:\/\/ads\./, /\/health$/],
      disabled: true,
    });
    expect(instrumentations(c.instrumentations, [], ['fetch'])).toEqual({});
    expect(warnings()).toEqual([]);
  });

  it('lets the config win, and reads nothing for empty variables', () => {
    const c = withEnv({ serviceName: 'mine', headers: {}, disabled: false, instrumentations: { fetch: true } }, env);
    expect(c).toMatchObject({ serviceName: 'mine', headers: {}, disabled: false, instrumentations: { fetch: true } });
    expect(withEnv({}, (k) => (k == 'OTEL_SERVICE_NAME' ? '' : undefined))).toEqual({});
  });

  it('skips a bad exclusion regex with a warning', () => {
    expect(check<{ ignoreUrls: unknown }>(withEnv({}, (k) => (k == 'OTEL_WEB_EXCLUDED_URLS' ? 'ok,(' : undefined)), COMMON).ignoreUrls).toEqual([/ok/]);
    expect(warnings()).toEqual(['otelite: invalid ignoreUrls "/(/"; using "skipped"']);
  });
});

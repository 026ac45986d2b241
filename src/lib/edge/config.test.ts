import { afterEach, describe, expect, it, vi } from 'vitest';
import { matches, urlRules } from '../../instrumentations/lib/url';
import { objectEnv, resolveEdge, type EdgeConfig } from './config';

afterEach(() => vi.restoreAllMocks());

const env = objectEnv({
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
  NOT_A_STRING: 42,
});

describe('resolveEdge', () => {
  it('fills every key the config leaves out from OTEL_* variables, and checks them', () => {
    const warn = vi.spyOn(console, 'warn');
    expect(resolveEdge({}, env)).toMatchObject({
      resourceAttributes: { team: 'edge', 'service.name': 'from-env' },
      endpoint: 'https://collector.example.com',
      headers: { 'x-api-key': 'abc' },
      compression: 'gzip',
      sampler: 'parentbased_traceidratio',
      samplerArg: '0.25',
      propagators: ['TraceContext', 'baggage'],
      propagateTo: /^/,
      ignoreUrls: [/^https:\/\/ads\./, /\/health$/],
      fetch: false,
      disabled: true,
      acceptRemoteContext: true,
      serverTiming: 'html',
      captureQuery: true,
    });
    expect(warn).not.toHaveBeenCalled();
  });

  it('lets the config win over the environment', () => {
    const c = resolveEdge({ serviceName: 'mine', headers: {}, disabled: false, samplerArg: 1, instrumentations: { fetch: true }, propagateTo: [] }, env);
    expect(c).toMatchObject({ resourceAttributes: { 'service.name': 'mine' }, headers: {}, disabled: false, samplerArg: 1, fetch: true, propagateTo: [] });
  });

  it('has defaults without variables, and reads only strings', () => {
    expect(resolveEdge({}, objectEnv({ OTEL_SERVICE_NAME: 5 }))).toMatchObject({
      resourceAttributes: {},
      headers: {},
      propagators: ['tracecontext', 'baggage'],
      propagateTo: /^/,
      fetch: true,
      disabled: false,
    });
    expect(objectEnv(undefined)('X')).toBeUndefined();
    expect(env('NOT_A_STRING')).toBeUndefined();
  });

  it('discards a malformed OTEL_RESOURCE_ATTRIBUTES as a whole, skips a bad exclusion regex, with a warning each', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const c = resolveEdge({}, objectEnv({ OTEL_RESOURCE_ATTRIBUTES: 'a=1,novalue', OTEL_WEB_EXCLUDED_URLS: 'ok,(' }));
    expect(c.resourceAttributes).toEqual({});
    expect(c.ignoreUrls).toEqual([/ok/]);
    expect(warn.mock.calls.map((x) => x[0])).toEqual([
      'otelite: invalid resourceAttributes "a=1,novalue"; using {}',
      'otelite: invalid ignoreUrls "/(/"; using "skipped"',
    ]);
  });

  it('takes propagateTo and ignoreUrls in the forms the web distro takes: /re/flags strings are RegExps', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const c = resolveEdge(
      {
        propagateTo: ['/^https:\\/\\/API\\.example\\./i', 'https://b.example', /c\.example/],
        ignoreUrls: '/\\/health$/, https://ads.example',
      },
      objectEnv({}),
    );
    expect(c.propagateTo).toEqual([/^https:\/\/API\.example\./i, 'https://b.example', /c\.example/]);
    expect(c.ignoreUrls).toEqual([/\/health$/, 'https://ads.example']);
    expect(resolveEdge({ propagateTo: '/x/g' }, objectEnv({})).propagateTo).toEqual([/x/g]);
    // what the fetch instrumentation makes of them: nothing dropped
    const r = urlRules(c);
    expect(warn).not.toHaveBeenCalled();
    expect(matches(r.p, 'https://api.example.com/v1')).toBe(true);
    expect(matches(r.p, 'https://b.example/x')).toBe(true);
    expect(matches(r.p, 'https://other.example/')).toBe(false);
    expect(matches(r.i, 'https://svc.example/health')).toBe(true);
    expect(matches(r.i, 'https://ads.example/x')).toBe(true);
    // a bad expression is skipped with one warning, other bad entries are the fetch instrumentation's to report
    expect(resolveEdge({ propagateTo: ['/[/', '/ok/'] }, objectEnv({})).propagateTo).toEqual([/ok/]);
    expect(warn.mock.calls.map((x) => x[0])).toEqual(['otelite: invalid propagateTo "/[/"; using "skipped"']);
  });

  it('warns about unknown config keys as the web distro does (one helper), not about its own keys nor variables', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(resolveEdge({ serviceName: 'x', tpyo: 1 } as EdgeConfig, env).resourceAttributes).toMatchObject({ 'service.name': 'x' });
    expect(warn.mock.calls.map((x) => x[0])).toEqual(['otelite: invalid config key "tpyo"; using "ignored"']);
    warn.mockClear();
    const every: Required<EdgeConfig> & { maxRetryElapsedMillis: number; timeoutMillis: number; concurrencyLimit: number } = {
      serviceName: 's',
      resourceAttributes: {},
      endpoint: 'https://collector.example.com',
      headers: {},
      compression: 'gzip',
      sampler: 'always_on',
      samplerArg: 1,
      propagators: ['tracecontext'],
      propagateTo: [],
      ignoreUrls: [],
      instrumentations: { fetch: true },
      disabled: false,
      exporter: { export: () => {}, shutdown: async () => {} },
      acceptRemoteContext: true,
      serverTiming: 'html',
      captureQuery: true,
      route: () => undefined,
      // the exporter's options, which reach it (not in EdgeConfig, but not ignored either)
      maxRetryElapsedMillis: 1,
      timeoutMillis: 1,
      concurrencyLimit: 1,
    };
    resolveEdge(every, env);
    expect(warn).not.toHaveBeenCalled();
  });

  it('checks the endpoint as the web distro does: an unusable one exports nothing, with one warning', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(resolveEdge({}, objectEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: '127.0.0.1:4318' })).endpoint).toBe('');
    expect(resolveEdge({ endpoint: 'https://c.example/v1/traces' }, objectEnv({})).endpoint).toBe('https://c.example/v1/traces');
    expect(resolveEdge({}, objectEnv({})).endpoint).toBeUndefined();
    // the traces URL wins (see the SDK): no warning that would say nothing is exported
    const both = { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://c.example/v1/traces' };
    expect(resolveEdge({}, objectEnv(both)).endpoint).toBe('collector:4318');
    expect(warn.mock.calls.map((x) => x[0])).toEqual([
      'otelite: invalid endpoint "127.0.0.1:4318"; using "no export"',
      'otelite: invalid endpoint "https://c.example/v1/traces"; using "https://c.example/v1/traces/v1/{signal}"',
    ]);
  });

  it('keeps the adapter keys as given, with their defaults', () => {
    const route = () => '/x';
    expect(resolveEdge({ serverTiming: true, captureQuery: false, route }, objectEnv({}))).toMatchObject({
      serverTiming: true,
      captureQuery: false,
      route,
      acceptRemoteContext: true,
    });
  });
});

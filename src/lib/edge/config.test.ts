import { afterEach, describe, expect, it, vi } from 'vitest';
import { objectEnv, parseList, withEnv } from './config';

afterEach(() => vi.restoreAllMocks());

describe('parseList', () => {
  it('parses k=v lists, percent-decoded, OWS trimmed, empty members skipped', () => {
    expect(parseList('k', 'a=1, b = two%20words ,,c=x%3Dy')).toEqual({ a: '1', b: 'two words', c: 'x=y' });
    expect(parseList('k', 'api-key=s3cr%2Ct')).toEqual({ 'api-key': 's3cr,t' });
    expect(parseList('k', 'a=')).toEqual({ a: '' });
    expect(parseList('k', undefined)).toBeUndefined();
    expect(parseList('k', '')).toBeUndefined();
  });

  it('discards a malformed list as a whole, with one warning naming the variable', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(parseList('OTEL_RESOURCE_ATTRIBUTES', 'a=1,novalue')).toBeUndefined();
    expect(parseList('OTEL_RESOURCE_ATTRIBUTES', '=1')).toBeUndefined();
    expect(parseList('OTEL_EXPORTER_OTLP_HEADERS', 'a=%E0%A4%A')).toBeUndefined();
    expect(warn).toHaveBeenCalledTimes(3);
    expect(warn.mock.calls[0]![0]).toMatch(/invalid OTEL_RESOURCE_ATTRIBUTES "a=1,novalue"/);
  });
});

describe('withEnv', () => {
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

  it('fills every key the config leaves out from OTEL_* variables', () => {
    expect(withEnv({}, env)).toEqual({
      serviceName: 'from-env',
      resourceAttributes: { team: 'edge' },
      endpoint: 'https://collector.example.com',
      headers: { 'x-api-key': 'abc' },
      compression: 'gzip',
      sampler: 'parentbased_traceidratio',
      samplerArg: 0.25,
      propagators: ['tracecontext', 'baggage'],
      ignoreUrls: [/^https:\/\/ads\./, /\/health$/],
      instrumentations: { fetch: false },
      disabled: true,
    });
  });

  it('lets the config win over the environment', () => {
    const c = withEnv({ serviceName: 'mine', headers: {}, disabled: false, samplerArg: 1, instrumentations: { fetch: true } }, env);
    expect(c).toMatchObject({ serviceName: 'mine', headers: {}, disabled: false, samplerArg: 1, instrumentations: { fetch: true } });
  });

  it('leaves everything unset without variables, and reads only strings', () => {
    expect(Object.values(withEnv({}, objectEnv({ OTEL_SERVICE_NAME: 5 })) as object).filter((v) => v !== undefined)).toEqual([]);
    expect(objectEnv(undefined)('X')).toBeUndefined();
    expect(env('NOT_A_STRING')).toBeUndefined();
  });

  it('skips a bad exclusion regex with a warning', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(withEnv({}, objectEnv({ OTEL_WEB_EXCLUDED_URLS: 'ok,(' })).ignoreUrls).toEqual([/ok/]);
    expect(warn).toHaveBeenCalledTimes(1);
  });
});

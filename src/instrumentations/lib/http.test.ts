import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ROOT_CONTEXT } from '../../context/context';
import { trace } from '../../trace/api';
import type { RecordingSpan } from '../../trace/span';
import { outcome, startHttpSpan } from './http';
import { registerSdk, spans } from './testing';

beforeAll(() => void registerSdk());
beforeEach(() => void (spans.length = 0));

const start = (method: string, url: string) =>
  startHttpSpan(trace.getTracer('t'), method, new URL(url), ROOT_CONTEXT) as RecordingSpan;

describe('startHttpSpan', () => {
  it('starts a CLIENT span named by the method with the required attributes', () => {
    const s = start('GET', 'https://api.example.com/users/1?x=2#frag');
    expect(s.name).toBe('GET');
    expect(s.kind).toBe(2);
    expect(s.attributes).toEqual({
      'http.request.method': 'GET',
      'url.full': 'https://api.example.com/users/1?x=2#frag',
      'server.address': 'api.example.com',
      'server.port': 443,
    });
  });

  it('reports the default port of the scheme, or the explicit one', () => {
    expect(start('GET', 'http://a.example/').attributes['server.port']).toBe(80);
    expect(start('GET', 'https://a.example:8443/').attributes['server.port']).toBe(8443);
    expect(start('GET', 'http://a.example:443/').attributes['server.port']).toBe(443);
  });

  it('gives IPv6 addresses without brackets', () => {
    expect(start('GET', 'http://[::1]:8080/').attributes['server.address']).toBe('::1');
  });

  it('normalises the methods fetch and XHR upper-case, and only those', () => {
    const s = start('post', 'https://a.example/');
    expect([s.name, s.attributes['http.request.method'], s.attributes['http.request.method_original']]).toEqual([
      'POST',
      'POST',
      undefined,
    ]);
    // fetch sends 'patch' as is: not the PATCH method
    const p = start('patch', 'https://a.example/');
    expect([p.name, p.attributes['http.request.method'], p.attributes['http.request.method_original']]).toEqual([
      'HTTP',
      '_OTHER',
      'patch',
    ]);
    const q = start('PURGE', 'https://a.example/');
    expect([q.name, q.attributes['http.request.method'], q.attributes['http.request.method_original']]).toEqual([
      'HTTP',
      '_OTHER',
      'PURGE',
    ]);
    expect(start('PATCH', 'https://a.example/').name).toBe('PATCH');
  });

  it('redacts credentials and signed-URL secrets in url.full', () => {
    expect(start('GET', 'https://user:pw@a.example/p@x').attributes['url.full']).toBe('https://REDACTED:REDACTED@a.example/p@x');
    expect(start('GET', 'https://a.example/o?sig=abc&color=blue&Signature=s%20t&X-Goog-Signature=1#sig=keep').attributes['url.full']).toBe(
      'https://a.example/o?sig=REDACTED&color=blue&Signature=REDACTED&X-Goog-Signature=REDACTED#sig=keep',
    );
    expect(start('GET', 'https://a.example/o?AWSAccessKeyId=AK&signature=lower').attributes['url.full']).toBe(
      'https://a.example/o?AWSAccessKeyId=REDACTED&signature=lower',
    );
  });
});

describe('outcome', () => {
  it('records a success without error', () => {
    const s = start('GET', 'https://a.example/');
    outcome(s, 204);
    expect(s.attributes['http.response.status_code']).toBe(204);
    expect(s.attributes['error.type']).toBeUndefined();
    expect(s.status).toEqual({ code: 0 });
  });

  it('makes 4xx and 5xx errors typed by their code, without a description', () => {
    const s = start('GET', 'https://a.example/');
    outcome(s, 503);
    expect(s.attributes['error.type']).toBe('503');
    expect(s.status).toEqual({ code: 2 });
  });

  it('types a failure without a response by its exception, with its message', () => {
    const s = start('GET', 'https://a.example/');
    outcome(s, 0, 'TypeError', 'Failed to fetch');
    expect(s.attributes['http.response.status_code']).toBeUndefined();
    expect(s.attributes['error.type']).toBe('TypeError');
    expect(s.status).toEqual({ code: 2, message: 'Failed to fetch' });
    expect(s.events).toEqual([]);
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { httpUrl, isUrlOrPath, matches, urlRules, type UrlRules } from './url';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const page = (href: string) => vi.stubGlobal('location', new URL(href));

describe('urlRules and matches', () => {
  it('matches an origin on every path of that origin only', () => {
    const { p } = urlRules({ propagateTo: 'https://api.example.com' });
    expect(p).toEqual(['https://api.example.com']);
    expect(matches(p, 'https://api.example.com/')).toBe(true);
    expect(matches(p, 'https://api.example.com/v1/x?q=1')).toBe(true);
    expect(matches(p, 'https://api.example.com.evil.net/')).toBe(false);
    expect(matches(p, 'https://api.example.com:8443/')).toBe(false);
    expect(matches(p, 'http://api.example.com/')).toBe(false);
  });

  it('matches a path prefix at a segment boundary, with or without a trailing slash', () => {
    expect(matches(urlRules({ propagateTo: 'https://example.com/api/' }).p, 'https://example.com/api/x')).toBe(true);
    expect(matches(urlRules({ propagateTo: 'https://example.com/api/' }).p, 'https://example.com/apix')).toBe(false);
    const { p } = urlRules({ propagateTo: ['https://example.com/api'] });
    for (const u of ['https://example.com/api', 'https://example.com/api/x', 'https://example.com/api?q', 'https://example.com/api#f'])
      expect(matches(p, u), u).toBe(true);
    expect(matches(p, 'https://example.com/apix')).toBe(false);
    expect(matches(p, 'https://example.com/')).toBe(false);
  });

  it('normalises strings as the URL parser does (case of host, default port)', () => {
    const { p } = urlRules({ propagateTo: ['HTTPS://API.Example.com:443/v1/'] });
    expect(p).toEqual(['https://api.example.com/v1']);
    expect(matches(p, new URL('https://api.example.com/v1/a').href)).toBe(true);
  });

  it('searches RegExps in the absolute URL, /g included, without state', () => {
    const re = /api\.example\.com/g;
    const { p } = urlRules({ propagateTo: [re] });
    for (let i = 0; i < 3; i++) expect(matches(p, 'https://api.example.com/x')).toBe(true);
    expect(re.lastIndex).toBe(0);
    expect(matches(p, 'https://other.example.com/')).toBe(false);
  });

  it('resolves relative strings against the page', () => {
    page('https://app.example.com/shop/cart');
    const { i } = urlRules({ ignoreUrls: ['/health', 'static/'] });
    expect(i).toEqual(['https://app.example.com/health', 'https://app.example.com/shop/static']);
  });

  it('isUrlOrPath: http(s) URLs and paths', () => {
    for (const s of ['https://a.example', 'HTTP://a:1/x', '/', '/v1', '//cdn.example']) expect(isUrlOrPath(s), s).toBe(true);
    for (const s of ['a.example', '127.0.0.1:4318', 'ftp://x', 'static/', '', 'https://', 'https:// x', '//', 42, undefined]) expect(isUrlOrPath(s), String(s)).toBe(false);
  });

  it('warns once per unusable entry and keeps the others', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const r = urlRules({ propagateTo: [42 as never, 'relative/without/page', /ok/, 'ftp://x/'], ignoreUrls: {} as never });
    expect(r.p).toEqual([/ok/]);
    expect(r.i).toEqual([]);
    expect(warn).toHaveBeenCalledTimes(4);
    expect(warn.mock.calls[0][0]).toMatch(/invalid propagateTo 42/);
    expect(warn.mock.calls[3][0]).toMatch(/invalid ignoreUrls \{\}/);
  });

  it('accepts nothing', () => {
    expect(urlRules({})).toMatchObject({ p: [], i: [] });
  });
});

describe('httpUrl and baseUrl', () => {
  it('resolves relative URLs against the document base URL, else location', () => {
    page('https://app.example.com/a/b');
    expect(httpUrl('c?x=1')?.href).toBe('https://app.example.com/a/c?x=1');
    vi.stubGlobal('document', { baseURI: 'https://cdn.example.com/base/' });
    expect(httpUrl('c')?.href).toBe('https://cdn.example.com/base/c');
    expect(httpUrl(new URL('https://x.example/'))?.href).toBe('https://x.example/');
  });

  it('takes http(s) only', () => {
    expect(httpUrl('data:text/plain,hi')).toBeUndefined();
    expect(httpUrl('blob:https://a/b')).toBeUndefined();
    expect(httpUrl('/relative')).toBeUndefined(); // no page in Node
    expect(httpUrl(Symbol() as never)).toBeUndefined();
  });

});

/** Whether trace headers may go to `href` (what `start` checks). */
const mayPropagate = (r: UrlRules, href: string): boolean => matches(r.p, href);

describe('propagation rules', () => {
  it('allows the page origin and propagateTo, nothing else', () => {
    page('https://app.example.com/');
    const r = urlRules({ propagateTo: ['https://api.example.com', /^https:\/\/[a-z]+\.cdn\.example\//] });
    expect(mayPropagate(r, 'https://app.example.com/x')).toBe(true);
    expect(mayPropagate(r, 'https://api.example.com/x')).toBe(true);
    expect(mayPropagate(r, 'https://eu.cdn.example/x')).toBe(true);
    expect(mayPropagate(r, 'http://app.example.com/x')).toBe(false);
    expect(mayPropagate(r, 'https://evil.example/x')).toBe(false);
  });

  it('has no same origin without a location (edge workers) nor for an opaque one', () => {
    expect(mayPropagate(urlRules({}), 'https://a.example/')).toBe(false);
    vi.stubGlobal('location', { href: 'file:///x.html', origin: 'null' });
    expect(mayPropagate(urlRules({}), 'https://a.example/')).toBe(false);
  });

  it('in the edge build, a location (Deno --location) is a base for relative URLs but no origin: only propagateTo', async () => {
    vi.resetModules();
    vi.doMock('../../lib/platform', () => ({ BROWSER: false }));
    try {
      const edge = await import('./url');
      page('https://app.example.com/a/');
      vi.stubGlobal('document', { baseURI: 'https://cdn.example.com/base/' });
      // as Deno's fetch resolves it (there is no document at the edge)
      expect(edge.httpUrl('b?x=1')?.href).toBe('https://app.example.com/a/b?x=1');
      expect(mayPropagate(edge.urlRules({}), 'https://app.example.com/x')).toBe(false);
      expect(mayPropagate(edge.urlRules({ propagateTo: [] }), 'https://app.example.com/x')).toBe(false);
      const r = edge.urlRules({ propagateTo: ['/api', /^https:\/\/b\./] });
      expect(mayPropagate(r, 'https://app.example.com/api/v1')).toBe(true);
      expect(mayPropagate(r, 'https://app.example.com/x')).toBe(false);
      expect(mayPropagate(r, 'https://b.example/x')).toBe(true);
    } finally {
      vi.doUnmock('../../lib/platform');
      vi.resetModules();
    }
  });
});

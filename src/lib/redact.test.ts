import { describe, expect, it } from 'vitest';
import { DEFAULT_SECRETS, redactUrl, secretQuery } from './redact';

describe('redactUrl', () => {
  it('redacts credentials and the conventions\' signed-URL parameters', () => {
    expect(redactUrl('https://u:p@x.com/a?sig=1&b=2&Signature=3#f')).toBe(
      'https://REDACTED:REDACTED@x.com/a?sig=REDACTED&b=2&Signature=REDACTED#f',
    );
    expect(redactUrl('https://x.com/a@b?q=1')).toBe('https://x.com/a@b?q=1'); // an @ in the path is no credential
  });

  it('works on a bare query and leaves plain URLs alone', () => {
    expect(redactUrl('?AWSAccessKeyId=k&x=1')).toBe('?AWSAccessKeyId=REDACTED&x=1');
    // an AWS SigV4 presigned URL
    expect(redactUrl('https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20261122&X-Amz-Security-Token=tok&X-Amz-Signature=abc')).toBe(
      'https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=REDACTED&X-Amz-Security-Token=REDACTED&X-Amz-Signature=REDACTED',
    );
    expect(redactUrl('https://x.com/')).toBe('https://x.com/');
  });

  it('takes more parameters, escaped', () => {
    const q = secretQuery(['token', 'a.b']);
    expect(redactUrl('https://x.com/?token=t&axb=1&a.b=2', q)).toBe('https://x.com/?token=REDACTED&axb=1&a.b=REDACTED');
  });
});

it('keeps the written-out default pattern equal to the built one', () => {
  expect(DEFAULT_SECRETS.source).toBe(secretQuery().source);
});

/**
 * URL redaction as the HTTP semantic conventions advise for `url.full` / `url.query`:
 * credentials in the authority become `REDACTED:REDACTED`, and the values of query parameters
 * that carry signed-URL secrets become `REDACTED`. One implementation for the instrumentations,
 * the edge adapters and the web distro.
 */

/**
 * The conventions' default list of query parameters whose values are secrets: semantic
 * conventions v1.44's (AWS SigV4 presigned URLs' `X-Amz-*`, Azure's `sig`, Google's), with the
 * AWS SigV2 pair that `main` adds back.
 */
export const SECRET_PARAMS = ['AWSAccessKeyId', 'Signature', 'sig', 'X-Goog-Signature', 'X-Amz-Signature', 'X-Amz-Credential', 'X-Amz-Security-Token'];

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A pattern for `[?&]name=value` of the given parameters (the default list when none). */
export const secretQuery = (params: readonly string[] = SECRET_PARAMS): RegExp =>
  new RegExp('([?&](?:' + params.map(escape).join('|') + ')=)[^&#]*', 'g');

/** `secretQuery()` written out (a test keeps them equal): a literal costs no code to build. */
export const DEFAULT_SECRETS = /([?&](?:AWSAccessKeyId|Signature|sig|X-Goog-Signature|X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token)=)[^&#]*/g;

/**
 * `url` redacted; `q` from {@link secretQuery} (the default list when absent). Also works on a
 * bare query (`?a=1&sig=x`). Cheap string checks first: most URLs need neither replacement.
 */
export function redactUrl(url: string, q: RegExp = DEFAULT_SECRETS): string {
  if (url.includes('@')) url = url.replace(/^([a-z][\w+.-]*:\/\/)[^/?#]*@/i, '$1REDACTED:REDACTED@');
  // search() is 5-10 times cheaper than a replace() that finds nothing (every traced request)
  return url.search(q) < 0 ? url : url.replace(q, '$1REDACTED');
}

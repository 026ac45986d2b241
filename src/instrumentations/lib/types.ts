/**
 * A URL pattern of `propagateTo` and `ignoreUrls`.
 *
 * - A string is a URL prefix that matches at a boundary: an origin (`https://api.example.com`)
 *   matches every URL of that origin and nothing else (not `https://api.example.com.evil.net`),
 *   a path prefix (`https://example.com/api`) matches `/api`, `/api/x`, `/api?q` but not `/apix`.
 *   Strings are normalised by the URL parser (host lowercased, default port dropped); a relative
 *   string resolves against the page.
 * - A RegExp is searched in the absolute URL (the `g` and `y` flags keep no state here).
 */
export type UrlMatcher = string | RegExp;

/** Options of the fetch and XHR instrumentations. */
export interface HttpInstrumentationOptions {
  /**
   * URLs besides the page's own origin that receive trace headers (`traceparent`, `tracestate`,
   * `baggage`: whatever the registered propagator writes). `traceparent` is not a CORS-safelisted
   * header, so a cross-origin server must allow it (`Access-Control-Allow-Headers`) or the
   * browser's preflight fails and so does the request: list only servers that do.
   * In browsers, same-origin requests always receive them; at the edge (the edge build: Workers,
   * Deno) only this list decides, as a server has no page origin.
   */
  propagateTo?: UrlMatcher | readonly UrlMatcher[];
  /** URLs not traced at all: no span, no header. */
  ignoreUrls?: UrlMatcher | readonly UrlMatcher[];
  /**
   * Rewrites each `url.full` before it is recorded, after the built-in redaction (credentials
   * become `REDACTED:REDACTED`, the values of the signed-URL query keys `AWSAccessKeyId`,
   * `Signature`, `sig`, `X-Goog-Signature` and `X-Amz-*` (SigV4) become `REDACTED`): for tokens of your own. A
   * throwing function makes the request untraced (and is reported), never failed.
   */
  redactUrl?: (url: string) => string;
}

/**
 * What every otelite instrumentation factory returns. Creating one does nothing; `enable()`
 * patches the runtime and `disable()` puts the originals back.
 */
export interface Instrumentation {
  /** The instrumentation's name (`fetch`, `xhr`, ...), as the `instrumentations` config names it. */
  readonly name: string;
  /** Starts instrumenting. Calling it again does nothing. */
  enable(): void;
  /**
   * Stops instrumenting and restores the patched functions (`===` the originals). When another
   * library has wrapped them since, the originals cannot be put back without removing its
   * wrapper too; the patch then stays in place but passes every call straight through.
   */
  disable(): void;
}

import type { Span } from '../../trace/types';
import type { UrlRules } from '../lib/url';

/*
 * Two pieces the fetch/XHR instrumentations have inline in ../lib/http.ts (`finish` and `start`),
 * with the same behaviour. They belong there, exported once for all three instrumentations;
 * until the owner of ../lib exports them, they live here (see the document-load report).
 */

/** The phases reported as span events, in order (the names otel-js's web timing events use). */
const PHASES = [
  'fetchStart',
  'domainLookupStart',
  'domainLookupEnd',
  'connectStart',
  'secureConnectionStart',
  'connectEnd',
  'requestStart',
  'responseStart',
  'responseEnd',
] as const;

/** Query values the conventions say to redact by default (signed-URL secrets). */
const SECRETS = /([?&](AWSAccessKeyId|Signature|sig|X-Goog-Signature)=)[^&#]*/g;

/**
 * Adds the network phases of `r` to `s` as events, sets `network.protocol.version`, and returns
 * `responseEnd` in epoch ms. Only phases after `fetchStart` are events: a reused connection or a
 * cached DNS answer leaves its phases at `fetchStart`, and a cross-origin entry without
 * `Timing-Allow-Origin` gives 0 for all but `fetchStart` and `responseEnd` (hidden, not instant).
 */
export function networkTiming(s: Span, r: PerformanceResourceTiming): number {
  const o = performance.timeOrigin;
  const f = r.fetchStart;
  PHASES.forEach((n, k) => (r[n] > f || !k) && s.addEvent(n, o + r[n]));
  // 'http/1.1' → '1.1', 'h2' → '2', 'h3' → '3'; empty (hidden cross-origin) → not set
  const m = /^(?:http\/|h)(\d[\d.]*)/.exec(r.nextHopProtocol);
  if (m) s.setAttribute('network.protocol.version', m[1]);
  return o + r.responseEnd;
}

/**
 * `u` as `url.full`: credentials become `REDACTED:REDACTED` and signed-URL secrets `REDACTED`,
 * as the conventions advise, then the user's `redactUrl` (rules.x) rewrites it.
 */
export function urlFull(rules: UrlRules, u: URL): string {
  const full = u.href.replace(/^(https?:\/\/)[^/]*@/, '$1REDACTED:REDACTED@').replace(SECRETS, '$1REDACTED');
  return rules.x ? rules.x(full) : full;
}

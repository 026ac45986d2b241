/*
 * What `init` loads on demand, with dynamic `import()`: bundlers that split code put each in a
 * chunk of its own, which pages that do not ask for it never fetch. Kept apart from the modules
 * the snippet uses: an IIFE cannot split, it would inline them.
 */
import { report } from '../lib/diag';
import type { Instrumentation } from '../instrumentations/lib/types';
import { webVitalsInstrumentation } from '../instrumentations/document-load/web-vitals';
import type { WebVitalsAttributionOptions } from '../instrumentations/document-load/web-vitals-attribution';
import type { PropagatorLoader } from './propagators';

/** Loads B3 (single or multiple headers) or Jaeger. */
export const importPropagator: PropagatorLoader = (name) =>
  name == 'jaeger'
    ? import('../trace/propagation/jaeger').then((m) => new m.JaegerPropagator())
    : import('../trace/propagation/b3').then((m) => new m.B3Propagator({ injectEncoding: name == 'b3' ? 0 : 1 }));

/** Options of the distro's web-vitals instrumentation. */
export interface WebVitalsOptions extends WebVitalsAttributionOptions {
  /**
   * Adds what caused each value to its event (`browser.web_vital.element`, the INP
   * `browser.web_vital.interaction_type`), with web-vitals' attribution build: about 2.5 KB gzip
   * more, loaded on demand. Default false. Not in the snippet.
   */
  attribution?: boolean;
}

/**
 * The web vitals, with attribution when asked for: the attribution build then arrives a moment
 * later (web-vitals reads buffered performance entries, so nothing is missed meanwhile).
 */
export function webVitals(o: WebVitalsOptions = {}): Instrumentation {
  if (!o.attribution) return webVitalsInstrumentation();
  let i: Instrumentation | undefined;
  let on = false;
  import('../instrumentations/document-load/web-vitals-attribution').then(
    (m) => {
      i = m.webVitalsAttributionInstrumentation(o);
      if (on) i.enable();
    },
    (e) => {
      report(0, 'web-vitals attribution not loaded; web vitals without it', e);
      i = webVitalsInstrumentation();
      if (on) i.enable();
    },
  );
  return {
    name: 'web-vitals',
    enable() {
      on = true;
      i?.enable();
    },
    disable() {
      on = false;
      i?.disable();
    },
  };
}

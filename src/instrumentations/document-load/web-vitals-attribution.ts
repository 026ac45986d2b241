import { onCLS, onFCP, onINP, onLCP, onTTFB } from 'web-vitals/attribution';
import type { Metric } from 'web-vitals';
import type { LogAttributes } from '../../logs/types';
import type { Instrumentation } from '../lib/types';
import { meterSink, recordVitals } from './vitals';

/** What the attribution build adds (the fields read here, of LCP, INP and CLS). */
interface Attribution {
  target?: string;
  interactionTarget?: string;
  interactionType?: string;
  largestShiftTarget?: string;
}

/** The element that caused the value, and INP's interaction type. */
function attribute(m: Metric, a: LogAttributes): void {
  const at = (m as { attribution?: Attribution }).attribution;
  if (at) {
    a['browser.web_vital.element'] = at.target || at.interactionTarget || at.largestShiftTarget;
    a['browser.web_vital.interaction_type'] = at.interactionType;
  }
}

/** Options of {@link webVitalsAttributionInstrumentation}. */
export interface WebVitalsAttributionOptions {
  /**
   * Names an element for `browser.web_vital.element` (web-vitals' `generateTarget`): a
   * `data-testid`, say. Default: a CSS selector web-vitals builds (at most 100 characters).
   */
  generateTarget?: (element: Node | null) => string | undefined;
}

/**
 * {@link webVitalsInstrumentation} with attribution: the same metrics and events, the events with
 * what caused the value: `browser.web_vital.element` (a selector of the LCP element, of the INP
 * interaction's target, of the element of CLS's largest shift) and
 * `browser.web_vital.interaction_type` (INP: `pointer` or `keyboard`).
 *
 * It uses web-vitals' attribution build (about 5.8 KB gzip instead of 3.3 KB), which only bundles
 * that import this function pay for. Use one of the two, not both.
 *
 * ```ts
 * webVitalsAttributionInstrumentation({ generateTarget: (el) => (el as Element)?.getAttribute?.('data-testid') ?? undefined }).enable();
 * ```
 */
export const webVitalsAttributionInstrumentation = (options: WebVitalsAttributionOptions = {}): Instrumentation =>
  recordVitals({ onCLS, onFCP, onINP, onLCP, onTTFB }, meterSink(), options, attribute);

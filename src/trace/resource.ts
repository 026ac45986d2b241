import { attributesBag } from '../lib/attributes';
import type { Attributes } from '../lib/types';
import { VERSION } from '../lib/version';

/** The entity that produces telemetry: a service, a page, a worker. */
export interface Resource {
  /** Its attributes. */
  readonly attributes: Attributes;
  /** The schema URL of the attributes. */
  readonly schemaUrl?: string;
  /** A new resource with `other`'s attributes over this one's (the spec's merge rule: the updating side wins). */
  merge(other?: Resource | null): Resource;
}

/** A resource with these attributes. */
export function resourceFromAttributes(attributes: Attributes, schemaUrl?: string): Resource {
  return {
    attributes,
    schemaUrl,
    merge(other) {
      if (!other) return this;
      const merged = attributesBag();
      // an undefined value is an option left unset, not a value: it must not erase the old one
      for (const a of [attributes, other.attributes]) for (const k in a) if (a[k] !== undefined) merged[k] = a[k];
      // Schema URLs: keep whichever is set; when both are and differ, the spec calls the
      // merge an error, and the updating side's URL is the more useful one to keep.
      return resourceFromAttributes(merged, other.schemaUrl || schemaUrl);
    },
  };
}

/**
 * What every otelite resource starts from: `service.name` = `unknown_service` until the app
 * names itself, and the `telemetry.sdk.*` attributes.
 */
export const defaultResource = (): Resource =>
  resourceFromAttributes({
    'service.name': 'unknown_service',
    'telemetry.sdk.name': 'otelite',
    'telemetry.sdk.language': 'webjs',
    'telemetry.sdk.version': VERSION,
  });

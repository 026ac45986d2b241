import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultResource, resourceFromAttributes } from './resource';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

describe('defaultResource', () => {
  it('names an unknown service and otelite as the SDK', () => {
    expect(defaultResource().attributes).toEqual({
      'service.name': 'unknown_service',
      'telemetry.sdk.name': 'otelite',
      'telemetry.sdk.language': 'webjs',
      'telemetry.sdk.version': pkg.version,
    });
    expect(defaultResource().schemaUrl).toBeUndefined();
  });

  it('is a new object each time', () => {
    expect(defaultResource()).not.toBe(defaultResource());
  });
});

describe('resourceFromAttributes', () => {
  it('holds the attributes and schema URL', () => {
    const r = resourceFromAttributes({ 'service.name': 'shop' }, 'https://opentelemetry.io/schemas/1.26.0');
    expect(r.attributes).toEqual({ 'service.name': 'shop' });
    expect(r.schemaUrl).toBe('https://opentelemetry.io/schemas/1.26.0');
  });
});

describe('Resource.merge', () => {
  it('the updating resource wins on conflicts; the rest is kept', () => {
    const merged = defaultResource().merge(resourceFromAttributes({ 'service.name': 'shop', 'deployment.environment.name': 'prod' }));
    expect(merged.attributes).toEqual({
      'service.name': 'shop',
      'deployment.environment.name': 'prod',
      'telemetry.sdk.name': 'otelite',
      'telemetry.sdk.language': 'webjs',
      'telemetry.sdk.version': pkg.version,
    });
  });

  it('an updating value wins even when empty', () => {
    expect(resourceFromAttributes({ a: 'x' }).merge(resourceFromAttributes({ a: '' })).attributes).toEqual({ a: '' });
  });

  it('an undefined updating value (an unset option) does not erase the old one', () => {
    const serviceName: string | undefined = undefined;
    const merged = defaultResource().merge(resourceFromAttributes({ 'service.name': serviceName, extra: 1 }));
    expect(merged.attributes['service.name']).toBe('unknown_service');
    expect(merged.attributes.extra).toBe(1);
  });

  it('changes neither input', () => {
    const a = resourceFromAttributes({ k: 1 }, 'https://a');
    const b = resourceFromAttributes({ k: 2, j: 3 }, 'https://b');
    const m = a.merge(b);
    expect(a.attributes).toEqual({ k: 1 });
    expect(b.attributes).toEqual({ k: 2, j: 3 });
    expect(m).not.toBe(a);
    expect(m).not.toBe(b);
  });

  it('merging nothing returns the resource itself', () => {
    const r = defaultResource();
    expect(r.merge()).toBe(r);
    expect(r.merge(null)).toBe(r);
    expect(r.merge(undefined)).toBe(r);
  });

  it('schema URL: whichever is set; the updating one when both are', () => {
    const none = resourceFromAttributes({});
    const a = resourceFromAttributes({}, 'https://a');
    const b = resourceFromAttributes({}, 'https://b');
    expect(a.merge(none).schemaUrl).toBe('https://a');
    expect(none.merge(b).schemaUrl).toBe('https://b');
    expect(a.merge(b).schemaUrl).toBe('https://b');
    expect(a.merge(resourceFromAttributes({}, 'https://a')).schemaUrl).toBe('https://a');
    expect(none.merge(none).schemaUrl).toBeUndefined();
  });

  it('merges in chains', () => {
    const m = resourceFromAttributes({ a: 1 })
      .merge(resourceFromAttributes({ b: 2 }))
      .merge(resourceFromAttributes({ a: 3 }));
    expect(m.attributes).toEqual({ a: 3, b: 2 });
  });
});

import { describe, expect, it, vi } from 'vitest';
import type { InstrumentDescriptor } from './sdk-types';
import { view } from './view';

const inst = (name: string, o: Partial<InstrumentDescriptor> = {}): InstrumentDescriptor => ({
  name,
  description: '',
  unit: 'ms',
  type: 'HISTOGRAM',
  valueType: 1,
  advice: {},
  ...o,
});
const scope = { name: 'lib', version: '2', schemaUrl: 'https://s' };

describe('view', () => {
  it('matches names with * and ?, case-insensitively, and nothing else', () => {
    const v = view({ instrumentName: 'http.*.dur?tion', name: 'x' });
    expect(v(inst('http.server.duration'), scope)).toMatchObject({ name: 'x' });
    expect(v(inst('HTTP.client.request.DURATION'), scope)).toBeTruthy();
    expect(v(inst('http.duration'), scope)).toBeFalsy();
    expect(v(inst('http.server.durations'), scope)).toBeFalsy();
    expect(view({ instrumentName: 'a.b' })(inst('axb'), scope)).toBeFalsy(); // '.' is literal
    expect(view({ instrumentName: '*' })(inst('anything'), scope)).toBeTruthy();
  });

  it('requires every given criterion', () => {
    const v = view({ instrumentType: 'HISTOGRAM', instrumentUnit: 'ms', meterName: 'lib', meterVersion: '2', meterSchemaUrl: 'https://s' });
    expect(v(inst('h'), scope)).toBeTruthy();
    expect(v(inst('h', { type: 'COUNTER' }), scope)).toBeFalsy();
    expect(v(inst('h', { unit: 's' }), scope)).toBeFalsy();
    expect(v(inst('h'), { ...scope, name: 'other' })).toBeFalsy();
    expect(v(inst('h'), { ...scope, version: '3' })).toBeFalsy();
    expect(v(inst('h'), { ...scope, schemaUrl: undefined })).toBeFalsy();
  });

  it('warns about a view without criteria, which selects nothing', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const v = view({ aggregation: 'drop' });
    expect(v(inst('h'), scope)).toBeFalsy();
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });
});

import { describe, expect, it, vi } from 'vitest';
import type { InstrumentDescriptor } from './sdk-types';
import type { StreamSpec } from './stream';
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
/** the stream an instrument gets without views */
const dflt: StreamSpec = { g: 2, b: [1], md: inst('default') };

describe('view', () => {
  it('matches names with * and ?, case-insensitively, and nothing else', () => {
    const v = view({ instrumentName: 'http.*.dur?tion', name: 'x' });
    expect(v(inst('http.server.duration'), scope, dflt)).toMatchObject({ md: { name: 'x' } });
    expect(v(inst('HTTP.client.request.DURATION'), scope, dflt)).toBeTruthy();
    expect(v(inst('http.duration'), scope, dflt)).toBeFalsy();
    expect(v(inst('http.server.durations'), scope, dflt)).toBeFalsy();
    expect(view({ instrumentName: 'a.b' })(inst('axb'), scope, dflt)).toBeFalsy(); // '.' is literal
    expect(view({ instrumentName: '*' })(inst('anything'), scope, dflt)).toBeTruthy();
  });

  it('requires every given criterion', () => {
    const v = view({ instrumentType: 'HISTOGRAM', instrumentUnit: 'ms', meterName: 'lib', meterVersion: '2', meterSchemaUrl: 'https://s' });
    expect(v(inst('h'), scope, dflt)).toBeTruthy();
    expect(v(inst('h', { type: 'COUNTER' }), scope, dflt)).toBeFalsy();
    expect(v(inst('h', { unit: 's' }), scope, dflt)).toBeFalsy();
    expect(v(inst('h'), { ...scope, name: 'other' }, dflt)).toBeFalsy();
    expect(v(inst('h'), { ...scope, version: '3' }, dflt)).toBeFalsy();
    expect(v(inst('h'), { ...scope, schemaUrl: undefined }, dflt)).toBeFalsy();
  });

  it('warns about a view without criteria, which selects nothing', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const v = view({ aggregation: 'drop' });
    expect(v(inst('h'), scope, dflt)).toBeFalsy();
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });
});

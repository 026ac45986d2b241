import { describe, expect, it, vi } from 'vitest';
import type { InstrumentType } from './sdk-types';
import { temporalitySelector } from './temporality';

const KINDS: InstrumentType[] = [
  'COUNTER',
  'OBSERVABLE_COUNTER',
  'HISTOGRAM',
  'UP_DOWN_COUNTER',
  'OBSERVABLE_UP_DOWN_COUNTER',
  'GAUGE',
  'OBSERVABLE_GAUGE',
];
const table = (p?: string): number[] => KINDS.map(temporalitySelector(p));

describe('temporalitySelector', () => {
  it('follows the OTLP exporter specification (0 delta, 1 cumulative)', () => {
    //                                 C  OC  H  UDC OUDC G  OG
    expect(table()).toEqual(          [1, 1, 1, 1, 1, 1, 1]);
    expect(table('cumulative')).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(table('delta')).toEqual(   [0, 0, 0, 1, 1, 0, 0]);
    expect(table('lowmemory')).toEqual([0, 1, 0, 1, 1, 1, 1]);
  });

  it('takes the environment variable`s spellings (case-insensitive)', () => {
    expect(table('Delta')).toEqual(table('delta'));
    expect(table(' LowMemory ')).toEqual(table('lowmemory'));
    expect(table('CUMULATIVE')).toEqual(table('cumulative'));
  });

  it('warns about anything else and uses cumulative', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(table('deltas')).toEqual(table('cumulative'));
    expect(warn).toHaveBeenCalledWith('otelite: invalid temporalityPreference "deltas"; using "cumulative"');
    warn.mockRestore();
  });
});

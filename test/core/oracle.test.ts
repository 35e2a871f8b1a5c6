import { describe, expect, it } from 'vitest';
import { oracleCurve } from '../../src/core/oracle.ts';
import { benchmarkOf } from './helpers.ts';

describe('oracleCurve', () => {
  it('spends strong calls on the largest gains first, then stays flat', () => {
    // Gains: +4, 0, +2, -3 over 4 items; weak mean 2.5.
    const benchmark = benchmarkOf([
      [1, 5],
      [3, 3],
      [2, 4],
      [4, 1],
    ]);
    expect(oracleCurve(benchmark)).toEqual([
      { strongPercentage: 0, quality: 2.5 },
      { strongPercentage: 25, quality: 3.5 },
      { strongPercentage: 50, quality: 4 },
      { strongPercentage: 100, quality: 4 },
    ]);
  });

  it('collapses equal gains (correct/wrong benchmarks) into one straight segment', () => {
    const benchmark = benchmarkOf([
      [0, 100],
      [0, 100],
      [100, 100],
      [0, 0],
    ]);
    expect(oracleCurve(benchmark)).toEqual([
      { strongPercentage: 0, quality: 25 },
      { strongPercentage: 50, quality: 75 },
      { strongPercentage: 100, quality: 75 },
    ]);
  });

  it('ends at 100% when every prompt gains', () => {
    const curve = oracleCurve(benchmarkOf([[0, 100]]));
    expect(curve).toEqual([
      { strongPercentage: 0, quality: 0 },
      { strongPercentage: 100, quality: 100 },
    ]);
  });
});

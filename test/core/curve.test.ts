import { describe, expect, it } from 'vitest';
import { averageCurves, thresholdCurve } from '../../src/core/curve.ts';
import { InvalidInputError } from '../../src/core/errors.ts';
import { benchmarkOf } from './helpers.ts';

// Per item (weak, strong) quality: strong helps on 0 and 3, hurts on 4, changes nothing on 1 and 2.
const toy = benchmarkOf([
  [0, 100],
  [0, 0],
  [100, 100],
  [0, 100],
  [100, 0],
]);
const scores = [0.9, 0.1, 0.5, 0.7, 0.3];

describe('thresholdCurve', () => {
  it('routes score >= quantile threshold to strong, and > at the top, sorted by strong share', () => {
    expect(thresholdCurve(toy, scores, 4)).toEqual([
      { threshold: 0.9, strongPercentage: 0, quality: 40 },
      { threshold: 0.7, strongPercentage: 40, quality: 80 },
      { threshold: 0.5, strongPercentage: 60, quality: 80 },
      { threshold: 0.3, strongPercentage: 80, quality: 60 },
      { threshold: 0.1, strongPercentage: 100, quality: 60 },
    ]);
  });

  it('uses 10 steps (11 points) by default, spanning 0% to 100%', () => {
    const curve = thresholdCurve(toy, scores);
    expect(curve).toHaveLength(11);
    expect(curve[0]!.strongPercentage).toBe(0);
    expect(curve[10]!.strongPercentage).toBe(100);
  });

  it('turns tied scores into duplicate, identical points instead of failing', () => {
    const curve = thresholdCurve(toy, [0.5, 0.5, 0.5, 0.5, 0.5]);
    expect(curve).toHaveLength(11);
    expect(curve[0]).toEqual({ threshold: 0.5, strongPercentage: 0, quality: 40 });
    for (const point of curve.slice(1)) expect(point).toEqual({ threshold: 0.5, strongPercentage: 100, quality: 60 });
  });

  it('rejects a score count mismatch and scores outside [0, 1]', () => {
    expect(() => thresholdCurve(toy, [0.5])).toThrow(InvalidInputError);
    expect(() => thresholdCurve(toy, [0.5, 0.5, 0.5, 0.5, 1.5])).toThrow(/not in \[0, 1\]/);
    expect(() => thresholdCurve(toy, [0.5, 0.5, 0.5, 0.5, Number.NaN])).toThrow(/not in \[0, 1\]/);
  });
});

describe('averageCurves', () => {
  it('groups points by strong share and averages quality and threshold', () => {
    const averaged = averageCurves([
      [
        { threshold: 0.9, strongPercentage: 0, quality: 1 },
        { threshold: 0.2, strongPercentage: 50, quality: 2 },
      ],
      [
        { threshold: 0.7, strongPercentage: 0, quality: 3 },
        { threshold: 0.4, strongPercentage: 50, quality: 5 },
        { threshold: 0.1, strongPercentage: 100, quality: 6 },
      ],
    ]);
    expect(averaged).toHaveLength(3);
    expect(averaged[0]).toMatchObject({ strongPercentage: 0, quality: 2 });
    expect(averaged[0]!.threshold).toBeCloseTo(0.8, 12);
    expect(averaged[1]).toMatchObject({ strongPercentage: 50, quality: 3.5 });
    expect(averaged[2]).toEqual({ threshold: 0.1, strongPercentage: 100, quality: 6 });
  });
});

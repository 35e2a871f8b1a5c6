import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.ts';
import { curveMetrics, performanceGapRecovered } from '../../src/core/metrics.ts';

// The curve of the toy router in curve.test.ts: weak 40, strong 60, quality dips after 60% strong calls.
const curve = [
  { strongPercentage: 0, quality: 40 },
  { strongPercentage: 40, quality: 80 },
  { strongPercentage: 60, quality: 80 },
  { strongPercentage: 80, quality: 60 },
  { strongPercentage: 100, quality: 60 },
];

describe('curveMetrics', () => {
  it('computes AUC, APGR, CPT and PGR as RouteLLM does (values checked with numpy)', () => {
    const metrics = curveMetrics(curve, 40, 60);
    expect(metrics.auc).toBeCloseTo(66, 12);
    expect(metrics.apgr).toBeCloseTo(1.3, 12);
    // np.interp(target, quality, strong%) on the non-monotonic quality values.
    expect(metrics.cpt[20]).toBeCloseTo(4, 12);
    expect(metrics.cpt[50]).toBeCloseTo(10, 12);
    expect(metrics.cpt[80]).toBeCloseTo(16, 12);
    expect(metrics.pgr).toEqual([0, 2, 2, 1, 1]);
  });

  it('gives 0.5 for the straight line from weak to strong', () => {
    const line = curveMetrics(
      [
        { strongPercentage: 0, quality: 1 },
        { strongPercentage: 100, quality: 3 },
      ],
      1,
      3,
    );
    expect(line.apgr).toBeCloseTo(0.5, 12);
    expect(line.cpt[50]).toBeCloseTo(50, 12);
  });

  it('refuses a benchmark with no gap between the models', () => {
    expect(() => curveMetrics(curve, 50, 50)).toThrow(InvalidInputError);
  });

  it('performanceGapRecovered is 0 at weak and 1 at strong', () => {
    expect(performanceGapRecovered(8, 8, 9)).toBe(0);
    expect(performanceGapRecovered(9, 8, 9)).toBe(1);
    expect(performanceGapRecovered(8.25, 8, 9)).toBe(0.25);
  });
});

import { describe, expect, it } from 'vitest';
import {
  aiq,
  evaluateMultiModel,
  hullCostToReach,
  hullQualityAt,
  nonDecreasingConvexHull,
  oracleChoices,
  routerCurve,
  singleModelPoints,
  type MultiModelSet,
} from '../../src/core/multi-model-metrics.ts';
import { createPriorQualityPredictor } from '../../src/core/prior-quality-predictor.ts';

const point = (costPer1000Usd: number, quality: number) => ({ costPer1000Usd, quality });

// Four prompts, three models: A is dear and always right, B mid-priced and right on the first three... see below.
// Costs per request: A $0.010, B $0.002, C $0.0005 (the same on every prompt, for hand computation).
const set: MultiModelSet = {
  models: ['A', 'B', 'C'],
  labels: [
    [1, 1, 1],
    [1, 1, 0],
    [1, 0, 0],
    [1, 1, 0],
  ],
  costs: Array.from({ length: 4 }, () => [0.01, 0.002, 0.0005]),
};

describe('non-decreasing convex hull', () => {
  it('keeps the upper envelope from the cheapest point to the best, without dominated points', () => {
    const hull = nonDecreasingConvexHull([point(1, 0.2), point(2, 0.5), point(3, 0.55), point(4, 0.9), point(5, 0.8)]);
    // (3, 0.55) lies under the chord from (2, 0.5) to (4, 0.9); (5, 0.8) is dominated by (4, 0.9).
    expect(hull).toEqual([point(1, 0.2), point(2, 0.5), point(4, 0.9)]);
  });

  it('reads quality at a cost (flat after the best, NaN before the cheapest) and the cost to reach a quality', () => {
    const hull = [point(1, 0.2), point(2, 0.5), point(4, 0.9)];
    expect(hullQualityAt(hull, 3)).toBeCloseTo(0.7, 12);
    expect(hullQualityAt(hull, 10)).toBe(0.9);
    expect(hullQualityAt(hull, 0.5)).toBeNaN();
    expect(hullCostToReach(hull, 0.8)).toBeCloseTo(3.5, 12);
    expect(hullCostToReach(hull, 0.1)).toBe(1);
    expect(hullCostToReach(hull, 0.95)).toBeUndefined();
  });

  it('computes AIQ as the hull area over the cost range, divided by the range', () => {
    const hull = [point(1, 0.2), point(2, 0.5), point(4, 0.9)];
    // From 1 to 5: (0.2 + 0.5) / 2 x 1 + (0.5 + 0.9) / 2 x 2 + 0.9 x 1 = 0.35 + 1.4 + 0.9 = 2.65, over 4.
    expect(aiq(hull, [1, 5])).toBeCloseTo(2.65 / 4, 12);
    // Only the part from 2 to 4: (0.5 + 0.9) / 2.
    expect(aiq(hull, [2, 4])).toBeCloseTo(0.7, 12);
  });
});

describe('multi-model evaluation', () => {
  it('places every single model and the oracle', () => {
    const points = singleModelPoints(set);
    expect(points.map((p) => [p.model, Number(p.costPer1000Usd.toFixed(9)), p.quality])).toEqual([
      ['A', 10, 1],
      ['B', 2, 0.75],
      ['C', 0.5, 0.25],
    ]);
    // Oracle: prompt 1 -> C, 2 -> B, 3 -> A, 4 -> B.
    expect([...oracleChoices(set)]).toEqual([2, 1, 0, 1]);
  });

  it('routes on predictions along lambda, and reports savings at the best model quality', () => {
    // A perfect predictor: the labels themselves (ties broken by cost).
    const evaluation = evaluateMultiModel(set, set.labels);
    expect(evaluation.bestModel.model).toBe('A');
    expect(evaluation.cheapestModel.model).toBe('C');
    // The oracle costs (0.5 + 2 + 10 + 2) / 4 = 3.625 per 1,000 at quality 1.
    expect(evaluation.oracle.costPer1000Usd).toBeCloseTo(3.625, 9);
    expect(evaluation.oracle.quality).toBe(1);
    // At lambda 0 the perfect predictor is the oracle, so the router reaches A's quality at 3.625: 63.75% saved.
    expect(evaluation.costAtBestQuality).toBeCloseTo(3.625, 9);
    expect(evaluation.savedAtBestQuality).toBeCloseTo(1 - 3.625 / 10, 9);
    // At lambda = Infinity every prompt goes to C: (0.5, 0.25), the cheapest model's point.
    expect(evaluation.qualityAtCheapestCost).toBeCloseTo(0.25, 9);
    expect(evaluation.maxQuality).toBe(1);
  });

  it('gives the prior predictor the single models hull, and no saving', async () => {
    const prior = createPriorQualityPredictor(
      new Map([
        ['A', 1],
        ['B', 0.75],
        ['C', 0.25],
      ]),
    );
    const predictions = await prior.predictQuality(['p1', 'p2', 'p3', 'p4']);
    const evaluation = evaluateMultiModel(set, predictions);
    const curve = routerCurve(set, predictions, [0, 50, 1000]);
    // lambda 50: A 1 - 0.5 = 0.5, B 0.75 - 0.1 = 0.65, C 0.25 - 0.025 = 0.225 -> B everywhere.
    expect(curve.map((p) => [Number(p.costPer1000Usd.toFixed(9)), p.quality])).toEqual([
      [10, 1],
      [2, 0.75],
      [0.5, 0.25],
    ]);
    expect(evaluation.savedAtBestQuality).toBeCloseTo(0, 9);
    expect(evaluation.aiq).toBeCloseTo(evaluation.singleModelAiq, 9);
    // Single models' hull: (0.5, 0.25), (2, 0.75), (10, 1); AIQ over [0.5, 10]: (0.5 x 1.5 + 0.875 x 8) / 9.5.
    expect(evaluation.singleModelAiq).toBeCloseTo((0.5 * 1.5 + 0.875 * 8) / 9.5, 9);
  });
});

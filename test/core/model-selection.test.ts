import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.ts';
import {
  calibratePolicy,
  chooseModelIndex,
  estimatePromptTokens,
  expectedCostUsd,
  expectedCosts,
  policyOutcome,
  selectModel,
  type PricedModel,
} from '../../src/core/model-selection.ts';

// Three models: a frontier one, a mid one, a small one. Prices in USD per 1M tokens.
const models: PricedModel[] = [
  { name: 'frontier', inputPrice: 10, outputPrice: 30 },
  { name: 'mid', inputPrice: 1, outputPrice: 2, answerTokens: 500 },
  { name: 'small', inputPrice: 0.1, outputPrice: 0.1, answerTokens: 100 },
];

describe('expected cost', () => {
  it('estimates prompt tokens as ceil(characters / 4), at least 1', () => {
    expect(estimatePromptTokens('')).toBe(1);
    expect(estimatePromptTokens('abcd')).toBe(1);
    expect(estimatePromptTokens('abcde')).toBe(2);
    expect(estimatePromptTokens('x'.repeat(400))).toBe(100);
  });

  it('is (prompt tokens x input price + answer tokens x output price) / 1e6', () => {
    // frontier: default 300 answer tokens: (100 x 10 + 300 x 30) / 1e6 = 0.01
    expect(expectedCostUsd(100, models[0]!)).toBeCloseTo(0.01, 15);
    // mid: (100 x 1 + 500 x 2) / 1e6 = 0.0011
    expect(expectedCostUsd(100, models[1]!)).toBeCloseTo(0.0011, 15);
    const costs = expectedCosts('x'.repeat(400), models);
    // small: (100 x 0.1 + 100 x 0.1) / 1e6 = 0.00002
    expect([...costs].map((cost) => Number(cost.toPrecision(6)))).toEqual([0.01, 0.0011, 0.00002]);
  });
});

describe('selection policies', () => {
  const qualities = [0.9, 0.8, 0.5];
  const costs = [0.01, 0.0011, 0.00002];

  it('maxQuality: the best predicted quality within the cap, else the cheapest', () => {
    expect(chooseModelIndex(qualities, costs, { maxQuality: { priceCapUsd: 1 } })).toBe(0);
    expect(chooseModelIndex(qualities, costs, { maxQuality: { priceCapUsd: 0.005 } })).toBe(1);
    expect(chooseModelIndex(qualities, costs, { maxQuality: { priceCapUsd: 0.0011 } })).toBe(1);
    expect(chooseModelIndex(qualities, costs, { maxQuality: { priceCapUsd: 0.001 } })).toBe(2);
    expect(chooseModelIndex(qualities, costs, { maxQuality: { priceCapUsd: 0.00001 } })).toBe(2);
  });

  it('cheapestWithin: the cheapest model within epsilon of the best', () => {
    expect(chooseModelIndex(qualities, costs, { cheapestWithin: { epsilon: 0 } })).toBe(0);
    expect(chooseModelIndex(qualities, costs, { cheapestWithin: { epsilon: 0.05 } })).toBe(0);
    expect(chooseModelIndex(qualities, costs, { cheapestWithin: { epsilon: 0.1 } })).toBe(1);
    expect(chooseModelIndex(qualities, costs, { cheapestWithin: { epsilon: 0.4 } })).toBe(2);
  });

  it('costWeight: the largest quality - lambda x cost', () => {
    // frontier vs mid: 0.1 quality for 0.0089 USD -> switches at lambda = 11.24; mid vs small: 0.3 for 0.00108 -> 277.8.
    expect(chooseModelIndex(qualities, costs, { costWeight: { lambda: 0 } })).toBe(0);
    expect(chooseModelIndex(qualities, costs, { costWeight: { lambda: 11 } })).toBe(0);
    expect(chooseModelIndex(qualities, costs, { costWeight: { lambda: 12 } })).toBe(1);
    expect(chooseModelIndex(qualities, costs, { costWeight: { lambda: 277 } })).toBe(1);
    expect(chooseModelIndex(qualities, costs, { costWeight: { lambda: 278 } })).toBe(2);
    expect(chooseModelIndex(qualities, costs, { costWeight: { lambda: Number.POSITIVE_INFINITY } })).toBe(2);
  });

  it('breaks ties towards the cheaper model', () => {
    expect(chooseModelIndex([0.7, 0.7], [0.002, 0.001], { costWeight: { lambda: 0 } })).toBe(1);
    expect(chooseModelIndex([0.7, 0.7], [0.002, 0.001], { maxQuality: { priceCapUsd: 1 } })).toBe(1);
    expect(chooseModelIndex([0.6, 0.7], [0.001, 0.001], { cheapestWithin: { epsilon: 0.2 } })).toBe(1);
  });

  it('names the model, every model figure, the policy and why', () => {
    const decision = selectModel(models, qualities, costs, { costWeight: { lambda: 100 } });
    expect(decision.model).toBe('mid');
    expect(decision.quality).toBe(0.8);
    expect(decision.expectedCostUsd).toBe(0.0011);
    expect(decision.estimates.map((estimate) => estimate.model)).toEqual(['frontier', 'mid', 'small']);
    expect(decision.estimates[2]).toEqual({ model: 'small', quality: 0.5, expectedCostUsd: 0.00002 });
    expect(decision.policy).toEqual({ costWeight: { lambda: 100 } });
    expect(decision.why).toBe(
      'mid has the best quality - 100 x cost (80.0% predicted, $0.0011 expected; frontier 90.0% at $0.0100)',
    );
    expect(selectModel(models, qualities, costs, { maxQuality: { priceCapUsd: 0.00001 } }).why).toBe(
      'no model is within the $0.00001 cap; small is the cheapest (50.0% predicted, $0.00002 expected)',
    );
    expect(selectModel(models, qualities, costs, { cheapestWithin: { epsilon: 0.1 } }).why).toBe(
      'mid is the cheapest within 10.0% of the best (80.0% predicted, $0.0011 expected; frontier 90.0% at $0.0100)',
    );
  });

  it('refuses unknown policies, negative settings and mismatched lengths', () => {
    expect(() => selectModel(models, qualities, costs, { fastest: {} } as never)).toThrow(InvalidInputError);
    expect(() => selectModel(models, qualities, costs, { costWeight: { lambda: -1 } })).toThrow(/non-negative/);
    expect(() => selectModel(models, [0.5], costs, { costWeight: { lambda: 1 } })).toThrow(InvalidInputError);
  });
});

describe('calibrated policies', () => {
  // Two prompts; on each, the frontier / mid / small models.
  const set = [
    { qualities: [0.9, 0.8, 0.5], costs: [0.01, 0.001, 0.0001] },
    { qualities: [0.9, 0.5, 0.4], costs: [0.01, 0.001, 0.0001] },
  ];

  it('measures a policy on the set: mean cost per 1,000 requests and mean predicted quality', () => {
    // lambda 20: prompt 1 takes mid (0.8 - 0.02 > 0.9 - 0.2), prompt 2 the frontier (0.9 - 0.2 > 0.5 - 0.02).
    const outcome = policyOutcome(set, { costWeight: { lambda: 20 } });
    expect(outcome.costPer1000Usd).toBeCloseTo(((0.001 + 0.01) / 2) * 1000, 12);
    expect(outcome.meanQuality).toBeCloseTo(0.85, 12);
  });

  it('turns a cost target into the smallest lambda within it', () => {
    // Budget $5.5 per 1,000: needs prompt 1 on mid (frontier -> mid at lambda 0.1 / 0.009 = 11.11).
    const policy = calibratePolicy('costWeight', { costPer1000Usd: 5.5 }, set);
    if (!('costWeight' in policy)) throw new Error('expected costWeight');
    expect(policy.costWeight.lambda).toBeCloseTo(0.1 / 0.009, 6);
    expect(policyOutcome(set, policy).costPer1000Usd).toBeLessThanOrEqual(5.5);
    expect(calibratePolicy('costWeight', { costPer1000Usd: 100 }, set)).toEqual({ costWeight: { lambda: 0 } });
    expect(() => calibratePolicy('costWeight', { costPer1000Usd: 0.01 }, set)).toThrow(/cheapest costs \$0\.1000/);
  });

  it('turns a quality target into the largest lambda that reaches it', () => {
    // Mean quality 0.85 is reached while prompt 2 stays on the frontier: up to lambda 0.4 / 0.009 = 44.44.
    const policy = calibratePolicy('costWeight', { meanQuality: 0.85 }, set);
    if (!('costWeight' in policy)) throw new Error('expected costWeight');
    expect(policy.costWeight.lambda).toBeCloseTo(0.4 / 0.009, 6);
    expect(() => calibratePolicy('costWeight', { meanQuality: 0.95 }, set)).toThrow(/best reaches 0\.9000/);
  });

  it('turns targets into epsilon for cheapestWithin', () => {
    // Prompt 1 moves to mid at epsilon 0.1, to small at 0.4; prompt 2 to mid at 0.4, small at 0.5.
    const byCost = calibratePolicy('cheapestWithin', { costPer1000Usd: 5.5 }, set);
    if (!('cheapestWithin' in byCost)) throw new Error('expected cheapestWithin');
    expect(byCost.cheapestWithin.epsilon).toBeCloseTo(0.1, 6);
    const byQuality = calibratePolicy('cheapestWithin', { meanQuality: 0.6 }, set);
    if (!('cheapestWithin' in byQuality)) throw new Error('expected cheapestWithin');
    // Mean quality is 0.85 for epsilon in [0.1, 0.4), then (0.5 + 0.5) / 2 = 0.5 at 0.4: the largest is just below 0.4.
    expect(byQuality.cheapestWithin.epsilon).toBeCloseTo(0.4, 6);
    expect(byQuality.cheapestWithin.epsilon).toBeLessThan(0.4);
  });
});

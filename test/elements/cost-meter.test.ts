import { describe, expect, it } from 'vitest';
import {
  estimateTokens,
  formatDollars,
  summarizeCost,
  summarizeModelCost,
  type MeteredCall,
  type ModelMeteredCall,
} from '../../src/elements/cost-meter.ts';

const prices = { strong: { input: 10, output: 30 }, weak: { input: 0.5, output: 1.5 } };
const call = (tier: 'strong' | 'weak', measured = true): MeteredCall => ({
  tier,
  inputTokens: 1000,
  outputTokens: 500,
  measured,
});

describe('summarizeCost', () => {
  it('prices each call at its tier and the same tokens at the strong tier for comparison', () => {
    const summary = summarizeCost([call('strong'), call('weak'), call('weak')], prices);
    const strongCall = (1000 * 10 + 500 * 30) / 1e6;
    const weakCall = (1000 * 0.5 + 500 * 1.5) / 1e6;
    expect(summary).toMatchObject({ calls: 3, strongCalls: 1, measured: true });
    expect(summary.strongShare).toBeCloseTo(1 / 3);
    expect(summary.spend).toBeCloseTo(strongCall + 2 * weakCall, 12);
    expect(summary.alwaysStrongSpend).toBeCloseTo(3 * strongCall, 12);
  });

  it('has no spend without the prices of the tiers used, and says when tokens were estimated', () => {
    expect(summarizeCost([call('weak')], { strong: prices.strong })).toMatchObject({
      spend: undefined,
      alwaysStrongSpend: expect.any(Number),
    });
    expect(summarizeCost([call('weak')], {})).toMatchObject({ spend: undefined, alwaysStrongSpend: undefined });
    expect(summarizeCost([call('weak', false), call('strong')], prices).measured).toBe(false);
    expect(summarizeCost([], prices)).toMatchObject({
      calls: 0,
      strongShare: 0,
      spend: 0,
      alwaysStrongSpend: 0,
      measured: true,
    });
  });
});

describe('formatDollars', () => {
  it('keeps two significant digits below a dollar and cents above', () => {
    expect(formatDollars(0)).toBe('$0');
    expect(formatDollars(0.00042)).toBe('$0.00042');
    expect(formatDollars(0.013)).toBe('$0.013');
    expect(formatDollars(0.5)).toBe('$0.50');
    expect(formatDollars(12.345)).toBe('$12.35');
  });
});

describe('estimateTokens', () => {
  it('counts about four characters per token, at least one', () => {
    expect(estimateTokens('')).toBe(1);
    expect(estimateTokens('x'.repeat(400))).toBe(100);
  });
});

describe('summarizeModelCost', () => {
  const models = [
    { name: 'frontier', inputPrice: 5, outputPrice: 15 },
    { name: 'mid', inputPrice: 0.7, outputPrice: 0.7 },
    { name: 'small', inputPrice: 0.2, outputPrice: 0.2 },
  ];
  const modelCall = (model: string, qualities: Record<string, number>, measured = true): ModelMeteredCall => ({
    model,
    inputTokens: 1000,
    outputTokens: 500,
    measured,
    qualities,
  });
  const cost = (price: { inputPrice: number; outputPrice: number }) =>
    (1000 * price.inputPrice + 500 * price.outputPrice) / 1e6;

  it('prices each call at the model that answered, against always the best-predicted model and the priciest', () => {
    const summary = summarizeModelCost(
      [
        modelCall('small', { frontier: 0.6, mid: 0.7, small: 0.5 }),
        modelCall('frontier', { frontier: 0.7, mid: 0.5, small: 0.3 }, false),
      ],
      models,
    );
    expect(summary).toMatchObject({ calls: 2, bestModel: 'frontier', priciestModel: 'frontier', measured: false });
    expect(summary.callsByModel).toEqual([
      { model: 'frontier', calls: 1 },
      { model: 'mid', calls: 0 },
      { model: 'small', calls: 1 },
    ]);
    expect(summary.spend).toBeCloseTo(cost(models[0]!) + cost(models[2]!), 12);
    expect(summary.alwaysBestSpend).toBeCloseTo(2 * cost(models[0]!), 12);
    expect(summary.alwaysPriciestSpend).toBeCloseTo(2 * cost(models[0]!), 12);
  });

  it('names the best model by mean predicted quality, which need not be the priciest; ties go to the pricier', () => {
    const summary = summarizeModelCost([modelCall('small', { frontier: 0.5, mid: 0.8, small: 0.4 })], models);
    expect(summary).toMatchObject({ bestModel: 'mid', priciestModel: 'frontier' });
    expect(summary.alwaysBestSpend).toBeCloseTo(cost(models[1]!), 12);
    const tie = summarizeModelCost([modelCall('small', { frontier: 0.5, mid: 0.5, small: 0.5 })], models);
    expect(tie.bestModel).toBe('frontier');
  });

  it('has no best model before any call', () => {
    expect(summarizeModelCost([], models)).toMatchObject({
      calls: 0,
      bestModel: undefined,
      spend: 0,
      alwaysBestSpend: 0,
    });
  });
});

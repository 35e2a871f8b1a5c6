import { describe, expect, it } from 'vitest';
import { estimateTokens, formatDollars, summarizeCost, type MeteredCall } from '../../src/elements/cost-meter.ts';

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

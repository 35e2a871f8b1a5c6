import { describe, expect, it } from 'vitest';
import { thresholdForStrongPct } from '../../src/core/calibration.ts';
import { createPrng } from '../../src/core/prng.ts';
import { AdaptiveThreshold } from '../../src/sdk/adaptive-threshold.ts';

describe('AdaptiveThreshold', () => {
  it('has no threshold before it has seen a score', () => {
    expect(new AdaptiveThreshold().thresholdFor(0.5)).toBeUndefined();
  });

  it('is the calibration quantile of the last `window` scores only', () => {
    const adaptive = new AdaptiveThreshold(4);
    for (const score of [0.9, 0.9, 0.9, 0.1, 0.2, 0.3, 0.4]) adaptive.observe(score);
    expect(adaptive.size).toBe(4);
    expect(adaptive.thresholdFor(0.25)).toBe(thresholdForStrongPct([0.1, 0.2, 0.3, 0.4], 0.25));
  });

  it('keeps the strong share near the target when traffic shifts', () => {
    const next = createPrng(3);
    const adaptive = new AdaptiveThreshold(200);
    let strong = 0;
    const decisions = 2000;
    for (let index = 0; index < decisions; index++) {
      // The score distribution moves up halfway: a fixed threshold would send far more prompts strong.
      const score = index < decisions / 2 ? next() * 0.5 : 0.5 + next() * 0.5;
      adaptive.observe(score);
      if (index >= decisions / 2 + 200 && score >= adaptive.thresholdFor(0.3)!) strong++;
    }
    expect(strong / (decisions / 2 - 200)).toBeGreaterThan(0.25);
    expect(strong / (decisions / 2 - 200)).toBeLessThan(0.35);
  });

  it('refuses a window that is not a positive integer', () => {
    expect(() => new AdaptiveThreshold(0)).toThrow(/positive integer/);
    expect(() => new AdaptiveThreshold(2.5)).toThrow(/positive integer/);
  });
});

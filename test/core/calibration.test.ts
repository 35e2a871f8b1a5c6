import { describe, expect, it } from 'vitest';
import { scoreQuantileTable, thresholdForStrongPct, thresholdFromQuantileTable } from '../../src/core/calibration.ts';
import { InvalidInputError } from '../../src/core/errors.ts';

const scores = Array.from({ length: 101 }, (_, index) => index / 100);

describe('calibration', () => {
  it('picks the threshold that sends strongPct of the scores to the strong model', () => {
    for (const strongPct of [0.1, 0.3, 0.5, 0.8]) {
      const threshold = thresholdForStrongPct(scores, strongPct);
      const share = scores.filter((score) => score >= threshold).length / scores.length;
      expect(share).toBeCloseTo(strongPct, 1);
    }
    expect(thresholdForStrongPct(scores, 0.5)).toBe(0.5);
    expect(thresholdForStrongPct(scores, 1)).toBe(0);
  });

  it('stores a quantile table and reads thresholds back from it', () => {
    const table = scoreQuantileTable([0.4, 0.1, 0.3, 0.2, 0.5], 5);
    expect(table).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
    expect(thresholdFromQuantileTable(table, 0.5)).toBeCloseTo(0.3, 12);
    expect(thresholdFromQuantileTable(table, 0.125)).toBeCloseTo(0.45, 12);
    const full = scoreQuantileTable(scores);
    expect(full).toHaveLength(101);
    expect(thresholdFromQuantileTable(full, 0.3)).toBeCloseTo(thresholdForStrongPct(scores, 0.3), 12);
  });

  it('rejects a share outside [0, 1], no scores, and a table that decreases', () => {
    expect(() => thresholdForStrongPct(scores, 1.2)).toThrow(InvalidInputError);
    expect(() => thresholdForStrongPct([], 0.5)).toThrow(InvalidInputError);
    expect(() => thresholdForStrongPct([Number.NaN], 0.5)).toThrow(InvalidInputError);
    expect(() => thresholdFromQuantileTable([0.5, 0.2], 0.5)).toThrow(InvalidInputError);
  });
});

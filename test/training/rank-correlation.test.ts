import { describe, expect, it } from 'vitest';
import { averageRanks, spearman } from '../../src/training/rank-correlation.ts';

describe('rank correlation', () => {
  it('gives tied values their average rank', () => {
    expect(Array.from(averageRanks([10, 20, 10, 30]))).toEqual([1.5, 3, 1.5, 4]);
  });

  it('is 1 for any increasing relation, -1 for a decreasing one, 0 against a constant', () => {
    expect(spearman([1, 2, 3, 4], [1, 4, 9, 16])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    expect(spearman([1, 2, 3], [5, 5, 5])).toBe(0);
    expect(() => spearman([1], [1])).toThrow(/at least 2 values/);
  });
});

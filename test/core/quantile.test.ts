import { describe, expect, it } from 'vitest';
import { quantileSorted, quantiles, sortedAscending } from '../../src/core/quantile.ts';
import { InvalidInputError } from '../../src/core/errors.ts';

describe('quantiles (numpy linear method)', () => {
  it('matches np.quantile, including between and on order statistics', () => {
    // np.quantile([0.3, 0.1, 0.2, 0.9, 0.5, 0.5, 0.7], [0, 0.1, 0.25, 0.5, 0.3, 0.9, 1])
    expect(quantiles([0.3, 0.1, 0.2, 0.9, 0.5, 0.5, 0.7], [0, 0.1, 0.25, 0.5, 0.3, 0.9, 1])).toEqual([
      0.1, 0.16000000000000003, 0.25, 0.5, 0.27999999999999997, 0.78, 0.9,
    ]);
  });

  it('interpolates from the nearer end as numpy does', () => {
    // np.quantile(range 1..9 + [10.5], 0.55) == 5.95 and np.quantile([0.1, 0.7], 0.3) == 0.28 exactly.
    expect(quantileSorted([1, 2, 3, 4, 5, 6, 7, 8, 9, 10.5], 0.55)).toBe(5.95);
    expect(quantileSorted([0.1, 0.7], 0.3)).toBe(0.28);
  });

  it('sorts numerically, not as strings', () => {
    expect([...sortedAscending([10, 9, 100, -1])]).toEqual([-1, 9, 10, 100]);
  });

  it('rejects an empty array and q outside [0, 1]', () => {
    expect(() => quantileSorted([], 0.5)).toThrow(InvalidInputError);
    expect(() => quantileSorted([1], 1.5)).toThrow(InvalidInputError);
    expect(() => quantileSorted([1], Number.NaN)).toThrow(InvalidInputError);
  });
});

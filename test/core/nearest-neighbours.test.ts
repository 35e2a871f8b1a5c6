import { describe, expect, it } from 'vitest';
import { topK } from '../../src/core/nearest-neighbours.ts';

describe('topK', () => {
  it('returns the indices of the k largest values, largest first, lower index first on ties', () => {
    expect(Array.from(topK([0.1, 0.9, 0.5, 0.9, -1, 0.7], 4))).toEqual([1, 3, 5, 2]);
  });

  it('returns everything when k exceeds the length', () => {
    expect(Array.from(topK([3, 1, 2], 10))).toEqual([0, 2, 1]);
  });

  it('rejects k < 1', () => {
    expect(() => topK([1], 0)).toThrow(/positive integer/);
  });
});

import { describe, expect, it } from 'vitest';
import { foldAssignment } from '../../src/training/training-benchmarks.ts';

describe('foldAssignment', () => {
  it('is deterministic for a seed, balanced, and differs between seeds', () => {
    const folds = foldAssignment(103, 5, 1);
    expect(foldAssignment(103, 5, 1)).toEqual(folds);
    const sizes = [0, 1, 2, 3, 4].map((fold) => folds.filter((value) => value === fold).length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(foldAssignment(103, 5, 2)).not.toEqual(folds);
  });
});

import { describe, expect, it } from 'vitest';
import { solveSymmetricPositiveDefinite } from '../../src/core/linear-algebra.ts';

describe('solveSymmetricPositiveDefinite', () => {
  it('solves a known system', () => {
    const x = solveSymmetricPositiveDefinite(Float64Array.of(4, 1, 1, 3), Float64Array.of(1, 2));
    expect(x[0]).toBeCloseTo(1 / 11, 12);
    expect(x[1]).toBeCloseTo(7 / 11, 12);
  });

  it('rejects a matrix that is not positive definite', () => {
    expect(() => solveSymmetricPositiveDefinite(Float64Array.of(1, 2, 2, 1), Float64Array.of(1, 1))).toThrow(
      /not positive definite/,
    );
  });
});

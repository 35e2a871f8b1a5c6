import { describe, expect, it } from 'vitest';
import { trapezoid } from '../../src/core/trapezoid.ts';
import { InvalidInputError } from '../../src/core/errors.ts';

describe('trapezoid (np.trapz)', () => {
  it('integrates, with zero-width steps adding nothing', () => {
    expect(trapezoid([1, 2, 4, 4], [0, 0.5, 0.5, 1])).toBe(2.75);
  });

  it('subtracts area where x steps backwards, as numpy does', () => {
    expect(trapezoid([1, 2, 3], [0, 2, 1])).toBe(0.5);
  });

  it('is zero for a single point and rejects mismatched lengths', () => {
    expect(trapezoid([3], [1])).toBe(0);
    expect(() => trapezoid([1, 2], [1])).toThrow(InvalidInputError);
  });
});

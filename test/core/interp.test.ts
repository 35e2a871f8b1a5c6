import { describe, expect, it } from 'vitest';
import { interp } from '../../src/core/interp.ts';
import { InvalidInputError } from '../../src/core/errors.ts';

describe('interp (np.interp)', () => {
  it('interpolates linearly and clamps outside the x-points', () => {
    expect(interp(1.5, [1, 2, 3], [10, 20, 30])).toBe(15);
    expect(interp(0, [1, 2, 3], [10, 20, 30])).toBe(10);
    expect(interp(4, [1, 2, 3], [10, 20, 30])).toBe(30);
    expect(interp(3, [1, 2, 3], [10, 20, 30])).toBe(30);
    expect(interp(7, [5], [1])).toBe(1);
  });

  it('follows numpy on a curve whose quality dips (values from numpy 2.4)', () => {
    // A MT-Bench-like curve: quality dips between the 5th and 6th point.
    const quality = [8.28125, 8.378, 8.59, 8.7, 8.809, 8.802, 8.878, 8.927, 9.045, 9.114, 9.2118];
    const strong = [0, 11.1, 20.8, 30.5, 40.3, 50, 59.7, 69.4, 79.2, 88.9, 100];
    expect(interp(8.5, quality, strong)).toBeCloseTo(16.682075471698113, 12);
    expect(interp(8.805, quality, strong)).toBeCloseTo(39.9403669724771, 12);
    expect(interp(8.8045, quality, strong)).toBeCloseTo(39.89541284403684, 12);
    expect(interp(8.9, quality, strong)).toBeCloseTo(64.05510204081642, 12);
    expect(interp(9.3, quality, strong)).toBe(100);
  });

  it('reproduces numpy where its guess-then-bisect search meets a non-increasing array', () => {
    // np.interp(x, [0, 1, 2, 1.5, 3, 4, 5], [0, 10, 20, 30, 40, 50, 60])
    const xp = [0, 1, 2, 1.5, 3, 4, 5];
    const fp = [0, 10, 20, 30, 40, 50, 60];
    expect(interp(1.6, xp, fp)).toBeCloseTo(16, 12);
    expect(interp(2.5, xp, fp)).toBeCloseTo(36.666666666666664, 12);
    expect(interp(0.5, xp, fp)).toBe(5);
    // Where a dip makes several segments contain x, numpy's search (not the first or last such segment) decides.
    const tenths = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    expect(interp(8.25, [0, 3.5, 3.7, 3.9, 4.2, 5.6, 6.6, 8.3, 7.3, 9.2, 10], tenths)).toBeCloseTo(85, 12);
    expect(interp(3.73, [0, 1.1, 1.7, 3.0, 3.2, 3.9, 3.5, 7.0, 7.4, 7.8, 10], tenths)).toBeCloseTo(
      60.65714285714286,
      12,
    );
    expect(interp(6.75, [0, 2.7, 3.8, 4.5, 5.5, 6.5, 6.6, 6.9, 6.2, 8.3, 10], tenths)).toBeCloseTo(
      82.61904761904762,
      12,
    );
    // Short arrays (<= 4 points) are scanned linearly: np.interp(x, [0, 2, 1, 3], [0, 1, 2, 3]).
    expect(interp(1.5, [0, 2, 1, 3], [0, 1, 2, 3])).toBe(0.75);
    expect(interp(2.5, [0, 2, 1, 3], [0, 1, 2, 3])).toBe(2.75);
  });

  it('takes the later value at a repeated x-point, as numpy does', () => {
    expect(interp(1, [0, 1, 1, 2], [0, 5, 7, 9])).toBe(7);
  });

  it('rejects mismatched or empty inputs', () => {
    expect(() => interp(1, [], [])).toThrow(InvalidInputError);
    expect(() => interp(1, [1, 2], [1])).toThrow(InvalidInputError);
  });
});

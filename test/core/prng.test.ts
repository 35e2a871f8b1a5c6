import { describe, expect, it } from 'vitest';
import { createPrng } from '../../src/core/prng.ts';
import { InvalidInputError } from '../../src/core/errors.ts';

describe('createPrng', () => {
  it('is deterministic per seed and differs between seeds', () => {
    const draw = (seed: number) => {
      const next = createPrng(seed);
      return Array.from({ length: 5 }, () => next());
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });

  it('draws from [0, 1) with a roughly uniform spread', () => {
    const next = createPrng(1);
    const draws = Array.from({ length: 20_000 }, () => next());
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    const mean = draws.reduce((sum, value) => sum + value, 0) / draws.length;
    expect(mean).toBeGreaterThan(0.49);
    expect(mean).toBeLessThan(0.51);
    const lowDecile = draws.filter((value) => value < 0.1).length / draws.length;
    expect(lowDecile).toBeGreaterThan(0.09);
    expect(lowDecile).toBeLessThan(0.11);
  });

  it('rejects a non-integer seed', () => {
    expect(() => createPrng(0.5)).toThrow(InvalidInputError);
  });
});

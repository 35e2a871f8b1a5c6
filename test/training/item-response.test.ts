import { describe, expect, it } from 'vitest';
import { expectedGains, fitItemResponse } from '../../src/training/item-response.ts';
import { sigmoid } from '../../src/core/logistic.ts';
import { createPrng } from '../../src/core/prng.ts';

describe('item response fit', () => {
  const abilities = Array.from({ length: 30 }, (_, index) => (index - 15) / 5);
  const difficulties = [-2, 0, 2];
  const next = createPrng(9);
  const rows = difficulties.map(
    (difficulty) =>
      new Map(abilities.map((ability, index) => [`m${index}`, next() < sigmoid(ability - difficulty) ? 1 : 0])),
  );

  it('orders prompts by difficulty', () => {
    const fit = fitItemResponse(rows);
    expect(fit.difficulty[0]).toBeLessThan(fit.difficulty[1]!);
    expect(fit.difficulty[1]).toBeLessThan(fit.difficulty[2]!);
  });

  it('expects a small gain where both models succeed and where both fail', () => {
    const fit = fitItemResponse(rows);
    const gains = expectedGains(fit, 'm22', 'm12');
    expect(gains.every((gain) => gain > 0)).toBe(true);
    expect(expectedGains(fit, 'm12', 'm22').every((gain) => gain < 0)).toBe(true);
    expect(() => expectedGains(fit, 'nobody', 'm12')).toThrow(/no ability/);
  });
});

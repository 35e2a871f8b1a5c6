import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.ts';
import { createLengthRouter, LENGTH_HALF_SCORE } from '../../src/core/length-router.ts';

describe('length router', () => {
  it("with maxLength scores length / (maxLength + 1), RouteLLM's toy router", async () => {
    const router = createLengthRouter({ maxLength: 9 });
    expect(router.name).toBe('length');
    expect(await router.score(['', 'abcd', 'abcdefghi'])).toEqual([0, 0.4, 0.9]);
  });

  it('caps prompts longer than maxLength so scores stay below 1', async () => {
    const [score] = await createLengthRouter({ maxLength: 3 }).score(['abcdefgh']);
    expect(score).toBe(0.75);
  });

  it('without maxLength scores length / (length + 500): 0.5 at 500 characters, monotone, below 1', async () => {
    const lengths = [0, 1, 100, LENGTH_HALF_SCORE, 5_000, 1_000_000];
    const scores = await createLengthRouter().score(lengths.map((length) => 'x'.repeat(length)));
    expect(scores[0]).toBe(0);
    expect(scores[3]).toBe(0.5);
    for (let i = 1; i < scores.length; i++) expect(scores[i]!).toBeGreaterThan(scores[i - 1]!);
    expect(scores.at(-1)!).toBeLessThan(1);
  });

  it('counts UTF-16 code units, as the golden file does', async () => {
    expect(await createLengthRouter({ maxLength: 3 }).score(['😀'])).toEqual([0.5]);
  });

  it('rejects a bad maxLength', () => {
    expect(() => createLengthRouter({ maxLength: -1 })).toThrow(InvalidInputError);
    expect(() => createLengthRouter({ maxLength: 2.5 })).toThrow(InvalidInputError);
  });
});

import { describe, expect, it } from 'vitest';
import { createRandomRouter } from '../../src/core/random-router.ts';

describe('random router', () => {
  it('draws reproducible scores in [0, 1) for a seed, different for another seed', async () => {
    const prompts = ['a', 'b', 'c', 'a'];
    const first = await createRandomRouter({ seed: 3 }).score(prompts);
    expect(await createRandomRouter({ seed: 3 }).score(prompts)).toEqual(first);
    expect(await createRandomRouter({ seed: 4 }).score(prompts)).not.toEqual(first);
    for (const score of first) expect(score >= 0 && score < 1).toBe(true);
    // Independent draws per call, so a repeated prompt gets a fresh score.
    expect(first[0]).not.toBe(first[3]);
  });

  it('continues its sequence across calls, so batching does not change the scores', async () => {
    const whole = await createRandomRouter({ seed: 1 }).score(['a', 'b', 'c']);
    const router = createRandomRouter({ seed: 1 });
    expect([...(await router.score(['a'])), ...(await router.score(['b', 'c']))]).toEqual(whole);
  });
});

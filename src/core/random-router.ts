import type { Router } from './router.ts';
import { createPrng } from './prng.ts';

export interface RandomRouterOptions {
  /** Seed of the generator; the same seed and the same sequence of calls give the same scores. */
  readonly seed?: number;
}

/**
 * The `random` baseline: each prompt gets an independent uniform score in [0, 1), drawn from a seeded
 * generator in call order (so a router instance is a reproducible sequence, not a function of the prompt).
 * Its expected APGR is 0.5; evaluation averages it over 10 seeds because one seed varies by several points.
 */
export function createRandomRouter(options: RandomRouterOptions = {}): Router {
  const next = createPrng(options.seed ?? 0);
  return {
    name: 'random',
    score: async (prompts) => prompts.map(() => next()),
  };
}

import { causalLlmRouterDefinition } from './causal-llm-router.ts';
import { classifierRouterDefinition } from './classifier-router.ts';
import { irtRouterDefinition } from './irt-router.ts';
import { knnGainRouterDefinition } from './knn-gain-router.ts';
import { LENGTH_CALIBRATION_QUANTILES } from './length-calibration.ts';
import { createLengthRouter } from './length-router.ts';
import { mfRouterDefinition } from './mf-router.ts';
import { createRandomRouter } from './random-router.ts';
import { RouterRegistry, type RouterDefinition } from './registry.ts';
import { swRankingRouterDefinition } from './sw-ranking-router.ts';

/** The seeds RouteLLM's paper averages the random baseline over. */
const RANDOM_EVALUATION_SEEDS = 10;

export const lengthRouterDefinition: RouterDefinition = {
  name: 'length',
  description: 'Longer prompts go to the strong model (baseline every learned router must beat).',
  requires: [],
  quantiles: LENGTH_CALIBRATION_QUANTILES,
  create: (context) => createLengthRouter(context.maxLength === undefined ? {} : { maxLength: context.maxLength }),
};

export const randomRouterDefinition: RouterDefinition = {
  name: 'random',
  description: 'Uniform random scores from a seeded generator (the 0.5 APGR reference).',
  requires: [],
  evaluationSeeds: RANDOM_EVALUATION_SEEDS,
  create: (context) => createRandomRouter(context.seed === undefined ? {} : { seed: context.seed }),
};

/** Every router this project ships, in the order listings show them. */
export const builtinRouters: readonly RouterDefinition[] = [
  lengthRouterDefinition,
  randomRouterDefinition,
  irtRouterDefinition,
  mfRouterDefinition,
  swRankingRouterDefinition,
  knnGainRouterDefinition,
  classifierRouterDefinition,
  causalLlmRouterDefinition,
];

/**
 * The router the SDK, `<route-chat>` and the demo use when none is named: the best shipped router that is at or above
 * `length` on every benchmark (3-seed mean, never below the lower end of length's bootstrap interval) and ahead of it
 * on their mean (README, "Routers and where they stand").
 */
export const DEFAULT_ROUTER = 'length';

/** The registry the CLIs, the SDK and the worker select routers from. */
export const defaultRegistry = new RouterRegistry(builtinRouters);

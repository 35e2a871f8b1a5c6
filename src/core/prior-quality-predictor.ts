import { AbortError, InvalidInputError } from './errors.ts';
import type { ModelQualityPredictor } from './model-quality.ts';

export const PRIOR_PREDICTOR = 'prior';

/**
 * The baseline many-model predictor, with no training run: every prompt gets each model's mean quality on the
 * training split (its accuracy, pass rate or win rate there). It cannot tell prompts apart, so routing on it picks
 * one model for all prompts: the best single model at lambda 0, cheaper ones as lambda grows. A router that learns
 * from the prompt has to beat it.
 */
export function createPriorQualityPredictor(meanQuality: ReadonlyMap<string, number>): ModelQualityPredictor {
  if (meanQuality.size === 0) throw new InvalidInputError('The prior predictor needs at least one model.');
  for (const [model, quality] of meanQuality) {
    if (!(quality >= 0 && quality <= 1)) {
      throw new InvalidInputError(`Model '${model}': a mean quality must be in [0, 1], got ${quality}.`);
    }
  }
  const models = [...meanQuality.keys()];
  const row = Float64Array.from(models, (model) => meanQuality.get(model)!);
  return {
    name: PRIOR_PREDICTOR,
    models,
    predictQuality: async (prompts, options) => {
      if (options?.signal?.aborted) throw new AbortError();
      return prompts.map(() => row.slice());
    },
  };
}

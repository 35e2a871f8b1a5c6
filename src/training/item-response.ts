import { InvalidInputError, sigmoid } from '../core/index.ts';

/**
 * A one-parameter item-response (Rasch) fit of golden correctness: P(model m answers prompt p correctly) =
 * sigmoid(ability[m] - difficulty[p]), abilities and difficulties fitted jointly by alternating Newton steps with
 * Gaussian priors (difficulty ~ N(0, 1.5^2), ability ~ N(0, 10^2)). With dozens of models per prompt (the golden
 * folders) a prompt's difficulty is well measured even though any one pair's outcome on it is a coin toss.
 */
export interface ItemResponseFit {
  readonly ability: ReadonlyMap<string, number>;
  readonly difficulty: Float64Array;
}

const DIFFICULTY_PRIOR_PRECISION = 1 / 1.5 ** 2;
const ABILITY_PRIOR_PRECISION = 0.01;

export function fitItemResponse(rows: readonly ReadonlyMap<string, number>[], iterations = 100): ItemResponseFit {
  const models = [...new Set(rows.flatMap((row) => [...row.keys()]))].sort();
  const modelIndex = new Map(models.map((model, index) => [model, index]));
  const entries = rows.map((row) => [...row].map(([model, value]) => [modelIndex.get(model)!, value] as const));
  const ability = new Float64Array(models.length);
  const difficulty = new Float64Array(rows.length);
  for (let iteration = 0; iteration < iterations; iteration++) {
    const gradient = new Float64Array(models.length);
    const curvature = new Float64Array(models.length).fill(ABILITY_PRIOR_PRECISION);
    for (let m = 0; m < models.length; m++) gradient[m] = -ABILITY_PRIOR_PRECISION * ability[m]!;
    entries.forEach((row, p) => {
      for (const [m, value] of row) {
        const probability = sigmoid(ability[m]! - difficulty[p]!);
        gradient[m] = gradient[m]! + value - probability;
        curvature[m] = curvature[m]! + probability * (1 - probability);
      }
    });
    for (let m = 0; m < models.length; m++) ability[m] = ability[m]! + gradient[m]! / curvature[m]!;
    entries.forEach((row, p) => {
      let step = -DIFFICULTY_PRIOR_PRECISION * difficulty[p]!;
      let rowCurvature = DIFFICULTY_PRIOR_PRECISION;
      for (const [m, value] of row) {
        const probability = sigmoid(ability[m]! - difficulty[p]!);
        step -= value - probability;
        rowCurvature += probability * (1 - probability);
      }
      difficulty[p] = difficulty[p]! + step / rowCurvature;
    });
  }
  return { ability: new Map(models.map((model, index) => [model, ability[index]!])), difficulty };
}

/**
 * Expected quality gain of `strong` over `weak` on each prompt under the fit: P(strong right) - P(weak right).
 * Smoother than the raw difference of two 0/1 outcomes, and it knows that on a prompt too hard for both, or easy
 * for both, the strong model gains little.
 */
export function expectedGains(fit: ItemResponseFit, strong: string, weak: string): Float64Array {
  const strongAbility = fit.ability.get(strong);
  const weakAbility = fit.ability.get(weak);
  if (strongAbility === undefined || weakAbility === undefined)
    throw new InvalidInputError(`The fit has no ability for ${strong} or ${weak}.`);
  return fit.difficulty.map((difficulty) => sigmoid(strongAbility - difficulty) - sigmoid(weakAbility - difficulty));
}

/**
 * Choosing one of N priced models for a prompt, from every model's predicted quality (a ModelQualityPredictor's
 * output) and expected cost. Each policy is one line of config:
 * - `{ maxQuality: { priceCapUsd } }`: the best predicted quality whose expected cost is within the per-request cap;
 * - `{ cheapestWithin: { epsilon } }`: the cheapest model whose predicted quality is within epsilon of the best one's;
 * - `{ costWeight: { lambda } }`: the largest quality - lambda x expected cost, cost in USD per request and quality
 *   0..1, so lambda = 1,000 pays one more cent per 1,000 requests ($0.00001 each) for every point (0.01) of quality.
 * Their calibrated forms (a target cost per 1,000 requests, or a target mean quality, turned into lambda or epsilon on
 * a calibration set of predictions) are below, as `strongPct` is turned into a threshold in calibration.ts.
 */
import { InvalidInputError } from './errors.ts';

/** A model a deployment can call, with its list prices in USD per 1M tokens. */
export interface PricedModel {
  readonly name: string;
  /** USD per 1M prompt tokens. */
  readonly inputPrice: number;
  /** USD per 1M answer tokens. */
  readonly outputPrice: number;
  /** Predicted answer length in tokens (default DEFAULT_ANSWER_TOKENS). */
  readonly answerTokens?: number;
}

export type SelectionPolicy =
  | { readonly maxQuality: { readonly priceCapUsd: number } }
  | { readonly cheapestWithin: { readonly epsilon: number } }
  | { readonly costWeight: { readonly lambda: number } };

/**
 * Characters per token for the prompt-token estimate: OpenAI's rule of thumb for English text (about 4 characters per
 * token with the GPT tokenizers; Llama's and Mistral's come out within about 20% of it). The router sees text, not
 * the serving model's tokenizer, and a 20% error in prompt tokens moves expected cost far less than the spread of
 * prices between models does.
 */
export const CHARS_PER_TOKEN = 4;

/**
 * Predicted answer tokens when a model names none: a typical chat answer (AlpacaEval's judged answers average about
 * 1,300 characters, some 330 tokens; a chain-of-thought answer to a multiple-choice question is of the same order).
 */
export const DEFAULT_ANSWER_TOKENS = 300;

/** Prompt tokens estimated from characters: ceil(chars / CHARS_PER_TOKEN), at least 1. */
export function estimatePromptTokens(prompt: string): number {
  return Math.max(1, Math.ceil(prompt.length / CHARS_PER_TOKEN));
}

function checkModel(model: PricedModel): void {
  for (const [field, value] of [
    ['inputPrice', model.inputPrice],
    ['outputPrice', model.outputPrice],
    ['answerTokens', model.answerTokens ?? 0],
  ] as const) {
    if (!(Number.isFinite(value) && value >= 0)) {
      throw new InvalidInputError(`Model '${model.name}': ${field} must be a non-negative number, got ${value}.`);
    }
  }
}

/** Checks a deployment's model list once: names unique and non-empty, prices and answer lengths non-negative. */
export function checkPricedModels(models: readonly PricedModel[]): void {
  if (models.length === 0) throw new InvalidInputError('Choosing a model needs at least one model.');
  const seen = new Set<string>();
  for (const model of models) {
    if (typeof model.name !== 'string' || model.name === '') throw new InvalidInputError('Every model needs a name.');
    if (seen.has(model.name)) throw new InvalidInputError(`Model '${model.name}' is listed twice.`);
    seen.add(model.name);
    checkModel(model);
  }
}

/**
 * Expected cost of one request in USD: (prompt tokens x input price + predicted answer tokens x output price) / 1e6,
 * prices in USD per 1M tokens.
 */
export function expectedCostUsd(promptTokens: number, model: PricedModel): number {
  const answerTokens = model.answerTokens ?? DEFAULT_ANSWER_TOKENS;
  return (promptTokens * model.inputPrice + answerTokens * model.outputPrice) / 1e6;
}

/** Expected cost of a prompt on each model, in `models` order. */
export function expectedCosts(prompt: string, models: readonly PricedModel[]): Float64Array {
  const tokens = estimatePromptTokens(prompt);
  return Float64Array.from(models, (model) => expectedCostUsd(tokens, model));
}

export function checkPolicy(policy: SelectionPolicy): void {
  const value = (() => {
    if ('maxQuality' in policy) return ['maxQuality.priceCapUsd', policy.maxQuality?.priceCapUsd] as const;
    if ('cheapestWithin' in policy) return ['cheapestWithin.epsilon', policy.cheapestWithin?.epsilon] as const;
    if ('costWeight' in policy) return ['costWeight.lambda', policy.costWeight?.lambda] as const;
    return undefined;
  })();
  if (value === undefined) {
    throw new InvalidInputError(
      `Unknown policy ${JSON.stringify(policy)}: use { maxQuality: { priceCapUsd } }, { cheapestWithin: { epsilon } } or { costWeight: { lambda } }.`,
    );
  }
  const [field, number] = value;
  if (!(typeof number === 'number' && number >= 0 && !Number.isNaN(number))) {
    throw new InvalidInputError(`Policy ${field} must be a non-negative number, got ${JSON.stringify(number)}.`);
  }
}

/**
 * The index of the model a policy chooses, given each model's predicted quality and expected cost (same order).
 * Ties go to the cheaper model, then the better one, then the earlier one. Under maxQuality, when no model is within
 * the cap, the cheapest model is chosen (the request still gets an answer; the decision says so).
 */
export function chooseModelIndex(
  qualities: ArrayLike<number>,
  costs: ArrayLike<number>,
  policy: SelectionPolicy,
): number {
  const count = qualities.length;
  const better = (candidate: number, best: number, value: (index: number) => number): boolean => {
    const difference = value(candidate) - value(best);
    if (difference !== 0) return difference > 0;
    if (costs[candidate]! !== costs[best]!) return costs[candidate]! < costs[best]!;
    return qualities[candidate]! > qualities[best]!;
  };
  const argmax = (eligible: (index: number) => boolean, value: (index: number) => number): number => {
    let best = -1;
    for (let index = 0; index < count; index++) {
      if (eligible(index) && (best < 0 || better(index, best, value))) best = index;
    }
    return best;
  };
  const quality = (index: number) => qualities[index]!;
  const cheapness = (index: number) => -costs[index]!;
  if ('maxQuality' in policy) {
    const cap = policy.maxQuality.priceCapUsd;
    const within = argmax((index) => costs[index]! <= cap, quality);
    return within >= 0 ? within : argmax(() => true, cheapness);
  }
  if ('cheapestWithin' in policy) {
    const top = qualities[argmax(() => true, quality)]!;
    return argmax((index) => qualities[index]! >= top - policy.cheapestWithin.epsilon, cheapness);
  }
  const lambda = policy.costWeight.lambda;
  // lambda = Infinity means "cheapest": Infinity x 0 would be NaN, so that case is explicit.
  return Number.isFinite(lambda)
    ? argmax(
        () => true,
        (index) => qualities[index]! - lambda * costs[index]!,
      )
    : argmax(() => true, cheapness);
}

/** One model's line in a decision. */
export interface ModelEstimate {
  readonly model: string;
  /** Predicted P(the model answers well), 0..1. */
  readonly quality: number;
  readonly expectedCostUsd: number;
}

/** What was chosen for one prompt, with every model's figures and one line saying why. */
export interface SelectionDecision {
  readonly model: string;
  readonly quality: number;
  readonly expectedCostUsd: number;
  readonly estimates: readonly ModelEstimate[];
  readonly policy: SelectionPolicy;
  readonly why: string;
}

const usd = (value: number) => `$${value < 0.01 ? String(Number(value.toPrecision(2))) : value.toFixed(4)}`;
const pct = (value: number) => `${(value * 100).toFixed(1)}%`;

function explain(estimates: readonly ModelEstimate[], chosen: number, policy: SelectionPolicy): string {
  const pick = estimates[chosen]!;
  const best = estimates.reduce((top, estimate) => (estimate.quality > top.quality ? estimate : top));
  const cheapest = estimates.reduce((low, estimate) =>
    estimate.expectedCostUsd < low.expectedCostUsd ? estimate : low,
  );
  const figures = `${pct(pick.quality)} predicted, ${usd(pick.expectedCostUsd)} expected`;
  if ('maxQuality' in policy) {
    const cap = policy.maxQuality.priceCapUsd;
    if (pick.expectedCostUsd > cap) {
      return `no model is within the ${usd(cap)} cap; ${pick.model} is the cheapest (${figures})`;
    }
    return pick === best
      ? `${pick.model} is predicted best (${figures}) and within the ${usd(cap)} cap`
      : `${pick.model} is predicted best within the ${usd(cap)} cap (${figures}; ${best.model} ${pct(best.quality)} costs ${usd(best.expectedCostUsd)})`;
  }
  if ('cheapestWithin' in policy) {
    const epsilon = policy.cheapestWithin.epsilon;
    return pick === best
      ? `${pick.model} is predicted best (${figures}) and no cheaper model is within ${pct(epsilon)} of it`
      : `${pick.model} is the cheapest within ${pct(epsilon)} of the best (${figures}; ${best.model} ${pct(best.quality)} at ${usd(best.expectedCostUsd)})`;
  }
  const lambda = policy.costWeight.lambda;
  const against = pick === best ? cheapest : best;
  return `${pick.model} has the best quality - ${lambda.toPrecision(3)} x cost (${figures}; ${against.model} ${pct(against.quality)} at ${usd(against.expectedCostUsd)})`;
}

/**
 * The decision a policy makes for one prompt: `qualities` are the predictor's P(answers well) for `models`, in order;
 * costs are each model's expected cost of this prompt (see expectedCosts).
 */
export function selectModel(
  models: readonly PricedModel[],
  qualities: ArrayLike<number>,
  costs: ArrayLike<number>,
  policy: SelectionPolicy,
): SelectionDecision {
  if (qualities.length !== models.length || costs.length !== models.length) {
    throw new InvalidInputError(
      `Got ${qualities.length} qualities and ${costs.length} costs for ${models.length} models.`,
    );
  }
  checkPolicy(policy);
  const estimates = models.map((model, index) => ({
    model: model.name,
    quality: qualities[index]!,
    expectedCostUsd: costs[index]!,
  }));
  const chosen = chooseModelIndex(qualities, costs, policy);
  return { ...estimates[chosen]!, estimates, policy, why: explain(estimates, chosen, policy) };
}

/** Predictions for one calibration prompt: each model's predicted quality and expected cost, in the same order. */
export interface CalibrationPrediction {
  readonly qualities: ArrayLike<number>;
  readonly costs: ArrayLike<number>;
}

/** What a policy does on a calibration set: mean cost per 1,000 requests (USD) and mean predicted quality. */
export function policyOutcome(
  set: readonly CalibrationPrediction[],
  policy: SelectionPolicy,
): { costPer1000Usd: number; meanQuality: number } {
  if (set.length === 0) throw new InvalidInputError('Calibration needs at least one prompt.');
  let cost = 0;
  let quality = 0;
  for (const { qualities, costs } of set) {
    const chosen = chooseModelIndex(qualities, costs, policy);
    cost += costs[chosen]!;
    quality += qualities[chosen]!;
  }
  return { costPer1000Usd: (cost / set.length) * 1000, meanQuality: quality / set.length };
}

/** A target for a calibrated policy: mean cost per 1,000 requests (USD), or mean predicted quality (0..1). */
export type CalibrationTarget = { readonly costPer1000Usd: number } | { readonly meanQuality: number };

export type CalibratedPolicyKind = 'costWeight' | 'cheapestWithin';

const BISECTION_STEPS = 100;

/**
 * The largest lambda (or epsilon) worth trying: beyond it every prompt's choice is already the cheapest model (lambda)
 * or the cheapest of all models (epsilon), so the outcome no longer moves.
 */
function upperBound(set: readonly CalibrationPrediction[], kind: CalibratedPolicyKind): number {
  let bound = 0;
  for (const { qualities, costs } of set) {
    for (let i = 0; i < qualities.length; i++) {
      for (let j = 0; j < qualities.length; j++) {
        const gain = qualities[i]! - qualities[j]!;
        if (gain <= 0) continue;
        if (kind === 'cheapestWithin') bound = Math.max(bound, gain);
        else if (costs[i]! > costs[j]!) bound = Math.max(bound, gain / (costs[i]! - costs[j]!));
      }
    }
  }
  return bound * (1 + 1e-9) + Number.MIN_VALUE;
}

function policyOf(kind: CalibratedPolicyKind, value: number): SelectionPolicy {
  return kind === 'costWeight' ? { costWeight: { lambda: value } } : { cheapestWithin: { epsilon: value } };
}

function checkCalibrationSet(set: readonly CalibrationPrediction[]): void {
  if (set.length === 0) throw new InvalidInputError('Calibration needs at least one prompt.');
  set.forEach(({ qualities, costs }, index) => {
    if (qualities.length === 0 || qualities.length !== costs.length) {
      throw new InvalidInputError(
        `Calibration prompt ${index} has ${qualities.length} qualities and ${costs.length} costs.`,
      );
    }
    for (let model = 0; model < qualities.length; model++) {
      if (!Number.isFinite(qualities[model]) || !Number.isFinite(costs[model])) {
        throw new InvalidInputError(`Calibration prompt ${index}, model ${model}: quality and cost must be finite.`);
      }
    }
  });
}

/**
 * The lambda (costWeight) or epsilon (cheapestWithin) that meets a target on a calibration set, by bisection: both
 * mean cost and mean predicted quality are non-increasing in lambda and in epsilon (a larger lambda or epsilon never
 * picks a dearer model for any prompt), so the set of values meeting the target is an interval and bisection finds its
 * end. For a cost target it returns the smallest value whose mean cost is at most the target (the best quality within
 * the budget); for a quality target, the largest value whose mean predicted quality is at least the target (the
 * cheapest way to reach it). A target no value meets (a budget below the cheapest model's cost, a quality above the
 * best choice's) is an error that says what the set allows.
 */
export function calibratePolicy(
  kind: CalibratedPolicyKind,
  target: CalibrationTarget,
  set: readonly CalibrationPrediction[],
): SelectionPolicy {
  checkCalibrationSet(set);
  const high = upperBound(set, kind);
  const at = (value: number) => policyOutcome(set, policyOf(kind, value));
  const loosest = at(0);
  const tightest = at(high);
  if ('costPer1000Usd' in target) {
    const budget = target.costPer1000Usd;
    if (!(budget >= 0)) throw new InvalidInputError(`A cost target must be a non-negative number, got ${budget}.`);
    if (loosest.costPer1000Usd <= budget) return policyOf(kind, 0);
    if (tightest.costPer1000Usd > budget) {
      throw new InvalidInputError(
        `No ${kind} setting costs at most $${budget} per 1,000 requests on this set: the cheapest costs $${tightest.costPer1000Usd.toPrecision(4)}.`,
      );
    }
    let low = 0;
    let top = high;
    for (let step = 0; step < BISECTION_STEPS; step++) {
      const middle = (low + top) / 2;
      if (at(middle).costPer1000Usd <= budget) top = middle;
      else low = middle;
    }
    return policyOf(kind, top);
  }
  const goal = target.meanQuality;
  if (!(goal >= 0 && goal <= 1)) throw new InvalidInputError(`A quality target must be in [0, 1], got ${goal}.`);
  if (tightest.meanQuality >= goal) return policyOf(kind, high);
  if (loosest.meanQuality < goal) {
    throw new InvalidInputError(
      `No ${kind} setting reaches a mean predicted quality of ${goal} on this set: the best reaches ${loosest.meanQuality.toPrecision(4)}.`,
    );
  }
  let low = 0;
  let top = high;
  for (let step = 0; step < BISECTION_STEPS; step++) {
    const middle = (low + top) / 2;
    if (at(middle).meanQuality >= goal) low = middle;
    else top = middle;
  }
  return policyOf(kind, low);
}

import { InvalidInputError, ModelLoadError } from './errors.ts';
import { solveSymmetricPositiveDefinite } from './linear-algebra.ts';
import { sigmoid } from './logistic.ts';
import type { RouterDefinition, RouterWeights } from './registry.ts';
import type { Embedder, Router } from './router.ts';
import { numberParameter, readLearnedRouterManifest, stringListParameter } from './weights/learned-router-manifest.ts';
import { readTensors, requireProjectedEmbeddings, requireTensor } from './router-tensors.ts';
import { projectedSimilarities, type ProjectedEmbeddings } from './similarity.ts';

export const SW_RANKING_ROUTER = 'sw-ranking';

/**
 * RouteLLM's similarity-weighted ranking: models are grouped into tiers by strength; every training prompt's
 * battles are summarised as tier-vs-tier win and battle counts; for a query, each training prompt is weighted by
 * exp((similarity - best similarity) / temperature) and a Bradley-Terry fit over the tiers on the weighted counts
 * (a few Newton steps on `tiers` numbers, pulled towards the global tier strengths) gives the strong tier's win rate
 * against the weak tier. The paper re-fitted Elo over all battles per request (2.9 requests/s); summarising battles
 * per prompt and tier makes a request one pass over the training prompts plus a tiny solve.
 * Counts are kept only for the tier pairs that ever met in training (`tierPairs`; with AlpacaEval's two baselines
 * and the gold anchors, 21 of the 45 pairs), each once: wins of the lower tier's opponent follow from the battles.
 */
export interface SwRankingModel {
  readonly tiers: number;
  /** The training prompts' embeddings, projected. */
  readonly embeddings: ProjectedEmbeddings;
  /** [pairs, 2]: the two tiers (first < second) of each stored pair. */
  readonly tierPairs: Int32Array;
  /** [prompts, pairs]: soft wins of the pair's first tier over its second on that prompt. */
  readonly wins: Float32Array;
  /** [prompts, pairs]: battles between the pair's two tiers on that prompt. */
  readonly battles: Float32Array;
  /** Global tier strengths (the prior mean of the per-query fit). */
  readonly prior: Float32Array;
  readonly temperature: number;
  /** Precision of the Gaussian prior pulling the per-query strengths towards `prior`. */
  readonly priorPrecision: number;
}

const NEWTON_STEPS = 8;
/** Largest change of a tier strength in one Newton step (log-odds units). */
const MAX_STEP = 2;

/** Bradley-Terry strengths of the tiers from weighted win and battle counts ([tiers, tiers] each), with a Gaussian prior. */
export function solveTierStrengths(
  wins: Float64Array,
  battles: Float64Array,
  prior: ArrayLike<number>,
  priorPrecision: number,
): Float64Array {
  const tiers = prior.length;
  const strength = Float64Array.from(prior);
  for (let step = 0; step < NEWTON_STEPS; step++) {
    const gradient = new Float64Array(tiers);
    const hessian = new Float64Array(tiers * tiers);
    for (let a = 0; a < tiers; a++) {
      gradient[a] = priorPrecision * (strength[a]! - prior[a]!);
      hessian[a * tiers + a] = priorPrecision;
    }
    for (let a = 0; a < tiers; a++) {
      for (let b = a + 1; b < tiers; b++) {
        const count = battles[a * tiers + b]!;
        if (count <= 0) continue;
        const p = sigmoid(strength[a]! - strength[b]!);
        const residual = count * p - wins[a * tiers + b]!;
        const curvature = count * p * (1 - p);
        gradient[a] = gradient[a]! + residual;
        gradient[b] = gradient[b]! - residual;
        hessian[a * tiers + a] = hessian[a * tiers + a]! + curvature;
        hessian[b * tiers + b] = hessian[b * tiers + b]! + curvature;
        hessian[a * tiers + b] = hessian[a * tiers + b]! - curvature;
        hessian[b * tiers + a] = hessian[b * tiers + a]! - curvature;
      }
    }
    const delta = solveSymmetricPositiveDefinite(hessian, gradient);
    let largest = 0;
    for (let a = 0; a < tiers; a++) largest = Math.max(largest, Math.abs(delta[a]!));
    // Damped: where one tier won every weighted battle a full step would overshoot.
    const damping = largest > MAX_STEP ? MAX_STEP / largest : 1;
    for (let a = 0; a < tiers; a++) strength[a] = strength[a]! - damping * delta[a]!;
    if (largest < 1e-6) break;
  }
  return strength;
}

/** Weighted tier counts ([tiers, tiers] each, both halves filled) for one query, from its similarities to every training prompt. */
export function weightedTierCounts(
  model: SwRankingModel,
  similarities: ArrayLike<number>,
): { wins: Float64Array; battles: Float64Array } {
  const pairs = model.tierPairs.length / 2;
  const pairWins = new Float64Array(pairs);
  const pairBattles = new Float64Array(pairs);
  let best = -Infinity;
  for (let i = 0; i < similarities.length; i++) best = Math.max(best, similarities[i]!);
  for (let i = 0; i < similarities.length; i++) {
    const weight = Math.exp((similarities[i]! - best) / model.temperature);
    if (weight < 1e-6) continue;
    const offset = i * pairs;
    for (let pair = 0; pair < pairs; pair++) {
      const count = model.battles[offset + pair]!;
      if (count === 0) continue;
      pairBattles[pair] = pairBattles[pair]! + weight * count;
      pairWins[pair] = pairWins[pair]! + weight * model.wins[offset + pair]!;
    }
  }
  const cells = model.tiers * model.tiers;
  const wins = new Float64Array(cells);
  const battles = new Float64Array(cells);
  for (let pair = 0; pair < pairs; pair++) {
    const first = model.tierPairs[2 * pair]!;
    const second = model.tierPairs[2 * pair + 1]!;
    battles[first * model.tiers + second] = battles[second * model.tiers + first] = pairBattles[pair]!;
    wins[first * model.tiers + second] = pairWins[pair]!;
    wins[second * model.tiers + first] = pairBattles[pair]! - pairWins[pair]!;
  }
  return { wins, battles };
}

/** The strong tier's win rate against the weak tier for a query with these similarities. */
export function swRankingWinRate(
  model: SwRankingModel,
  similarities: ArrayLike<number>,
  strongTier: number,
  weakTier: number,
): number {
  const { wins, battles } = weightedTierCounts(model, similarities);
  const strength = solveTierStrengths(wins, battles, model.prior, model.priorPrecision);
  return sigmoid(strength[strongTier]! - strength[weakTier]!);
}

export interface SwRankingRouterOptions {
  readonly embedder: Embedder;
  readonly model: SwRankingModel;
  /** Tier of every model the router knows, by name. */
  readonly modelTiers: ReadonlyMap<string, number>;
  readonly strong: string;
  readonly weak: string;
}

export function createSwRankingRouter(options: SwRankingRouterOptions): Router {
  const { embedder, model, modelTiers, strong, weak } = options;
  const tierOf = (name: string) => {
    const tier = modelTiers.get(name);
    if (tier === undefined) throw new InvalidInputError(`The sw-ranking router has no tier for model '${name}'.`);
    return tier;
  };
  const strongTier = tierOf(strong);
  const weakTier = tierOf(weak);
  if (strongTier === weakTier)
    throw new InvalidInputError(
      `'${strong}' and '${weak}' are in the same tier (${strongTier}): sw-ranking cannot tell them apart.`,
    );
  if (embedder.dimensions !== model.embeddings.inputDimensions) {
    throw new InvalidInputError(
      `The sw-ranking model projects ${model.embeddings.inputDimensions}-dimensional embeddings, the embedder's have ${embedder.dimensions}.`,
    );
  }
  return {
    name: SW_RANKING_ROUTER,
    async score(prompts, scoreOptions) {
      const embeddings = await embedder.embed(prompts, scoreOptions);
      return projectedSimilarities(embeddings, model.embeddings).map((similarities) =>
        swRankingWinRate(model, similarities, strongTier, weakTier),
      );
    },
  };
}

export function swRankingModelFromWeights(
  embedder: Embedder,
  weights: RouterWeights,
): Omit<SwRankingRouterOptions, 'embedder'> {
  const manifest = readLearnedRouterManifest(weights, SW_RANKING_ROUTER, embedder);
  const where = `Router '${SW_RANKING_ROUTER}' weights`;
  const tensors = readTensors(weights, where);
  const tiers = numberParameter(manifest, 'tiers', (value) => Number.isInteger(value) && value >= 2);
  const models = stringListParameter(manifest, 'models');
  const tierTensor = requireTensor(tensors, 'modelTiers', [models.length], where);
  const embeddings = requireProjectedEmbeddings(tensors, embedder.dimensions, where);
  const prompts = embeddings.rows.length / embeddings.dimensions;
  const tierPairs = Int32Array.from(requireTensor(tensors, 'tierPairs', [-1, 2], where).data);
  for (let pair = 0; pair < tierPairs.length / 2; pair++) {
    const first = tierPairs[2 * pair]!;
    const second = tierPairs[2 * pair + 1]!;
    if (!(first >= 0 && first < second && second < tiers))
      throw new ModelLoadError(
        `${where}: tier pair ${pair} is [${first}, ${second}]; pairs need two tiers 0 <= first < second < ${tiers}.`,
      );
  }
  const pairs = tierPairs.length / 2;
  const pair = manifest.parameters['defaultPair'] as { strong?: unknown; weak?: unknown } | undefined;
  if (typeof pair?.strong !== 'string' || typeof pair.weak !== 'string')
    throw new ModelLoadError(`${where}: parameter 'defaultPair' must name a strong and a weak model.`);
  return {
    strong: pair.strong,
    weak: pair.weak,
    modelTiers: new Map(models.map((model, index) => [model, tierTensor.data[index]!])),
    model: {
      tiers,
      embeddings,
      tierPairs,
      wins: requireTensor(tensors, 'wins', [prompts, pairs], where).data,
      battles: requireTensor(tensors, 'battles', [prompts, pairs], where).data,
      prior: requireTensor(tensors, 'prior', [tiers], where).data,
      temperature: numberParameter(manifest, 'temperature', (value) => value > 0),
      priorPrecision: numberParameter(manifest, 'priorPrecision', (value) => value > 0),
    },
  };
}

export const swRankingRouterDefinition: RouterDefinition = {
  name: SW_RANKING_ROUTER,
  description:
    'Similarity-weighted Bradley-Terry over model tiers (RouteLLM), solved per prompt in a few Newton steps.',
  requires: ['embedder', 'weights'],
  create(context) {
    return createSwRankingRouter({
      embedder: context.embedder!,
      ...swRankingModelFromWeights(context.embedder!, context.weights!),
    });
  },
};

import { InvalidInputError, ModelLoadError } from './errors.ts';
import { sigmoid } from './logistic.ts';
import { topK } from './nearest-neighbours.ts';
import { promptFeatures } from './prompt-features.ts';
import type { RouterDefinition } from './registry.ts';
import type { Embedder, Router } from './router.ts';
import { numberParameter, readLearnedRouterManifest, stringListParameter } from './weights/learned-router-manifest.ts';
import { readTensors, requireProjectedEmbeddings, requireTensor } from './router-tensors.ts';
import { projectedSimilarities, type ProjectedEmbeddings } from './similarity.ts';

export const KNN_GAIN_ROUTER = 'knn-gain';

/**
 * The `knn-gain` router: how much better the strong model is expected to answer a prompt.
 * - Which kind of task: the mean quality gain (strong minus weak, in [-1, 1]) of the k nearest gold-labelled
 *   training prompts.
 * - How hard within its kind: the prompt's length as a z-score, either against its `neighbourhood` nearest
 *   training prompts (local: "long for a question like this") or against all training prompts (global), with a
 *   weight per task family. The weights are chosen per family by cross-validation on that family's training labels,
 *   and a prompt uses the mix of its neighbours' families, so a difficulty term only acts where the training data of
 *   that kind of task showed it helps.
 *   gain  = prior + sum_f share_f * (localWeight_f * localZ + globalWeight_f * globalZ)
 *   score = sigmoid(2 * gain)
 */
export interface KnnGainModel {
  /**
   * The training prompts' embeddings, projected: first the gold-labelled rows (one per entry of `gains`), then rows
   * that only inform difficulty (prompts without a pair label).
   */
  readonly embeddings: ProjectedEmbeddings;
  /** Quality gain of each labelled row. */
  readonly gains: Float32Array;
  /** ln(1 + chars) of each row. */
  readonly logChars: Float32Array;
  /** Task family index of each row (into `families`). */
  readonly family: Float32Array;
  readonly families: readonly string[];
  readonly localWeight: Float32Array;
  readonly globalWeight: Float32Array;
  /** Mean and standard deviation of ln chars over all rows (the global z). */
  readonly lengthMean: number;
  readonly lengthScale: number;
  /** Labelled neighbours averaged for the prior. */
  readonly k: number;
  /** Neighbours (any row) for the local length statistics and the family mix. */
  readonly neighbourhood: number;
}

/** Keeps the within-neighbourhood length z finite when neighbours are all about as long (0.1 in ln units). */
export const LENGTH_SPREAD_FLOOR = 0.1;

/** Mean gain of the given labelled rows (the k nearest). */
export function priorGain(gains: Float32Array, nearest: ArrayLike<number>): number {
  let sum = 0;
  for (let rank = 0; rank < nearest.length; rank++) sum += gains[nearest[rank]!]!;
  return sum / nearest.length;
}

/** The difficulty adjustment from a prompt's neighbourhood (row indices, most similar first). */
export function difficultyAdjustment(
  model: KnnGainModel,
  neighbourhood: ArrayLike<number>,
  promptLogChars: number,
): number {
  const count = neighbourhood.length;
  let lengthSum = 0;
  let lengthSquares = 0;
  let localWeight = 0;
  let globalWeight = 0;
  for (let rank = 0; rank < count; rank++) {
    const row = neighbourhood[rank]!;
    const family = model.family[row]!;
    lengthSum += model.logChars[row]!;
    lengthSquares += model.logChars[row]! ** 2;
    localWeight += model.localWeight[family]! / count;
    globalWeight += model.globalWeight[family]! / count;
  }
  const mean = lengthSum / count;
  const spread = Math.sqrt(Math.max(0, lengthSquares / count - mean * mean));
  const localZ = (promptLogChars - mean) / (spread + LENGTH_SPREAD_FLOOR);
  const globalZ = (promptLogChars - model.lengthMean) / model.lengthScale;
  return localWeight * localZ + globalWeight * globalZ;
}

/**
 * The score for a gain estimate: sigmoid(2 * gain), which is 0.5 + gain / 2 near a tie (a gain of g means the
 * strong model wins about g more often than it loses) and stays strictly increasing for estimates beyond [-1, 1],
 * which the length terms can produce: a clamp would tie all of them and lose their order.
 */
export function gainToScore(gain: number): number {
  return sigmoid(2 * gain);
}

/** The gain estimate for a prompt from its similarities to every row. */
export function knnGain(model: KnnGainModel, similarities: Float32Array, prompt: string): number {
  const prior = priorGain(model.gains, topK(similarities.subarray(0, model.gains.length), model.k));
  return prior + difficultyAdjustment(model, topK(similarities, model.neighbourhood), promptFeatures(prompt)[0]!);
}

export function createKnnGainRouter(options: { embedder: Embedder; model: KnnGainModel }): Router {
  const { embedder, model } = options;
  if (embedder.dimensions !== model.embeddings.inputDimensions) {
    throw new InvalidInputError(
      `The knn-gain model projects ${model.embeddings.inputDimensions}-dimensional embeddings, the embedder's have ${embedder.dimensions}.`,
    );
  }
  return {
    name: KNN_GAIN_ROUTER,
    async score(prompts, options) {
      const embeddings = await embedder.embed(prompts, options);
      const similarities = projectedSimilarities(embeddings, model.embeddings);
      return prompts.map((prompt, index) => gainToScore(knnGain(model, similarities[index]!, prompt)));
    },
  };
}

export const knnGainRouterDefinition: RouterDefinition = {
  name: KNN_GAIN_ROUTER,
  description:
    'Expected quality gain from the nearest gold-labelled prompts, plus a per-family length term chosen by cross-validation.',
  requires: ['embedder', 'weights'],
  create(context) {
    const embedder = context.embedder!;
    const weights = context.weights!;
    const manifest = readLearnedRouterManifest(weights, KNN_GAIN_ROUTER, embedder);
    const where = `Router '${KNN_GAIN_ROUTER}' weights`;
    const tensors = readTensors(weights, where);
    const embeddings = requireProjectedEmbeddings(tensors, embedder.dimensions, where);
    const rows = embeddings.rows.length / embeddings.dimensions;
    const families = stringListParameter(manifest, 'families');
    if (tensors.get('gains')?.shape[0] === 0 || (tensors.get('gains')?.shape[0] ?? 0) > rows) {
      throw new ModelLoadError(`${where}: tensor 'gains' must label between 1 and ${rows} rows.`);
    }
    const family = requireTensor(tensors, 'family', [rows], where).data;
    if (family.some((value) => !(Number.isInteger(value) && value >= 0 && value < families.length))) {
      throw new ModelLoadError(`${where}: tensor 'family' holds an index outside the ${families.length} families.`);
    }
    return createKnnGainRouter({
      embedder,
      model: {
        embeddings,
        gains: requireTensor(tensors, 'gains', [-1], where).data,
        logChars: requireTensor(tensors, 'logChars', [rows], where).data,
        family,
        families,
        localWeight: requireTensor(tensors, 'localWeight', [families.length], where).data,
        globalWeight: requireTensor(tensors, 'globalWeight', [families.length], where).data,
        lengthMean: numberParameter(manifest, 'lengthMean'),
        lengthScale: numberParameter(manifest, 'lengthScale', (value) => value > 0),
        k: numberParameter(manifest, 'k', (value) => Number.isInteger(value) && value >= 1),
        neighbourhood: numberParameter(manifest, 'neighbourhood', (value) => Number.isInteger(value) && value >= 1),
      },
    });
  },
};

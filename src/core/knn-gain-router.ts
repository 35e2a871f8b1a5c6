import { InvalidInputError } from './errors.ts';
import { topK } from './nearest-neighbours.ts';
import { promptFeatures } from './prompt-features.ts';
import type { RouterDefinition } from './registry.ts';
import type { Embedder, Router } from './router.ts';
import { numberParameter, readLearnedRouterManifest } from './router-manifest.ts';
import { readTensors, requireTensor } from './router-tensors.ts';
import { dotRowsMany } from './similarity.ts';

export const KNN_GAIN_ROUTER = 'knn-gain';

/**
 * The `knn-gain` router: how much better the strong model is expected to answer a prompt, estimated from the
 * nearest labelled training prompts (which kind of task it is), nudged by how long the prompt is compared with
 * those neighbours (how hard it is within its kind).
 *   gain  = mean over the k nearest training prompts of their quality gain (strong minus weak, in [-1, 1])
 *         + lengthWeight * (ln chars - mean ln chars of the neighbours) / (sd of it + LENGTH_SPREAD_FLOOR)
 *   score = (1 + clamp(gain, -1, 1)) / 2
 */
export interface KnnGainModel {
  readonly dimensions: number;
  /** Unit-length embeddings of the training prompts, row-major [n, dimensions]. */
  readonly embeddings: Float32Array;
  /** Quality gain of each training prompt. */
  readonly gains: Float32Array;
  /** ln(1 + chars) of each training prompt. */
  readonly logChars: Float32Array;
  readonly k: number;
  readonly lengthWeight: number;
}

/** Keeps the within-neighbourhood length z finite when neighbours are all about as long (0.1 in ln units). */
export const LENGTH_SPREAD_FLOOR = 0.1;

/**
 * The gain estimate from a prompt's neighbours, most similar first (at least k of them; the first k are used):
 * shared by routing and by cross-validation, which computes neighbour lists once for many settings.
 */
export function neighbourhoodGain(
  model: Pick<KnnGainModel, 'gains' | 'logChars' | 'k' | 'lengthWeight'>,
  neighbours: ArrayLike<number>,
  promptLogChars: number,
): number {
  const count = Math.min(model.k, neighbours.length);
  let gain = 0;
  let lengthSum = 0;
  let lengthSquares = 0;
  for (let rank = 0; rank < count; rank++) {
    const index = neighbours[rank]!;
    gain += model.gains[index]!;
    lengthSum += model.logChars[index]!;
    lengthSquares += model.logChars[index]! ** 2;
  }
  gain /= count;
  if (model.lengthWeight !== 0) {
    const mean = lengthSum / count;
    const spread = Math.sqrt(Math.max(0, lengthSquares / count - mean * mean));
    gain += (model.lengthWeight * (promptLogChars - mean)) / (spread + LENGTH_SPREAD_FLOOR);
  }
  return gain;
}

export function gainToScore(gain: number): number {
  return (1 + Math.min(1, Math.max(-1, gain))) / 2;
}

export function createKnnGainRouter(options: { embedder: Embedder; model: KnnGainModel }): Router {
  const { embedder, model } = options;
  if (embedder.dimensions !== model.dimensions) {
    throw new InvalidInputError(`The knn-gain model has ${model.dimensions} dimensions, the embedder ${embedder.dimensions}.`);
  }
  return {
    name: KNN_GAIN_ROUTER,
    async score(prompts, options) {
      const embeddings = await embedder.embed(prompts, options);
      const similarities = dotRowsMany(embeddings, model.embeddings, model.dimensions);
      return prompts.map((prompt, index) => gainToScore(neighbourhoodGain(model, topK(similarities[index]!, model.k), promptFeatures(prompt)[0]!)));
    },
  };
}

export const knnGainRouterDefinition: RouterDefinition = {
  name: KNN_GAIN_ROUTER,
  description: 'Expected quality gain of the strong model from the nearest gold-labelled training prompts, adjusted by relative length.',
  requires: ['embedder', 'weights'],
  create(context) {
    const embedder = context.embedder!;
    const weights = context.weights!;
    const manifest = readLearnedRouterManifest(weights, KNN_GAIN_ROUTER, embedder);
    const where = `Router '${KNN_GAIN_ROUTER}' weights`;
    const tensors = readTensors(weights, where);
    const embeddings = requireTensor(tensors, 'embeddings', [-1, embedder.dimensions], where);
    const rows = embeddings.shape[0]!;
    return createKnnGainRouter({
      embedder,
      model: {
        dimensions: embedder.dimensions,
        embeddings: embeddings.data,
        gains: requireTensor(tensors, 'gains', [rows], where).data,
        logChars: requireTensor(tensors, 'logChars', [rows], where).data,
        k: numberParameter(manifest, 'k', (value) => Number.isInteger(value) && value >= 1),
        lengthWeight: numberParameter(manifest, 'lengthWeight'),
      },
    });
  },
};

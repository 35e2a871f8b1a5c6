import { InvalidInputError, ModelLoadError } from './errors.ts';
import { sigmoid } from './logistic.ts';
import { PROMPT_FEATURE_COUNT, promptFeatures } from './prompt-features.ts';
import type { RouterDefinition } from './registry.ts';
import type { Embedder, Router } from './router.ts';
import { numberParameter, readLearnedRouterManifest, stringListParameter } from './weights/learned-router-manifest.ts';
import { readTensors, requireTensor } from './router-tensors.ts';

export const MF_ROUTER = 'mf';

/**
 * RouteLLM's matrix-factorisation router: every model m has an embedding v_m, a prompt is projected to W1 x(p),
 * and score(m, p) = w2 . (v_m / |v_m| * W1 x(p)); the strong model's win rate is
 * sigmoid(score(strong, p) - score(weak, p)). x(p) is the sentence embedding followed by standardised prompt
 * statistics (PROMPT_FEATURE_NAMES), which the paper's MF did not have. The pair is chosen at inference from the
 * models the router was trained on, and changing it changes the prediction (RouteLLM's MF ignored it).
 */
export interface MfModel {
  /** Names of the models, in row order of `modelEmbeddings`. */
  readonly models: readonly string[];
  /** [models, rank], unnormalised (normalised on use, as in training). */
  readonly modelEmbeddings: Float32Array;
  /** [rank, inputs]: inputs = embedding dimensions + PROMPT_FEATURE_COUNT. */
  readonly projection: Float32Array;
  /** [rank]. */
  readonly classifier: Float32Array;
  readonly rank: number;
  readonly embeddingDimensions: number;
  /** Standardisation of the prompt features: (feature - mean) / scale. */
  readonly featureMean: Float32Array;
  readonly featureScale: Float32Array;
}

export function mfInputs(
  model: Pick<MfModel, 'embeddingDimensions' | 'featureMean' | 'featureScale'>,
  embedding: ArrayLike<number>,
  prompt: string,
): Float32Array {
  const inputs = new Float32Array(model.embeddingDimensions + PROMPT_FEATURE_COUNT);
  inputs.set(embedding);
  const features = promptFeatures(prompt);
  for (let f = 0; f < PROMPT_FEATURE_COUNT; f++) {
    inputs[model.embeddingDimensions + f] = (features[f]! - model.featureMean[f]!) / model.featureScale[f]!;
  }
  return inputs;
}

/** W1 x: the prompt's projection. */
export function mfProjectPrompt(model: MfModel, inputs: Float32Array): Float32Array {
  const width = inputs.length;
  const projected = new Float32Array(model.rank);
  for (let r = 0; r < model.rank; r++) {
    let sum = 0;
    const offset = r * width;
    for (let i = 0; i < width; i++) sum += model.projection[offset + i]! * inputs[i]!;
    projected[r] = sum;
  }
  return projected;
}

/** score(m, p) for a model row and a projected prompt. */
export function mfModelScore(model: MfModel, modelRow: number, projected: Float32Array): number {
  let norm = 0;
  for (let r = 0; r < model.rank; r++) norm += model.modelEmbeddings[modelRow * model.rank + r]! ** 2;
  norm = Math.sqrt(norm) || 1;
  let score = 0;
  for (let r = 0; r < model.rank; r++)
    score += (model.classifier[r]! * model.modelEmbeddings[modelRow * model.rank + r]! * projected[r]!) / norm;
  return score;
}

export interface MfRouterOptions {
  readonly embedder: Embedder;
  readonly model: MfModel;
  /** Names from model.models. */
  readonly strong: string;
  readonly weak: string;
}

export function createMfRouter(options: MfRouterOptions): Router {
  const { embedder, model, strong, weak } = options;
  const row = (name: string) => {
    const index = model.models.indexOf(name);
    if (index < 0)
      throw new InvalidInputError(
        `The mf router was not trained on model '${name}'. Its models: ${model.models.join(', ')}.`,
      );
    return index;
  };
  const strongRow = row(strong);
  const weakRow = row(weak);
  if (strongRow === weakRow) throw new InvalidInputError('The strong and the weak model must differ.');
  if (embedder.dimensions !== model.embeddingDimensions) {
    throw new InvalidInputError(
      `The mf model expects ${model.embeddingDimensions}-dimensional embeddings, the embedder gives ${embedder.dimensions}.`,
    );
  }
  return {
    name: MF_ROUTER,
    async score(prompts, scoreOptions) {
      const embeddings = await embedder.embed(prompts, scoreOptions);
      return prompts.map((prompt, index) => {
        const projected = mfProjectPrompt(model, mfInputs(model, embeddings[index]!, prompt));
        return sigmoid(mfModelScore(model, strongRow, projected) - mfModelScore(model, weakRow, projected));
      });
    },
  };
}

export function mfModelFromWeights(context: { embedder: Embedder; weights: Parameters<typeof readTensors>[0] }): {
  model: MfModel;
  strong: string;
  weak: string;
} {
  const { embedder, weights } = context;
  const manifest = readLearnedRouterManifest(weights, MF_ROUTER, embedder);
  const where = `Router '${MF_ROUTER}' weights`;
  const models = stringListParameter(manifest, 'models');
  const rank = numberParameter(manifest, 'rank', (value) => Number.isInteger(value) && value > 0);
  const tensors = readTensors(weights, where);
  const inputs = embedder.dimensions + PROMPT_FEATURE_COUNT;
  const pair = manifest.parameters['defaultPair'] as { strong?: unknown; weak?: unknown } | undefined;
  if (typeof pair?.strong !== 'string' || typeof pair.weak !== 'string')
    throw new ModelLoadError(`${where}: parameter 'defaultPair' must name a strong and a weak model.`);
  return {
    strong: pair.strong,
    weak: pair.weak,
    model: {
      models,
      rank,
      embeddingDimensions: embedder.dimensions,
      modelEmbeddings: requireTensor(tensors, 'modelEmbeddings', [models.length, rank], where).data,
      projection: requireTensor(tensors, 'projection', [rank, inputs], where).data,
      classifier: requireTensor(tensors, 'classifier', [rank], where).data,
      featureMean: requireTensor(tensors, 'featureMean', [PROMPT_FEATURE_COUNT], where).data,
      featureScale: requireTensor(tensors, 'featureScale', [PROMPT_FEATURE_COUNT], where).data,
    },
  };
}

export const mfRouterDefinition: RouterDefinition = {
  name: MF_ROUTER,
  description:
    'Matrix factorisation over many models (RouteLLM), with prompt statistics; the model pair is chosen at inference.',
  requires: ['embedder', 'weights'],
  create(context) {
    const { model, strong, weak } = mfModelFromWeights({ embedder: context.embedder!, weights: context.weights! });
    return createMfRouter({ embedder: context.embedder!, model, strong, weak });
  },
};

import path from 'node:path';
import { scorePrompts } from '../core/index.ts';
import type { RouterContext, RouterDefinition, RouterRequirement, RouterWeights } from '../core/index.ts';
import { defaultRegistry } from '../core/index.ts';
import { type CausalLmScorerOptions, createCausalLmScorer, type LoadedLabelScorer } from '../encoder/index.ts';
import { createTextClassifier, type LoadedTextClassifier } from '../encoder/index.ts';
import { createProgressBar } from './progress.ts';
import { createRouterEmbedder, type RouterEmbedder } from './router-embedder.ts';
import { DEFAULT_ROUTERS_DIR, readRouterFolder } from './router-weights.ts';

/** What the CLIs hand to routers: the encoder (only loaded when a router needs one) and each router's own weights. */
export interface RouterResources {
  readonly context: RouterContext;
  /** Reads `<routersDir>/<router>/` (manifest.json and weight files). */
  readonly weightsFor: (router: string) => Promise<RouterWeights>;
  readonly embedder?: RouterEmbedder;
  dispose(): Promise<void>;
}

export interface RouterResourceOptions {
  readonly routersDir?: string;
  readonly seed?: number;
  /** The causal LM of `causal-llm` (default: createCausalLmScorer's Hub model, which needs allowRemoteModels). */
  readonly causalLm?: CausalLmScorerOptions;
}

/**
 * Loads what these routers require, each once: the router encoder behind the embedding cache, the classifier
 * model (public/models/routellm-classifier), the causal LM, and a weights reader for the folder where trained
 * routers live (default public/routers).
 */
export async function loadRouterResources(
  definitions: readonly RouterDefinition[],
  options: RouterResourceOptions = {},
): Promise<RouterResources> {
  const routersDir = options.routersDir ?? DEFAULT_ROUTERS_DIR;
  const needs = (requirement: RouterRequirement) =>
    definitions.some((definition) => definition.requires.includes(requirement));
  let embedder: RouterEmbedder | undefined;
  let textClassifier: LoadedTextClassifier | undefined;
  let labelScorer: LoadedLabelScorer | undefined;
  const dispose = async () => {
    await Promise.all([embedder?.dispose(), textClassifier?.dispose(), labelScorer?.dispose()]);
  };
  try {
    if (needs('embedder')) embedder = await createRouterEmbedder();
    if (needs('textClassifier')) textClassifier = await createTextClassifier();
    if (needs('labelScorer')) labelScorer = await createCausalLmScorer(options.causalLm);
  } catch (error) {
    await dispose();
    throw error;
  }
  return {
    context: {
      ...(embedder ? { embedder } : {}),
      ...(textClassifier ? { textClassifier } : {}),
      ...(labelScorer ? { labelScorer } : {}),
      ...(options.seed === undefined ? {} : { seed: options.seed }),
    },
    weightsFor: (router) => readRouterFolder(path.join(routersDir, router)),
    ...(embedder ? { embedder } : {}),
    dispose,
  };
}

/**
 * Scores prompts with one router, standalone (no benchmark maxLength): loads what it requires, shows a progress bar
 * on `progressOut`, and releases the models afterwards. The score and calibrate commands share it.
 */
export async function scoreWithRouter(
  definition: RouterDefinition,
  prompts: readonly string[],
  options: RouterResourceOptions,
  progressOut: Parameters<typeof createProgressBar>[1],
): Promise<number[]> {
  const resources = await loadRouterResources([definition], options);
  const bar = createProgressBar(`scoring ${definition.name}`, progressOut);
  try {
    const weights = definition.requires.includes('weights')
      ? { weights: await resources.weightsFor(definition.name) }
      : {};
    const router = await defaultRegistry.create(definition.name, { ...resources.context, ...weights });
    return await scorePrompts(router, prompts, { onProgress: (done, total) => bar.update(done, total) });
  } finally {
    bar.finish();
    await resources.dispose();
  }
}

import path from 'node:path';
import type { RouterContext, RouterDefinition, RouterRequirement, RouterWeights } from '../core/registry.ts';
import { type CausalLmScorerOptions, createCausalLmScorer, type LoadedLabelScorer } from '../encoder/causal-lm-scorer.ts';
import { createTextClassifier, type LoadedTextClassifier } from '../encoder/text-classifier.ts';
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
export async function loadRouterResources(definitions: readonly RouterDefinition[], options: RouterResourceOptions = {}): Promise<RouterResources> {
  const routersDir = options.routersDir ?? DEFAULT_ROUTERS_DIR;
  const needs = (requirement: RouterRequirement) => definitions.some((definition) => definition.requires.includes(requirement));
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

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  InvalidInputError,
  MANIFEST_FILE,
  scorePrompts,
  type RouterContext,
  type RouterDefinition,
  type RouterRequirement,
  type RouterWeights,
  defaultRegistry,
} from '../core/index.ts';
import {
  type CausalLmScorerOptions,
  createCausalLmScorer,
  type LoadedLabelScorer,
  createTextClassifier,
  type LoadedTextClassifier,
} from '../encoder/index.ts';
import { buildClassifierModel, DEFAULT_CLASSIFIER_HEAD_DIR } from './onnx/classifier/build-classifier-model.ts';
import { PROJECT_ROOT } from './paths.ts';
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
  /** Trained router folders by router name (`--weights DIR`): used instead of `<routersDir>/<router>/`. */
  readonly weightsDirs?: ReadonlyMap<string, string>;
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
  const folderOf = (router: string) => options.weightsDirs?.get(router) ?? path.join(routersDir, router);
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
    if (needs('textClassifier'))
      textClassifier = await createTextClassifier(await classifierModelFor(folderOf('classifier')));
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
    weightsFor: (router) => readRouterFolder(folderOf(router)),
    ...(embedder ? { embedder } : {}),
    dispose,
  };
}

/** Classifier models built from heads other than the committed one, one folder per head (git-ignored). */
const CLASSIFIER_MODELS_CACHE_DIR = path.join(PROJECT_ROOT, '.cache', 'classifier-models');

/**
 * The classifier model of a head folder: the default model for the committed head, else one built from that head
 * (once; rebuilt when the head changes), so a trained classifier folder loads by path like the other routers.
 */
async function classifierModelFor(headDir: string): Promise<{ model?: string }> {
  if (path.resolve(headDir) === DEFAULT_CLASSIFIER_HEAD_DIR) return {};
  const outDir = path.join(CLASSIFIER_MODELS_CACHE_DIR, path.resolve(headDir).replaceAll(/[^A-Za-z0-9._-]+/g, '_'));
  await buildClassifierModel({ headDir, outDir });
  return { model: outDir };
}

/**
 * The router each trained folder holds (its manifest's `router`), for `--weights DIR`: a map from router name to
 * folder. Two folders of one router cannot be told apart in one run, so that is an error.
 */
export async function weightsFolders(folders: readonly string[]): Promise<Map<string, string>> {
  const byRouter = new Map<string, string>();
  for (const folder of folders.map((entry) => path.resolve(entry))) {
    let manifest: unknown;
    try {
      manifest = JSON.parse(await readFile(path.join(folder, MANIFEST_FILE), 'utf8'));
    } catch (error) {
      const missing =
        (error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR';
      throw new InvalidInputError(
        `--weights ${folder}: ${missing ? `no ${MANIFEST_FILE} there (a folder written by npm run train)` : `its ${MANIFEST_FILE} is not valid JSON`}.`,
        { cause: error },
      );
    }
    const router = (manifest as { router?: unknown }).router;
    if (typeof router !== 'string' || !defaultRegistry.names().includes(router)) {
      throw new InvalidInputError(
        `--weights ${folder}: its ${MANIFEST_FILE} names no known router (${JSON.stringify(router)}; known: ${defaultRegistry.names().join(', ')}).`,
      );
    }
    if (byRouter.has(router))
      throw new InvalidInputError(
        `--weights: ${byRouter.get(router)} and ${folder} are both '${router}' routers; evaluate them in separate runs.`,
      );
    byRouter.set(router, folder);
  }
  return byRouter;
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

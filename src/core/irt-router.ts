import { InvalidInputError, ModelLoadError } from './errors.ts';
import { gainToScore } from './knn-gain-router.ts';
import { sigmoid } from './logistic.ts';
import type { ModelQualityPredictor } from './model-quality.ts';
import { placeByLabels, placeByScores, type ReferenceSets } from './model-placement.ts';
import { PROMPT_FEATURE_COUNT, promptFeatures } from './prompt-features.ts';
import type { RouterDefinition } from './registry.ts';
import type { Embedder, Router, ScoreOptions } from './router.ts';
import { readTensors, requireTensor, type Tensor } from './router-tensors.ts';
import { projectRows } from './similarity.ts';
import { numberParameter, readLearnedRouterManifest, stringListParameter } from './weights/learned-router-manifest.ts';

export const IRT_ROUTER = 'irt';

/**
 * The `irt` router: one item-response model of every label we have (gold correctness, pass rates, judged and human
 * battles) over every model those labels name, in the spirit of IRT-Router and EmbedLLM.
 * - Each prompt is a vector x: its embedding on the training prompts' principal axes, its standardised prompt
 *   statistics (prompt-features.ts) and a constant.
 * - Each prompt has a difficulty b = d . x and a demand vector z = D x (what kind of skill it asks for).
 * - Each model has an ability a_m and a skill vector s_m: P(m answers p well) = sigmoid(a_m + s_m . z - b).
 * The two-model score starts from the strong model's expected gain g = P(strong) - P(weak), then, per task family f
 * (weighted by the family's share of the prompt as a family classifier on x sees it), shrinks g towards the family's
 * mean gain and adds a length term:
 *   gain  = sum_f P(f | x) * (familyGain_f + gainShrink_f * (g - familyGain_f) + lengthWeight_f * lengthZ_f)
 *   score = sigmoid(2 * gain)
 * Both per-family settings are chosen by cross-validation on the family's training labels: across families the
 * model's gain tells a math question from small talk, but inside one family its prompt-by-prompt differences can be
 * noise, and a longer prompt is often the harder one there.
 */
export interface IrtModel {
  /** Row-major [inputDimensions, components]: embedding -> principal axes. */
  readonly projection: Float32Array;
  readonly inputDimensions: number;
  readonly components: number;
  /** Standardisation of the prompt statistics (PROMPT_FEATURE_COUNT each). */
  readonly featureMean: Float32Array;
  readonly featureScale: Float32Array;
  /**
   * Row-major [1 + skills, inputs] with inputs = components + PROMPT_FEATURE_COUNT + 1: row 0 the difficulty
   * weights, rows 1.. the demand weights.
   */
  readonly promptWeights: Float32Array;
  readonly skills: number;
  readonly models: readonly string[];
  /** Row-major [models, 1 + skills]: ability, then the skill vector. */
  readonly modelWeights: Float32Array;
  /** Indices into `models` of the deployment pair the two-model score is for. */
  readonly strong: number;
  readonly weak: number;
  readonly families: readonly string[];
  /** Row-major [families, inputs]: a softmax classifier of the task family on x. */
  readonly familyWeights: Float32Array;
  /** Mean gain g over each family's training prompts, and how much of a prompt's own deviation from it is kept. */
  readonly familyGain: Float32Array;
  readonly gainShrink: Float32Array;
  readonly lengthMean: Float32Array;
  readonly lengthScale: Float32Array;
  readonly lengthWeight: Float32Array;
  /** Reference sets for placing a model by its published scores (see model-placement.ts); none: no such placement. */
  readonly references?: ReferenceSets;
}

/** Inputs of the prompt model: principal components, prompt statistics, a constant. */
export function irtInputCount(components: number): number {
  return components + PROMPT_FEATURE_COUNT + 1;
}

/** What the model sees of each prompt: x for each (embedding, text). */
export function irtInputs(
  model: Pick<IrtModel, 'projection' | 'inputDimensions' | 'components' | 'featureMean' | 'featureScale'>,
  embeddings: readonly ArrayLike<number>[],
  prompts: readonly string[],
): Float32Array[] {
  const projected = projectRows(embeddings, model.projection, model.inputDimensions, model.components);
  const features = new Float64Array(PROMPT_FEATURE_COUNT);
  return projected.map((components, index) => {
    const x = new Float32Array(irtInputCount(model.components));
    x.set(components);
    promptFeatures(prompts[index]!, features);
    for (let feature = 0; feature < PROMPT_FEATURE_COUNT; feature++)
      x[model.components + feature] = (features[feature]! - model.featureMean[feature]!) / model.featureScale[feature]!;
    x[x.length - 1] = 1;
    return x;
  });
}

/** Row `row` of a row-major matrix times x. */
function rowDot(matrix: Float32Array, row: number, x: Float32Array): number {
  let sum = 0;
  const offset = row * x.length;
  for (let column = 0; column < x.length; column++) sum += matrix[offset + column]! * x[column]!;
  return sum;
}

/** The prompt's difficulty and demand vector: [b, z_1, ..., z_skills]. */
export function promptTraits(model: Pick<IrtModel, 'promptWeights' | 'skills'>, x: Float32Array): Float64Array {
  const traits = new Float64Array(1 + model.skills);
  for (let row = 0; row <= model.skills; row++) traits[row] = rowDot(model.promptWeights, row, x);
  return traits;
}

/** logit P(model answers well) from the prompt's traits: a_m + s_m . z - b. */
export function modelLogit(model: Pick<IrtModel, 'modelWeights' | 'skills'>, m: number, traits: Float64Array): number {
  const offset = m * (1 + model.skills);
  let logit = model.modelWeights[offset]! - traits[0]!;
  for (let skill = 1; skill <= model.skills; skill++) logit += model.modelWeights[offset + skill]! * traits[skill]!;
  return logit;
}

/** The family classifier's probabilities for x. */
export function familyShares(model: Pick<IrtModel, 'familyWeights' | 'families'>, x: Float32Array): Float64Array {
  const shares = Float64Array.from(model.families, (_, family) => rowDot(model.familyWeights, family, x));
  const top = Math.max(...shares);
  let total = 0;
  for (let family = 0; family < shares.length; family++) {
    shares[family] = Math.exp(shares[family]! - top);
    total += shares[family]!;
  }
  for (let family = 0; family < shares.length; family++) shares[family] = shares[family]! / total;
  return shares;
}

/** The pair gain after each family's shrinkage and length term, mixed by the family shares. */
export function familyAdjustedGain(
  model: Pick<IrtModel, 'familyGain' | 'gainShrink' | 'lengthMean' | 'lengthScale' | 'lengthWeight'>,
  shares: Float64Array,
  gain: number,
  logChars: number,
): number {
  let adjusted = 0;
  for (let family = 0; family < shares.length; family++) {
    const familyGain = model.familyGain[family]!;
    const lengthZ = (logChars - model.lengthMean[family]!) / model.lengthScale[family]!;
    adjusted +=
      shares[family]! *
      (familyGain + model.gainShrink[family]! * (gain - familyGain) + model.lengthWeight[family]! * lengthZ);
  }
  return adjusted;
}

/** The two-model gain estimate for one prompt, from its inputs x (see IrtModel). */
export function irtGain(model: IrtModel, x: Float32Array): number {
  const traits = promptTraits(model, x);
  const gain = sigmoid(modelLogit(model, model.strong, traits)) - sigmoid(modelLogit(model, model.weak, traits));
  // x holds the prompt's standardised statistics: ln chars (feature 0) is read back rather than counted again.
  const logChars = x[model.components]! * model.featureScale[0]! + model.featureMean[0]!;
  return familyAdjustedGain(model, familyShares(model, x), gain, logChars);
}

/** How a deployment places a model the router has not trained on: like a known one, by scores, or by labels. */
export type IrtModelPlacement =
  | { readonly like: string }
  | { readonly scores: Readonly<Record<string, number>> }
  | { readonly labels: readonly { readonly prompt: string; readonly quality: number }[] };

/** A Router (the strong-vs-weak score) that also predicts every known model's quality. */
export interface IrtRouter extends Router, ModelQualityPredictor {
  /** Names of the reference sets a model can be placed by (`scores`). */
  readonly referenceSets: readonly string[];
  /** How each model that was added after training was placed ('like <model>', 'scores on <sets>', 'labels (n)'). */
  readonly placements: Readonly<Record<string, string>>;
  /** This router with one more model, placed on its ability scale (replacing a model of the same name). */
  withModel(name: string, placement: IrtModelPlacement): Promise<IrtRouter>;
}

function describePlacement(placement: IrtModelPlacement): string {
  if ('like' in placement) return `like ${placement.like}`;
  if ('scores' in placement) return `scores on ${Object.keys(placement.scores).join(', ')}`;
  return `labels (${placement.labels.length} prompts)`;
}

export function createIrtRouter(options: {
  embedder: Embedder;
  model: IrtModel;
  placements?: Readonly<Record<string, string>>;
}): IrtRouter {
  const { embedder, model, placements = {} } = options;
  if (embedder.dimensions !== model.inputDimensions) {
    throw new InvalidInputError(
      `The irt model projects ${model.inputDimensions}-dimensional embeddings, the embedder's have ${embedder.dimensions}.`,
    );
  }
  const inputs = async (prompts: readonly string[], scoreOptions?: ScoreOptions) =>
    irtInputs(model, await embedder.embed(prompts, scoreOptions), prompts);
  const width = 1 + model.skills;
  const placedRow = async (placement: IrtModelPlacement): Promise<ArrayLike<number>> => {
    if ('like' in placement) {
      const index = model.models.indexOf(placement.like);
      if (index < 0)
        throw new InvalidInputError(
          `Model '${placement.like}' is not one the irt router knows: ${model.models.join(', ')}.`,
        );
      return model.modelWeights.subarray(index * width, (index + 1) * width);
    }
    if ('scores' in placement)
      return placeByScores(model.modelWeights, width, model.references ?? { names: [], traits: [] }, placement.scores);
    const xs = await inputs(placement.labels.map((label) => label.prompt));
    return placeByLabels(
      model.modelWeights,
      width,
      placement.labels.map((label, index) => ({ traits: promptTraits(model, xs[index]!), quality: label.quality })),
    );
  };
  return {
    name: IRT_ROUTER,
    models: model.models,
    referenceSets: model.references?.names ?? [],
    placements,
    async withModel(name, placement) {
      const row = await placedRow(placement);
      const kept = model.models.flatMap((known, index) => (known === name ? [] : [index]));
      if (
        kept.length < model.models.length &&
        (model.models[model.strong] === name || model.models[model.weak] === name)
      )
        throw new InvalidInputError(`Model '${name}' is one of the deployment pair: it cannot be replaced.`);
      const modelWeights = new Float32Array((kept.length + 1) * width);
      kept.forEach((index, position) =>
        modelWeights.set(model.modelWeights.subarray(index * width, (index + 1) * width), position * width),
      );
      modelWeights.set(row, kept.length * width);
      const models = [...kept.map((index) => model.models[index]!), name];
      return createIrtRouter({
        embedder,
        model: {
          ...model,
          models,
          modelWeights,
          strong: models.indexOf(model.models[model.strong]!),
          weak: models.indexOf(model.models[model.weak]!),
        },
        placements: { ...placements, [name]: describePlacement(placement) },
      });
    },
    async score(prompts, scoreOptions) {
      const xs = await inputs(prompts, scoreOptions);
      return xs.map((x) => gainToScore(irtGain(model, x)));
    },
    async predictQuality(prompts, scoreOptions) {
      const xs = await inputs(prompts, scoreOptions);
      return xs.map((x) => {
        const traits = promptTraits(model, x);
        return Float64Array.from(model.models, (_, m) => sigmoid(modelLogit(model, m, traits)));
      });
    },
  };
}

/**
 * The reference sets of the weights: parameter `references` lists { name, prompts } in order, and tensor
 * `referenceTraits` [sum of prompts, 1 + skills] holds their prompts' traits one set after another.
 */
function referenceSets(
  listed: unknown,
  tensors: ReadonlyMap<string, Tensor>,
  width: number,
  where: string,
): ReferenceSets | undefined {
  if (listed === undefined) return undefined;
  const valid =
    Array.isArray(listed) &&
    listed.every(
      (entry) =>
        typeof entry === 'object' &&
        entry !== null &&
        typeof (entry as Record<string, unknown>)['name'] === 'string' &&
        Number.isInteger((entry as Record<string, unknown>)['prompts']) &&
        ((entry as Record<string, unknown>)['prompts'] as number) > 0,
    );
  if (!valid) throw new ModelLoadError(`${where}: parameter 'references' must list { name, prompts } entries.`);
  const entries = listed as { name: string; prompts: number }[];
  const total = entries.reduce((sum, entry) => sum + entry.prompts, 0);
  const traits = requireTensor(tensors, 'referenceTraits', [total, width], where).data;
  let offset = 0;
  return {
    names: entries.map((entry) => entry.name),
    traits: entries.map((entry) => {
      const slice = traits.subarray(offset * width, (offset + entry.prompts) * width);
      offset += entry.prompts;
      return slice;
    }),
  };
}

export const irtRouterDefinition: RouterDefinition = {
  name: IRT_ROUTER,
  description:
    "One item-response model of every model's labels (gold, pass rates, battles): the strong model's expected gain, per family shrunk and given a length term by cross-validation.",
  requires: ['embedder', 'weights'],
  create(context) {
    const embedder = context.embedder!;
    const manifest = readLearnedRouterManifest(context.weights!, IRT_ROUTER, embedder);
    const where = `Router '${IRT_ROUTER}' weights`;
    const tensors = readTensors(context.weights!, where);
    const components = numberParameter(manifest, 'components', (value) => Number.isInteger(value) && value >= 1);
    const skills = numberParameter(manifest, 'skills', (value) => Number.isInteger(value) && value >= 0);
    const models = stringListParameter(manifest, 'models');
    const families = stringListParameter(manifest, 'families');
    const inputs = irtInputCount(components);
    const pairIndex = (name: 'strong' | 'weak') => {
      const model = manifest.parameters[name];
      const index = typeof model === 'string' ? models.indexOf(model) : -1;
      if (index < 0) throw new ModelLoadError(`${where}: parameter '${name}' must name one of the models.`);
      return index;
    };
    const tensor = (name: string, shape: number[]) => requireTensor(tensors, name, shape, where).data;
    const lengthScale = tensor('lengthScale', [families.length]);
    if (lengthScale.some((value) => !(value > 0)))
      throw new ModelLoadError(`${where}: tensor 'lengthScale' must be positive.`);
    return createIrtRouter({
      embedder,
      model: {
        projection: tensor('projection', [embedder.dimensions, components]),
        inputDimensions: embedder.dimensions,
        components,
        featureMean: tensor('featureMean', [PROMPT_FEATURE_COUNT]),
        featureScale: tensor('featureScale', [PROMPT_FEATURE_COUNT]),
        promptWeights: tensor('promptWeights', [1 + skills, inputs]),
        skills,
        models,
        modelWeights: tensor('modelWeights', [models.length, 1 + skills]),
        strong: pairIndex('strong'),
        weak: pairIndex('weak'),
        families,
        familyWeights: tensor('familyWeights', [families.length, inputs]),
        familyGain: tensor('familyGain', [families.length]),
        gainShrink: tensor('gainShrink', [families.length]),
        lengthMean: tensor('lengthMean', [families.length]),
        lengthScale,
        lengthWeight: tensor('lengthWeight', [families.length]),
        references: referenceSets(manifest.parameters['references'], tensors, 1 + skills, where),
      },
    });
  },
};

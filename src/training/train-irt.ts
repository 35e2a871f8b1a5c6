import {
  createBenchmark,
  evaluateScores,
  familyShares,
  gainToScore,
  InvalidInputError,
  IRT_ROUTER,
  irtInputCount,
  irtInputs,
  type IrtModel,
  modelLogit,
  PROMPT_FEATURE_COUNT,
  promptFeatures,
  promptTraits,
  sigmoid,
  storedValues,
  type TensorToPack,
} from '../core/index.ts';
import type { TrainingData } from './dataset.ts';
import { principalAxes } from './embedding-compression.ts';
import {
  type BattleObservation,
  type CorrectnessObservation,
  DEFAULT_ITEM_RESPONSE_SETTINGS,
  fitFamilyClassifier,
  fitItemResponseModel,
  type ItemResponseSettings,
} from './item-response-fit.ts';
import { isMultiModelTestPrompt } from './many-models.ts';
import { foldAssignment } from './training-benchmarks.ts';

/** Principal axes of the embedding the prompt model reads (128 of USE-lite's 512 keep ~90% of its energy). */
export const IRT_COMPONENTS = 128;

/** Length-term weights tried per family (0: none), and the margin a weight must win by (noise is ~0.005). */
export const LENGTH_WEIGHTS = [0, 0.02, 0.05, 0.1, 0.2, 0.5, 1];
export const LENGTH_PARSIMONY_MARGIN = 0.005;

/** Held-out folds for the length terms' choice. */
export const IRT_FOLDS = 5;

/** A model pair is scored on a source only when the stronger one's mean correctness leads by this much. */
const MIN_PAIR_GAP = 0.05;

/** The rows of one fit: which prompts, models and observations. */
interface Problem {
  readonly prompts: readonly number[];
  readonly models: readonly string[];
  readonly judges: readonly string[];
  readonly correctness: readonly (CorrectnessObservation & { source: string })[];
  readonly battles: readonly (BattleObservation & { source: string })[];
}

/** Prompts that may train the irt router: every prompt outside the multi-model test split. */
export function irtTrainingPrompts(data: TrainingData): number[] {
  return data.prompts.flatMap((prompt, index) => (isMultiModelTestPrompt(prompt.text) ? [] : [index]));
}

/** Every observation on the given prompts, each source's weighing 1 / sqrt(its count). */
function buildProblem(data: TrainingData, prompts: readonly number[]): Problem {
  const position = new Map(prompts.map((prompt, index) => [prompt, index]));
  const models = new Map<string, number>();
  const modelIndex = (name: string) => {
    const known = models.get(name);
    if (known !== undefined) return known;
    models.set(name, models.size);
    return models.size - 1;
  };
  modelIndex(data.pair.strong);
  modelIndex(data.pair.weak);
  const judges = new Map<string, number>();
  const counts = new Map<string, number>();
  const correctness: Omit<CorrectnessObservation & { source: string }, 'weight'>[] = [];
  for (const row of data.correctness) {
    const at = position.get(row.prompt);
    if (at === undefined) continue;
    const source = data.prompts[row.prompt]!.source;
    for (const [model, value] of row.correctness) {
      correctness.push({ prompt: at, model: modelIndex(model), value, source });
      counts.set(source, (counts.get(source) ?? 0) + 1);
    }
  }
  const battles: Omit<BattleObservation & { source: string }, 'weight'>[] = [];
  for (const battle of data.battles) {
    const at = position.get(battle.prompt);
    if (at === undefined) continue;
    if (!judges.has(battle.judge)) judges.set(battle.judge, judges.size);
    const source = `battles/${battle.judge}`;
    battles.push({
      prompt: at,
      modelA: modelIndex(battle.modelA),
      modelB: modelIndex(battle.modelB),
      winRateA: battle.winRateA,
      judge: judges.get(battle.judge)!,
      lengthLogRatio: battle.lengthLogRatio,
      source,
    });
    counts.set(source, (counts.get(source) ?? 0) + 1);
  }
  const weight = (source: string) => 1 / Math.sqrt(counts.get(source)!);
  return {
    prompts,
    models: [...models.keys()],
    judges: [...judges.keys()],
    correctness: correctness.map((item) => ({ ...item, weight: weight(item.source) })),
    battles: battles.map((item) => ({ ...item, weight: weight(item.source) })),
  };
}

/** The prompt-side part of an IrtModel: principal axes and feature standardisation, fitted on training prompts. */
function inputSpace(data: TrainingData, prompts: readonly number[], components: number) {
  const dimensions = data.prompts[0]!.embedding.length;
  const matrix = new Float32Array(prompts.length * dimensions);
  prompts.forEach((prompt, row) => matrix.set(data.prompts[prompt]!.embedding, row * dimensions));
  const axes = principalAxes(matrix, dimensions, Math.min(components, dimensions));
  // The router reads the projection back from float16: the fit sees the same numbers.
  const projectionTensor: TensorToPack = {
    dtype: 'float16',
    shape: [dimensions, Math.min(components, dimensions)],
    data: axes.projection,
  };
  const features = prompts.map((prompt) => promptFeatures(data.prompts[prompt]!.text));
  const featureMean = new Float32Array(PROMPT_FEATURE_COUNT);
  const featureScale = new Float32Array(PROMPT_FEATURE_COUNT);
  for (let feature = 0; feature < PROMPT_FEATURE_COUNT; feature++) {
    const values = features.map((row) => row[feature]!);
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    featureMean[feature] = mean;
    featureScale[feature] = Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length) || 1;
  }
  return {
    projectionTensor,
    space: {
      projection: storedValues(projectionTensor),
      inputDimensions: dimensions,
      components: Math.min(components, dimensions),
      featureMean,
      featureScale,
    },
    retainedEnergy: axes.retainedEnergy,
  };
}

export interface IrtSettings extends ItemResponseSettings {
  readonly components: number;
}

export const DEFAULT_IRT_SETTINGS: IrtSettings = { ...DEFAULT_ITEM_RESPONSE_SETTINGS, components: IRT_COMPONENTS };

/** An IrtModel without length terms from the given training prompts (the unit every cross-validation fold fits). */
export function fitIrtCore(
  data: TrainingData,
  prompts: readonly number[],
  settings: IrtSettings,
  onEpoch?: (epoch: number, loss: number) => void,
) {
  const problem = buildProblem(data, prompts);
  const { space, projectionTensor, retainedEnergy } = inputSpace(data, prompts, settings.components);
  const inputCount = irtInputCount(space.components);
  const xs = irtInputs(
    space,
    prompts.map((prompt) => data.prompts[prompt]!.embedding),
    prompts.map((prompt) => data.prompts[prompt]!.text),
  );
  const inputs = new Float32Array(prompts.length * inputCount);
  xs.forEach((x, row) => inputs.set(x, row * inputCount));
  const fit = fitItemResponseModel(
    {
      inputs,
      inputCount,
      modelCount: problem.models.length,
      judgeCount: problem.judges.length,
      correctness: problem.correctness,
      battles: problem.battles,
    },
    settings,
    onEpoch,
  );
  const model: Omit<IrtModel, 'families' | 'familyWeights' | 'lengthMean' | 'lengthScale' | 'lengthWeight'> = {
    ...space,
    promptWeights: fit.promptWeights,
    skills: settings.skills,
    models: problem.models,
    modelWeights: fit.modelWeights,
    strong: problem.models.indexOf(data.pair.strong),
    weak: problem.models.indexOf(data.pair.weak),
  };
  return { model, problem, fit, projectionTensor, retainedEnergy, inputs, inputCount };
}

/** The pair gain P(strong) - P(weak) of a length-free model for embedded prompts. */
function pairGains(
  model: ReturnType<typeof fitIrtCore>['model'],
  data: TrainingData,
  prompts: readonly number[],
): Float64Array {
  const xs = irtInputs(
    model,
    prompts.map((prompt) => data.prompts[prompt]!.embedding),
    prompts.map((prompt) => data.prompts[prompt]!.text),
  );
  return Float64Array.from(xs, (x) => {
    const traits = promptTraits(model, x);
    return sigmoid(modelLogit(model, model.strong, traits)) - sigmoid(modelLogit(model, model.weak, traits));
  });
}

const correctnessIndex = new WeakMap<TrainingData, Map<number, TrainingData['correctness'][number]>>();

function correctnessByPrompt(data: TrainingData): Map<number, TrainingData['correctness'][number]> {
  let index = correctnessIndex.get(data);
  if (!index) {
    index = new Map(data.correctness.map((row) => [row.prompt, row]));
    correctnessIndex.set(data, index);
  }
  return index;
}

/**
 * How well scores route on a set of prompts with many models' correctness: the mean APGR over model pairs of that
 * source (its best model against models a quarter, half and three quarters of the way down its ranking, and the
 * deployment pair where the source has it). This is a router's quality on pairs it may never have trained on.
 */
export function sourcePairApgr(
  data: TrainingData,
  prompts: readonly number[],
  scores: ArrayLike<number>,
): { apgr: number; pairs: number } | undefined {
  const byPrompt = correctnessByPrompt(data);
  const rows = prompts.map((prompt) => byPrompt.get(prompt));
  const totals = new Map<string, { sum: number; count: number }>();
  for (const row of rows)
    for (const [model, value] of row?.correctness ?? []) {
      const total = totals.get(model) ?? { sum: 0, count: 0 };
      total.sum += value;
      total.count++;
      totals.set(model, total);
    }
  const covered = [...totals]
    .filter(([, total]) => total.count >= 0.9 * prompts.length)
    .map(([model, total]) => ({ model, mean: total.sum / total.count }))
    .sort((a, b) => b.mean - a.mean);
  if (covered.length < 2) return undefined;
  const pairs = new Set<string>();
  for (const share of [0.25, 0.5, 0.75]) {
    const weak = covered[Math.max(1, Math.round(share * (covered.length - 1)))]!;
    if (covered[0]!.mean - weak.mean >= MIN_PAIR_GAP) pairs.add(JSON.stringify([covered[0]!.model, weak.model]));
  }
  if (totals.has(data.pair.strong) && totals.has(data.pair.weak))
    pairs.add(JSON.stringify([data.pair.strong, data.pair.weak]));
  const values: number[] = [];
  for (const pair of pairs) {
    const [strong, weak] = JSON.parse(pair) as [string, string];
    const items: { id: string; prompt: string; strongQuality: number; weakQuality: number }[] = [];
    const itemScores: number[] = [];
    rows.forEach((row, index) => {
      const s = row?.correctness.get(strong);
      const w = row?.correctness.get(weak);
      if (s === undefined || w === undefined) return;
      items.push({ id: String(index), prompt: '', strongQuality: 100 * s, weakQuality: 100 * w });
      // Only the order of the scores matters to APGR: any real-valued estimate is mapped into (0, 1).
      itemScores.push(sigmoid(scores[index]!));
    });
    const gap = items.reduce((sum, item) => sum + item.strongQuality - item.weakQuality, 0);
    if (items.length < 20 || gap <= 0) continue;
    const benchmark = createBenchmark({
      name: 'pair',
      strongModel: strong,
      weakModel: weak,
      qualityUnit: '% correct',
      items,
    });
    values.push(evaluateScores(benchmark, IRT_ROUTER, itemScores).apgr);
  }
  if (values.length === 0) return undefined;
  return { apgr: values.reduce((sum, value) => sum + value, 0) / values.length, pairs: values.length };
}

/** Prompts with correctness labels, grouped by source. */
function correctnessSources(data: TrainingData, prompts: readonly number[]): Map<string, number[]> {
  const labelled = correctnessByPrompt(data);
  const bySource = new Map<string, number[]>();
  for (const prompt of prompts) {
    if (!labelled.has(prompt)) continue;
    const source = data.prompts[prompt]!.source;
    bySource.set(source, [...(bySource.get(source) ?? []), prompt]);
  }
  return bySource;
}

export interface IrtCrossValidation {
  /** Each source held out of a fit of all the others, scored on its own model pairs. */
  readonly leaveOneSourceOut: Record<string, { apgr: number; pairs: number; prompts: number }>;
  /** Per family: the chosen length weight, and the held-out objective without and with it. */
  readonly length: Record<string, { weight: number; none: number; chosen: number }>;
}

export interface TrainedIrt {
  readonly parameters: Record<string, unknown>;
  readonly tensors: Record<string, TensorToPack>;
  readonly rows: Record<string, number>;
  readonly details: Record<string, unknown>;
}

const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

/**
 * Cross-validation on training data only, then the model over all of it:
 * 1. leave-one-source-out: each correctness source is held out of a fit of the others and scored on its own model
 *    pairs (unseen prompts, unseen families, pairs the fit may not know): the generalisation table of the manifest;
 * 2. five folds by prompt give every prompt a held-out gain; per task family, a length weight is adopted only when it
 *    beats none on that family's held-out pair APGR by more than the margin (the smallest such weight);
 * 3. the final fit on every training prompt, and the family classifier that gates the length terms.
 */
export function trainIrt(
  data: TrainingData,
  seed: number,
  settings: IrtSettings = { ...DEFAULT_IRT_SETTINGS, seed },
  onProgress?: (stage: string, done: number, total: number) => void,
  options: { leaveOneSourceOut?: boolean } = {},
): TrainedIrt {
  const prompts = irtTrainingPrompts(data);
  const fitSettings = { ...settings, seed };
  const sources = correctnessSources(data, prompts);
  if (!data.correctness.some((row) => row.correctness.has(data.pair.strong)) && data.battles.length === 0)
    throw new InvalidInputError(`The irt router needs labels of the strong model '${data.pair.strong}'.`);

  const leaveOneSourceOut: IrtCrossValidation['leaveOneSourceOut'] = {};
  if (options.leaveOneSourceOut ?? true) {
    let done = 0;
    for (const [source, held] of sources) {
      onProgress?.('irt: leave-one-source-out', done++, sources.size);
      if (held.length < 50) continue;
      const heldSet = new Set(held);
      const fit = fitIrtCore(
        data,
        prompts.filter((prompt) => !heldSet.has(prompt)),
        fitSettings,
      );
      const result = sourcePairApgr(data, held, pairGains(fit.model, data, held));
      if (result) leaveOneSourceOut[source] = { ...result, prompts: held.length };
    }
  }

  // Held-out gains for every training prompt.
  const fold = foldAssignment(prompts.length, IRT_FOLDS, seed);
  const heldOutGain = new Map<number, number>();
  for (let held = 0; held < IRT_FOLDS; held++) {
    onProgress?.('irt: folds for the length terms', held, IRT_FOLDS);
    const train = prompts.filter((_, index) => fold[index] !== held);
    const test = prompts.filter((_, index) => fold[index] === held);
    const fit = fitIrtCore(data, train, fitSettings);
    pairGains(fit.model, data, test).forEach((gain, index) => heldOutGain.set(test[index]!, gain));
  }

  const families = [...new Set(prompts.map((prompt) => data.prompts[prompt]!.family))].sort();
  const logChars = new Map(prompts.map((prompt) => [prompt, promptFeatures(data.prompts[prompt]!.text)[0]!]));
  const lengthMean = new Float32Array(families.length);
  const lengthScale = new Float32Array(families.length);
  const lengthWeight = new Float32Array(families.length);
  const length: IrtCrossValidation['length'] = {};
  families.forEach((family, familyIndex) => {
    const members = prompts.filter((prompt) => data.prompts[prompt]!.family === family);
    const values = members.map((prompt) => logChars.get(prompt)!);
    const familyMean = mean(values);
    lengthMean[familyIndex] = familyMean;
    lengthScale[familyIndex] = Math.sqrt(mean(values.map((value) => (value - familyMean) ** 2))) || 1;
    const familySources = [...correctnessSources(data, members).values()].filter((list) => list.length >= 50);
    if (familySources.length === 0) return;
    const objective = (weight: number) => {
      const results = familySources.flatMap((list) => {
        const scores = list.map((prompt) =>
          gainToScore(
            heldOutGain.get(prompt)! +
              (weight * (logChars.get(prompt)! - lengthMean[familyIndex]!)) / lengthScale[familyIndex]!,
          ),
        );
        const result = sourcePairApgr(data, list, scores);
        return result ? [result.apgr] : [];
      });
      return results.length > 0 ? mean(results) : Number.NaN;
    };
    const none = objective(0);
    if (!Number.isFinite(none)) return;
    const tried = LENGTH_WEIGHTS.map((weight) => ({ weight, value: objective(weight) }));
    const best = Math.max(...tried.map((entry) => entry.value));
    const chosen =
      best > none + LENGTH_PARSIMONY_MARGIN
        ? tried.find((entry) => entry.value >= best - LENGTH_PARSIMONY_MARGIN)!
        : { weight: 0, value: none };
    lengthWeight[familyIndex] = chosen.weight;
    length[family] = { weight: chosen.weight, none, chosen: chosen.value };
  });

  onProgress?.('irt: final fit', 0, 1);
  const final = fitIrtCore(data, prompts, fitSettings);
  const familyLabels = Int32Array.from(prompts, (prompt) => families.indexOf(data.prompts[prompt]!.family));
  const familyWeights = fitFamilyClassifier(final.inputs, final.inputCount, familyLabels, families.length);
  const model: IrtModel = { ...final.model, families, familyWeights, lengthMean, lengthScale, lengthWeight };
  // The length terms as shipped (gated by the classifier's shares), on the training prompts: how often it is sure.
  const confident = prompts.filter((_, row) => {
    const shares = familyShares(model, final.inputs.subarray(row * final.inputCount, (row + 1) * final.inputCount));
    return Math.max(...shares) >= 0.8;
  }).length;
  onProgress?.('irt: final fit', 1, 1);
  const inputs = final.inputCount;
  return {
    parameters: {
      components: model.components,
      skills: model.skills,
      models: model.models,
      strong: data.pair.strong,
      weak: data.pair.weak,
      families,
    },
    rows: {
      prompts: prompts.length,
      correctnessLabels: final.problem.correctness.length,
      battles: final.problem.battles.length,
      models: model.models.length,
      multiModelTestPromptsLeftOut: data.prompts.length - prompts.length,
    },
    details: {
      settings: fitSettings,
      finalLoss: final.fit.loss,
      retainedEnergy: final.retainedEnergy,
      judges: Object.fromEntries(
        final.problem.judges.map((judge, index) => [
          judge,
          { scale: final.fit.judgeScale[index], lengthBias: final.fit.judgeLengthBias[index] },
        ]),
      ),
      familyClassifierConfidentShare: confident / prompts.length,
      crossValidation: { leaveOneSourceOut, length } satisfies IrtCrossValidation,
    },
    tensors: {
      projection: final.projectionTensor,
      featureMean: { shape: [PROMPT_FEATURE_COUNT], data: model.featureMean },
      featureScale: { shape: [PROMPT_FEATURE_COUNT], data: model.featureScale },
      promptWeights: { shape: [1 + model.skills, inputs], data: model.promptWeights },
      modelWeights: { shape: [model.models.length, 1 + model.skills], data: model.modelWeights },
      familyWeights: { shape: [families.length, inputs], data: familyWeights },
      lengthMean: { shape: [families.length], data: lengthMean },
      lengthScale: { shape: [families.length], data: lengthScale },
      lengthWeight: { shape: [families.length], data: lengthWeight },
    },
  };
}

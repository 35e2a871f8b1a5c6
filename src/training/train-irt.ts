import {
  createBenchmark,
  evaluateScores,
  familyShares,
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
import { poolingModelName, type TrainingData } from './dataset.ts';
import { principalAxes } from './embedding-compression.ts';
import {
  type BattleObservation,
  type CorrectnessObservation,
  DEFAULT_ITEM_RESPONSE_SETTINGS,
  fitFamilyClassifier,
  fitItemResponseModel,
  type ItemResponseSettings,
} from './item-response-fit.ts';
import { isMultiModelTestPrompt, MIN_PAIR_GAP, pairWeakRanks } from './many-models.ts';
import { foldAssignment } from './training-benchmarks.ts';

/** Principal axes of the embedding the prompt model reads (128 of USE-lite's 512 keep 94% of the training prompts' energy). */
export const IRT_COMPONENTS = 128;

/** Length-term weights tried per family (0: none), and the margin a family setting must win by (noise is ~0.005). */
export const LENGTH_WEIGHTS = [0, 0.02, 0.05, 0.1, 0.2, 0.5, 1];
export const PARSIMONY_MARGIN = 0.005;

/** Held-out folds for the family settings (shrinkage and length weight). */
export const IRT_FOLDS = 5;

/** The rows of one fit: which prompts, models and observations, and how many labels of left-out models it dropped. */
interface Problem {
  readonly prompts: readonly number[];
  readonly models: readonly string[];
  readonly judges: readonly string[];
  readonly correctness: readonly (CorrectnessObservation & { source: string })[];
  readonly battles: readonly (BattleObservation & { source: string })[];
  readonly droppedLabels: number;
}

/** Prompts that may train the irt router: every prompt outside the multi-model test split. */
export function irtTrainingPrompts(data: TrainingData): number[] {
  return data.prompts.flatMap((prompt, index) => (isMultiModelTestPrompt(prompt.text) ? [] : [index]));
}

/**
 * Every observation on the given prompts, each source's weighing 1 / sqrt(its count), except those of the models
 * left out (pooled names: a model is left out of every source that knows it).
 */
function buildProblem(
  data: TrainingData,
  prompts: readonly number[],
  withoutModels: ReadonlySet<string> = new Set(),
): Problem {
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
  let droppedLabels = 0;
  const correctness: Omit<CorrectnessObservation & { source: string }, 'weight'>[] = [];
  for (const row of data.correctness) {
    const at = position.get(row.prompt);
    if (at === undefined) continue;
    const source = data.prompts[row.prompt]!.source;
    for (const [model, value] of row.correctness) {
      const name = poolingModelName(source, model);
      if (withoutModels.has(name)) {
        droppedLabels++;
        continue;
      }
      correctness.push({ prompt: at, model: modelIndex(name), value, source });
      counts.set(source, (counts.get(source) ?? 0) + 1);
    }
  }
  const battles: Omit<BattleObservation & { source: string }, 'weight'>[] = [];
  for (const battle of data.battles) {
    const at = position.get(battle.prompt);
    if (at === undefined) continue;
    const promptSource = data.prompts[battle.prompt]!.source;
    const modelA = poolingModelName(promptSource, battle.modelA);
    const modelB = poolingModelName(promptSource, battle.modelB);
    if (withoutModels.has(modelA) || withoutModels.has(modelB)) {
      droppedLabels++;
      continue;
    }
    if (!judges.has(battle.judge)) judges.set(battle.judge, judges.size);
    const source = `battles/${battle.judge}`;
    battles.push({
      prompt: at,
      modelA: modelIndex(modelA),
      modelB: modelIndex(modelB),
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
    droppedLabels,
  };
}

/**
 * The prompt-side part of an IrtModel: principal axes and feature standardisation, fitted on the training prompts
 * (labels play no part, so every cross-validation fold shares the one space of the final model).
 */
export type InputSpace = ReturnType<typeof inputSpace>;

export function inputSpace(data: TrainingData, prompts: readonly number[], components: number) {
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

/** An IrtModel without length terms from one problem's prompts and labels (the unit every cross-validation fold fits). */
function fitIrtCore(data: TrainingData, problem: Problem, settings: IrtSettings, shared: InputSpace) {
  const { prompts } = problem;
  const { space, projectionTensor, retainedEnergy } = shared;
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
  );
  const model: Omit<
    IrtModel,
    'families' | 'familyWeights' | 'familyGain' | 'gainShrink' | 'lengthMean' | 'lengthScale' | 'lengthWeight'
  > = {
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
 * The model pairs a set of prompts with many models' correctness is scored on: its best model against models a
 * quarter, half and three quarters of the way down its ranking (pairWeakRanks, when it leads them by MIN_PAIR_GAP),
 * and the deployment pair where the prompts have it.
 */
function sourcePairs(data: TrainingData, prompts: readonly number[]): [strong: string, weak: string][] {
  const byPrompt = correctnessByPrompt(data);
  const totals = new Map<string, { sum: number; count: number }>();
  for (const prompt of prompts)
    for (const [model, value] of byPrompt.get(prompt)?.correctness ?? []) {
      const total = totals.get(model) ?? { sum: 0, count: 0 };
      total.sum += value;
      total.count++;
      totals.set(model, total);
    }
  const covered = [...totals]
    .filter(([, total]) => total.count >= 0.9 * prompts.length)
    .map(([model, total]) => ({ model, mean: total.sum / total.count }))
    .sort((a, b) => b.mean - a.mean);
  if (covered.length < 2) return [];
  const pairs = new Set<string>();
  for (const rank of pairWeakRanks(covered.length)) {
    const weak = covered[rank]!;
    if (covered[0]!.mean - weak.mean >= MIN_PAIR_GAP) pairs.add(JSON.stringify([covered[0]!.model, weak.model]));
  }
  if (totals.has(data.pair.strong) && totals.has(data.pair.weak))
    pairs.add(JSON.stringify([data.pair.strong, data.pair.weak]));
  return [...pairs].map((pair) => JSON.parse(pair) as [string, string]);
}

/** The prompts (by index in the list) on which both models of a pair are labelled, if enough to score it. */
function pairItems(data: TrainingData, prompts: readonly number[], [strong, weak]: readonly [string, string]) {
  const byPrompt = correctnessByPrompt(data);
  const items: { id: string; prompt: string; strongQuality: number; weakQuality: number }[] = [];
  const indices: number[] = [];
  prompts.forEach((prompt, index) => {
    const row = byPrompt.get(prompt);
    const s = row?.correctness.get(strong);
    const w = row?.correctness.get(weak);
    if (s === undefined || w === undefined) return;
    items.push({ id: String(index), prompt: '', strongQuality: 100 * s, weakQuality: 100 * w });
    indices.push(index);
  });
  const gap = items.reduce((sum, item) => sum + item.strongQuality - item.weakQuality, 0);
  return items.length < 20 || gap <= 0 ? undefined : { items, indices };
}

/** APGR of scores (any real values: only their order matters) routing one model pair on these prompts. */
function pairApgr(
  data: TrainingData,
  prompts: readonly number[],
  scores: ArrayLike<number>,
  pair: readonly [string, string],
): number | undefined {
  const scored = pairItems(data, prompts, pair);
  if (!scored) return undefined;
  const benchmark = createBenchmark({
    name: 'pair',
    strongModel: pair[0],
    weakModel: pair[1],
    qualityUnit: '% correct',
    items: scored.items,
  });
  return evaluateScores(
    benchmark,
    IRT_ROUTER,
    scored.indices.map((index) => sigmoid(scores[index]!)),
  ).apgr;
}

/**
 * How well scores route on a set of prompts with many models' correctness: the mean APGR over its model pairs
 * (sourcePairs). This is a router's quality on pairs it may never have trained on.
 */
export function sourcePairApgr(
  data: TrainingData,
  prompts: readonly number[],
  scores: ArrayLike<number>,
): { apgr: number; pairs: number } | undefined {
  const values = sourcePairs(data, prompts).flatMap((pair) => pairApgr(data, prompts, scores, pair) ?? []);
  if (values.length === 0) return undefined;
  return { apgr: values.reduce((sum, value) => sum + value, 0) / values.length, pairs: values.length };
}

/**
 * The pair a group is scored on with both of its models left out of training: of its scored pairs without a
 * deployment model, the one with the weakest second model (the best against the one three quarters down its ranking,
 * where they differ enough), the nearest to a strong-versus-weak choice.
 */
function heldOutPair(data: TrainingData, prompts: readonly number[]): [string, string] | undefined {
  const deployment = new Set([data.pair.strong, data.pair.weak]);
  const source = data.prompts[prompts[0]!]!.source;
  return sourcePairs(data, prompts)
    .filter(
      (pair) =>
        !pair.some((model) => deployment.has(poolingModelName(source, model))) && pairItems(data, prompts, pair),
    )
    .at(-1);
}

/**
 * Prompts with correctness labels, grouped by where they came from: the source, or source/family for a source of
 * several task families (LLMRouter's pass rates span ten), so a group is one kind of task from one place.
 */
function correctnessGroups(data: TrainingData, prompts: readonly number[]): Map<string, number[]> {
  const labelled = correctnessByPrompt(data);
  const familiesOf = new Map<string, Set<string>>();
  for (const prompt of prompts) {
    const { source, family } = data.prompts[prompt]!;
    familiesOf.set(source, (familiesOf.get(source) ?? new Set()).add(family));
  }
  const groups = new Map<string, number[]>();
  for (const prompt of prompts) {
    if (!labelled.has(prompt)) continue;
    const { source, family } = data.prompts[prompt]!;
    const key = familiesOf.get(source)!.size > 1 ? `${source}/${family}` : source;
    groups.set(key, [...(groups.get(key) ?? []), prompt]);
  }
  return groups;
}

/** Whether most of these prompts carry both deployment models' labels. */
function hasDeploymentPair(data: TrainingData, prompts: readonly number[]): boolean {
  const byPrompt = correctnessByPrompt(data);
  const both = prompts.filter((prompt) => {
    const row = byPrompt.get(prompt);
    return row?.correctness.has(data.pair.strong) && row.correctness.has(data.pair.weak);
  }).length;
  return both >= 0.5 * prompts.length;
}

/** A group is cross-validated only with this many labelled prompts (fewer give no stable APGR). */
export const MIN_GROUP_PROMPTS = 50;

/** Shrinkage factors of a prompt's own gain towards its family's mean, tried per family (1: the model as it is). */
export const GAIN_SHRINKS = [1, 0.5, 0.25, 0];

export interface IrtCrossValidation {
  /**
   * Each group held out of a fit of all the others, scored on its own model pairs: the fitted gain, the prompt
   * length alone, and the gain adjusted with the family settings chosen in 2 (which saw the group's labels).
   */
  readonly leaveOneSourceOut: Record<
    string,
    { prompts: number; pairs: number; gain: number; length: number; adjusted: number }
  >;
  /**
   * Each group held out as above together with one of its model pairs (heldOutPair): both models' labels are left
   * out of every source, so the fit has seen neither the prompts nor the pair. Scored on that pair alone: length, the
   * gain and the adjusted gain of that fit, and the gain of the leave-one-source-out fit that still knew the two
   * models from other sources (the same fit when they have no labels elsewhere: labelsElsewhere 0).
   */
  readonly leaveOnePairOut: Record<
    string,
    {
      strong: string;
      weak: string;
      labelsElsewhere: number;
      length: number;
      gain: number;
      adjusted: number;
      gainPairKnown: number;
    }
  >;
  /**
   * Per family: the chosen shrinkage and length weight, the held-out objective of the model as fitted and as chosen,
   * and whether the objective was the deployment pair's own labels.
   */
  readonly families: Record<
    string,
    { gainShrink: number; lengthWeight: number; asFitted: number; chosen: number; deploymentPair: boolean }
  >;
}

export interface TrainedIrt {
  readonly parameters: Record<string, unknown>;
  readonly tensors: Record<string, TensorToPack>;
  readonly rows: Record<string, number>;
  readonly details: Record<string, unknown>;
}

/**
 * The reference sets a model can be placed by (its published accuracy there, see model-placement.ts): the training
 * sources that `npm run eval -- --multi` evaluates, under its dataset names.
 */
export const REFERENCE_SOURCES: Readonly<Record<string, string>> = {
  'mmlu-pro': 'mmlu-pro',
  'golden/zeroeval_math-l5': 'zeroeval-math',
  'golden/zeroeval_crux': 'zeroeval-crux',
  llmrouter: 'pass-rates-llmrouter',
  'routerdc-split2': 'pass-rates-routerdc',
};

/** Prompts kept per reference set (a seeded sample of its training prompts): enough for a mean accuracy. */
export const REFERENCE_PROMPTS = 300;

function referenceTraits(data: TrainingData, prompts: readonly number[], model: IrtModel, seed: number) {
  return Object.entries(REFERENCE_SOURCES).flatMap(([source, name]) => {
    const members = prompts.filter((prompt) => data.prompts[prompt]!.source === source);
    if (members.length === 0) return [];
    const order = foldAssignment(members.length, members.length, seed + 3);
    const sample = members.filter((_, index) => order[index]! < REFERENCE_PROMPTS);
    const xs = irtInputs(
      model,
      sample.map((prompt) => data.prompts[prompt]!.embedding),
      sample.map((prompt) => data.prompts[prompt]!.text),
    );
    const traits = xs.flatMap((x) => [...promptTraits(model, x)]);
    return [{ name, prompts: sample.length, traits }];
  });
}

const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

/**
 * Cross-validation on training data only, then the model over all of it:
 * 1. five folds by prompt give every training prompt a held-out gain;
 * 2. per task family, a shrinkage of the gain towards the family mean and a length weight are adopted only when
 *    they beat the model as fitted on that family's held-out pair APGR by more than the margin;
 * 3. leave-one-source-out: each group (a source, or one family of a source) is held out of a fit of the others and
 *    scored on its own model pairs (unseen prompts, often an unseen family and pairs the fit does not know); and
 *    leave-one-pair-out: the same with one of the group's model pairs left out of every source too: the
 *    generalisation tables of the manifest;
 * 4. the final fit on every training prompt, and the family classifier that gates the family settings.
 */
export function trainIrt(
  data: TrainingData,
  seed: number,
  settings: IrtSettings = DEFAULT_IRT_SETTINGS,
  onProgress?: (stage: string, done: number, total: number) => void,
  options: { leaveOneSourceOut?: boolean } = {},
): TrainedIrt {
  const prompts = irtTrainingPrompts(data);
  const fitSettings = { ...settings, seed };
  if (!data.correctness.some((row) => row.correctness.has(data.pair.strong)) && data.battles.length === 0)
    throw new InvalidInputError(`The irt router needs labels of the strong model '${data.pair.strong}'.`);
  const logChars = new Map(prompts.map((prompt) => [prompt, promptFeatures(data.prompts[prompt]!.text)[0]!]));
  const space = inputSpace(data, prompts, settings.components);

  // 1. Held-out gains for every training prompt.
  const fold = foldAssignment(prompts.length, IRT_FOLDS, seed);
  const heldOutGain = new Map<number, number>();
  for (let held = 0; held < IRT_FOLDS; held++) {
    onProgress?.('irt: cross-validation folds', held, IRT_FOLDS);
    const train = prompts.filter((_, index) => fold[index] !== held);
    const test = prompts.filter((_, index) => fold[index] === held);
    const fit = fitIrtCore(data, buildProblem(data, train), fitSettings, space);
    pairGains(fit.model, data, test).forEach((gain, index) => heldOutGain.set(test[index]!, gain));
  }

  // 2. Per family: shrinkage and length weight.
  const families = [...new Set(prompts.map((prompt) => data.prompts[prompt]!.family))].sort();
  const lengthMean = new Float32Array(families.length);
  const lengthScale = new Float32Array(families.length);
  const lengthWeight = new Float32Array(families.length);
  const gainShrink = new Float32Array(families.length).fill(1);
  const familyResults: IrtCrossValidation['families'] = {};
  const adjust = (familyIndex: number, prompt: number, gain: number, familyGain: number) =>
    familyGain +
    gainShrink[familyIndex]! * (gain - familyGain) +
    (lengthWeight[familyIndex]! * (logChars.get(prompt)! - lengthMean[familyIndex]!)) / lengthScale[familyIndex]!;
  families.forEach((family, familyIndex) => {
    const members = prompts.filter((prompt) => data.prompts[prompt]!.family === family);
    const values = members.map((prompt) => logChars.get(prompt)!);
    const familyMean = mean(values);
    lengthMean[familyIndex] = familyMean;
    lengthScale[familyIndex] = Math.sqrt(mean(values.map((value) => (value - familyMean) ** 2))) || 1;
    const allGroups = [...correctnessGroups(data, members).values()].filter((list) => list.length >= MIN_GROUP_PROMPTS);
    // The router routes the deployment pair: where the family has that pair's own labels, they decide (other pairs'
    // within-family signals did not transfer to it: held out, MMLU-Pro's pairs favour short prompts, the pair's own
    // MMLU labels long ones); elsewhere every pair of the family's sources does.
    const pairGroups = allGroups.filter((list) => hasDeploymentPair(data, list));
    const groups = pairGroups.length > 0 ? pairGroups : allGroups;
    if (groups.length === 0) return;
    const heldOutMean = mean(members.map((prompt) => heldOutGain.get(prompt)!));
    const objective = (shrink: number, weight: number) => {
      const results = groups.flatMap((list) => {
        const scores = list.map(
          (prompt) =>
            heldOutMean +
            shrink * (heldOutGain.get(prompt)! - heldOutMean) +
            (weight * (logChars.get(prompt)! - lengthMean[familyIndex]!)) / lengthScale[familyIndex]!,
        );
        const result = sourcePairApgr(data, list, scores);
        return result ? [result.apgr] : [];
      });
      return results.length > 0 ? mean(results) : Number.NaN;
    };
    const asFitted = objective(1, 0);
    if (!Number.isFinite(asFitted)) return;
    const tried = GAIN_SHRINKS.flatMap((shrink) =>
      LENGTH_WEIGHTS.map((weight) => ({ shrink, weight, value: objective(shrink, weight) })),
    ).filter((entry) => Number.isFinite(entry.value));
    const best = Math.max(...tried.map((entry) => entry.value));
    // Within the margin of the best, keep as much of the model and as little length as possible (tried is in
    // that order: shrink descending, weight ascending).
    const chosen =
      best > asFitted + PARSIMONY_MARGIN
        ? tried.find((entry) => entry.value >= best - PARSIMONY_MARGIN)!
        : { shrink: 1, weight: 0, value: asFitted };
    gainShrink[familyIndex] = chosen.shrink;
    lengthWeight[familyIndex] = chosen.weight;
    familyResults[family] = {
      gainShrink: chosen.shrink,
      lengthWeight: chosen.weight,
      asFitted,
      chosen: chosen.value,
      deploymentPair: pairGroups.length > 0,
    };
  });

  // 3. Leave one source out, then also one of its model pairs.
  const leaveOneSourceOut: IrtCrossValidation['leaveOneSourceOut'] = {};
  const leaveOnePairOut: IrtCrossValidation['leaveOnePairOut'] = {};
  if (options.leaveOneSourceOut ?? true) {
    const groups = [...correctnessGroups(data, prompts)].filter(([, held]) => held.length >= MIN_GROUP_PROMPTS);
    groups.forEach(([group, held], done) => {
      onProgress?.('irt: leave-one-source-out', done, groups.length);
      const heldSet = new Set(held);
      const rest = prompts.filter((prompt) => !heldSet.has(prompt));
      const familyIndex = families.indexOf(data.prompts[held[0]!]!.family);
      const lengths = held.map((prompt) => logChars.get(prompt)!);
      const adjusted = (gains: Float64Array) => {
        const gainMean = mean([...gains]);
        return held.map((prompt, index) => adjust(familyIndex, prompt, gains[index]!, gainMean));
      };
      const gains = pairGains(fitIrtCore(data, buildProblem(data, rest), fitSettings, space).model, data, held);
      const gain = sourcePairApgr(data, held, gains);
      const length = sourcePairApgr(data, held, lengths);
      const adjustedGain = sourcePairApgr(data, held, adjusted(gains));
      if (gain && length && adjustedGain)
        leaveOneSourceOut[group] = {
          prompts: held.length,
          pairs: gain.pairs,
          gain: gain.apgr,
          length: length.apgr,
          adjusted: adjustedGain.apgr,
        };

      const pair = heldOutPair(data, held);
      if (!pair) return;
      const source = data.prompts[held[0]!]!.source;
      const withoutPair = buildProblem(data, rest, new Set(pair.map((model) => poolingModelName(source, model))));
      const pairGainsUnknown =
        withoutPair.droppedLabels > 0
          ? pairGains(fitIrtCore(data, withoutPair, fitSettings, space).model, data, held)
          : gains;
      leaveOnePairOut[group] = {
        strong: pair[0],
        weak: pair[1],
        labelsElsewhere: withoutPair.droppedLabels,
        length: pairApgr(data, held, lengths, pair)!,
        gain: pairApgr(data, held, pairGainsUnknown, pair)!,
        adjusted: pairApgr(data, held, adjusted(pairGainsUnknown), pair)!,
        gainPairKnown: pairApgr(data, held, gains, pair)!,
      };
    });
  }

  onProgress?.('irt: final fit', 0, 1);
  const final = fitIrtCore(data, buildProblem(data, prompts), fitSettings, space);
  const familyLabels = Int32Array.from(prompts, (prompt) => families.indexOf(data.prompts[prompt]!.family));
  const familyWeights = fitFamilyClassifier(final.inputs, final.inputCount, familyLabels, families.length);
  const finalGains = pairGains(final.model, data, prompts);
  const familyGain = Float32Array.from(families, (family) =>
    mean(prompts.flatMap((prompt, row) => (data.prompts[prompt]!.family === family ? [finalGains[row]!] : []))),
  );
  const model: IrtModel = {
    ...final.model,
    families,
    familyWeights,
    familyGain,
    gainShrink,
    lengthMean,
    lengthScale,
    lengthWeight,
  };
  // How often the classifier that gates the family settings is sure of a training prompt's family.
  const confident = prompts.filter((_, row) => {
    const shares = familyShares(model, final.inputs.subarray(row * final.inputCount, (row + 1) * final.inputCount));
    return Math.max(...shares) >= 0.8;
  }).length;
  onProgress?.('irt: final fit', 1, 1);
  const inputs = final.inputCount;
  const references = referenceTraits(data, prompts, model, seed);
  return {
    parameters: {
      components: model.components,
      skills: model.skills,
      models: model.models,
      strong: data.pair.strong,
      weak: data.pair.weak,
      families,
      references: references.map(({ name, prompts: count }) => ({ name, prompts: count })),
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
      crossValidation: { families: familyResults, leaveOneSourceOut, leaveOnePairOut } satisfies IrtCrossValidation,
    },
    tensors: {
      projection: final.projectionTensor,
      featureMean: { shape: [PROMPT_FEATURE_COUNT], data: model.featureMean },
      featureScale: { shape: [PROMPT_FEATURE_COUNT], data: model.featureScale },
      promptWeights: { shape: [1 + model.skills, inputs], data: model.promptWeights },
      modelWeights: { shape: [model.models.length, 1 + model.skills], data: model.modelWeights },
      familyWeights: { shape: [families.length, inputs], data: familyWeights },
      familyGain: { shape: [families.length], data: familyGain },
      gainShrink: { shape: [families.length], data: gainShrink },
      lengthMean: { shape: [families.length], data: lengthMean },
      lengthScale: { shape: [families.length], data: lengthScale },
      lengthWeight: { shape: [families.length], data: lengthWeight },
      referenceTraits: {
        shape: [references.reduce((sum, set) => sum + set.prompts, 0), 1 + model.skills],
        data: Float32Array.from(references.flatMap((set) => [...set.traits])),
      },
    },
  };
}

import { evaluateScores } from '../../core/evaluate.ts';
import { gainToScore, KNN_GAIN_ROUTER, LENGTH_SPREAD_FLOOR, priorGain } from '../../core/knn-gain-router.ts';
import { topK } from '../../core/nearest-neighbours.ts';
import { createPrng } from '../../core/prng.ts';
import { quantiles } from '../../core/quantile.ts';
import { PROMPT_FEATURE_COUNT, promptFeatures } from '../../core/prompt-features.ts';
import type { TensorToPack } from '../../core/router-tensors.ts';
import { dotRowsMany, packRows, projectRows } from '../../core/similarity.ts';
import { solveSymmetricPositiveDefinite } from '../../core/linear-algebra.ts';
import { STRONG_MODEL, WEAK_MODEL, type TrainingData } from './dataset.ts';
import { compressEmbeddings, type CompressionReport } from './embedding-compression.ts';
import { expectedGains, fitItemResponse } from './item-response.ts';
import { spearman } from './rank-correlation.ts';
import { foldAssignment, heldOutBenchmarks, labelledPrompts, type LabelledPrompt } from './training-benchmarks.ts';

/** How a gold prompt's quality gain is labelled: the observed correctness difference, or the item-response estimate. */
export type GainLabels = 'observed' | 'item-response';

/** Stage 1 grid: the task-type prior (labels and neighbours averaged). */
export const PRIOR_GRID = { labels: ['observed', 'item-response'] as const, k: [10, 25, 50, 100] };

/**
 * Stage 2: the difficulty term of a task family. 'local' and 'global' are length z-scores (against the prompt's
 * neighbourhood, or all rows); 'statistics' is a ridge fit of the gain on every prompt statistic (promptFeatures),
 * within the family, offered only to families with gold labels to fit it on.
 */
export type DifficultyTerm = 'none' | 'local' | 'global' | 'statistics';

/** Stage 2 grid: the weight of the difficulty term, per task family. */
export const DIFFICULTY_WEIGHTS = [0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5];

/**
 * Ridge penalty of the 'statistics' term (on standardised statistics, about 1,000 rows per family). Training CV on
 * the gold families was flat between 10 and 100 and lower at 1,000 (prototype, see the routers notebook).
 */
export const STATISTICS_RIDGE = 100;

/** A family's ridge fit of the gain on the prompt statistics, as weights on the raw statistics plus an offset. */
export interface StatisticsFit {
  readonly weights: Float64Array;
  readonly offset: number;
}

export function predictStatistics(fit: StatisticsFit, features: ArrayLike<number>): number {
  return fit.weights.reduce((sum, weight, j) => sum + weight * features[j]!, fit.offset);
}

/**
 * Ridge regression of the target on the standardised statistics, without intercept on a centred target: its
 * prediction averages 0 over the rows it was fitted on, so it orders prompts within the family without moving the
 * family as a whole (that is the prior's job). Statistics constant within the family get weight 0.
 */
export function fitStatistics(rows: readonly { features: ArrayLike<number>; target: number }[]): StatisticsFit {
  const count = PROMPT_FEATURE_COUNT;
  const featureMean = new Float64Array(count);
  const featureScale = new Float64Array(count);
  for (const row of rows) for (let j = 0; j < count; j++) featureMean[j] = featureMean[j]! + row.features[j]! / rows.length;
  for (const row of rows) for (let j = 0; j < count; j++) featureScale[j] = featureScale[j]! + (row.features[j]! - featureMean[j]!) ** 2 / rows.length;
  for (let j = 0; j < count; j++) featureScale[j] = Math.sqrt(featureScale[j]!);
  const used = (j: number) => featureScale[j]! > 1e-9;
  const targetMean = rows.reduce((sum, row) => sum + row.target, 0) / rows.length;
  const normal = new Float64Array(count * count);
  const rhs = new Float64Array(count);
  for (let j = 0; j < count; j++) normal[j * count + j] = STATISTICS_RIDGE;
  for (const row of rows) {
    const z = Array.from({ length: count }, (_, j) => (used(j) ? (row.features[j]! - featureMean[j]!) / featureScale[j]! : 0));
    for (let i = 0; i < count; i++) {
      rhs[i] = rhs[i]! + z[i]! * (row.target - targetMean);
      for (let j = 0; j < count; j++) normal[i * count + j] = normal[i * count + j]! + z[i]! * z[j]!;
    }
  }
  const coefficients = solveSymmetricPositiveDefinite(normal, rhs);
  const weights = Float64Array.from(coefficients, (value, j) => (used(j) ? value / featureScale[j]! : 0));
  return { weights, offset: -weights.reduce((sum, weight, j) => sum + weight * featureMean[j]!, 0) };
}

/**
 * A family's linear term (global length or statistics) is clipped to the range it takes on that family's own
 * training rows, these quantiles of it: a fit on one kind of prompt says nothing about statistics it never saw, and
 * the family mix applies it to every prompt with neighbours of that family (unbounded, the MMLU statistics term was
 * ten times larger on chat prompts than on MMLU ones).
 */
export const TERM_BOUNDS = [0.01, 0.99];

/**
 * Stage 2 accepts a family's term only if the pooled held-out objective (all labelled prompts, every chosen term
 * mixed in by neighbourhood share) stays within this of the prior's alone. The reference is fixed, so this is the
 * loss all families together may cost: twice the parsimony margin, as the pooled benchmark's chat-as-tie labels are
 * an assumption rather than a measurement, but no more (unchecked, the length terms cost it 0.07).
 */
export const POOLED_TOLERANCE = 0.01;

/** A family needs this many rows with a within-family target before its own data may choose a length term. */
export const MIN_FAMILY_ROWS = 100;

/**
 * A difficulty term is adopted for a family only when it beats no term by more than this on the family's
 * cross-validated objective, and the smallest weight within this of the best is taken (noise is ~0.005 here).
 */
export const PARSIMONY_MARGIN = 0.005;

/** Training prompts whose local length statistics are pooled for the neighbourhood (fixed, not tuned). */
export const NEIGHBOURHOOD = 50;

/** Most unlabelled rows (prompts with only a difficulty, GSM8K train) shipped as neighbourhood rows. */
export const MAX_DIFFICULTY_ROWS = 2000;

export const CROSS_VALIDATION_FOLDS = 5;

/**
 * Quality gain labels (strong minus weak, in [-1, 1]) of the labelled prompts, in the same order. Chat instructions
 * have no correctness: a pairwise judge prefers the stronger model on most of them (length-controlled median 0.82),
 * including open writing where both answers are good, so a preference is not a quality gain. They are centred at a
 * tie (gain 0) and keep the judge's length-controlled variation between instructions: winRate - mean winRate.
 */
export function gainLabels(data: TrainingData, labelled: readonly LabelledPrompt[], method: GainLabels): Float32Array {
  const gains = new Float32Array(labelled.length);
  const chatRates = labelled.filter((item) => item.strongCorrect === undefined).map((item) => data.prompts[item.prompt]!.strongWinRate!);
  const chatMean = chatRates.reduce((sum, rate) => sum + rate, 0) / Math.max(1, chatRates.length);
  const estimated = new Map<number, number>();
  if (method === 'item-response') {
    const rowsBySource = new Map<string, { prompt: number; correctness: ReadonlyMap<string, number> }[]>();
    for (const row of data.correctness) {
      const source = data.prompts[row.prompt]!.source;
      const list = rowsBySource.get(source) ?? [];
      list.push(row);
      rowsBySource.set(source, list);
    }
    for (const rows of rowsBySource.values()) {
      const fit = fitItemResponse(rows.map((row) => row.correctness));
      if (!fit.ability.has(STRONG_MODEL) || !fit.ability.has(WEAK_MODEL)) continue;
      const values = expectedGains(fit, STRONG_MODEL, WEAK_MODEL);
      rows.forEach((row, index) => estimated.set(row.prompt, values[index]!));
    }
  }
  labelled.forEach((item, index) => {
    if (item.strongCorrect === undefined) gains[index] = data.prompts[item.prompt]!.strongWinRate! - chatMean;
    else gains[index] = estimated.get(item.prompt) ?? item.strongCorrect - item.weakCorrect!;
  });
  return gains;
}

/** Rows of the model: every labelled prompt, then a seeded sample of prompts that only carry a difficulty. */
function modelRows(data: TrainingData, seed: number): { labelled: LabelledPrompt[]; difficultyOnly: number[] } {
  const labelled = labelledPrompts(data);
  const candidates = data.prompts.flatMap((prompt, index) => (prompt.difficulty !== undefined && prompt.strongWinRate === undefined ? [index] : []));
  const next = createPrng(seed + 1);
  for (let index = candidates.length - 1; index > 0; index--) {
    const other = Math.floor(next() * (index + 1));
    [candidates[index], candidates[other]] = [candidates[other]!, candidates[index]!];
  }
  return { labelled, difficultyOnly: candidates.slice(0, MAX_DIFFICULTY_ROWS).sort((a, b) => a - b) };
}

interface HeldOutPrediction {
  /** Prior gain for each setting of stage 1, keyed by JSON of { labels, k }. */
  readonly priors: Map<string, number>;
  readonly localZ: number;
  readonly globalZ: number;
  /** Share of each family among the row's neighbourhood (training folds only): how its difficulty terms mix. */
  readonly shares: Float32Array;
}

/** A stage-2 candidate: its family's held-out objective and the pooled objective with it mixed in. */
interface DifficultyChoice {
  readonly term: DifficultyTerm;
  readonly weight: number;
  readonly value: number;
  readonly pooled: number;
}

export interface KnnGainCrossValidation {
  readonly prior: readonly { settings: { labels: GainLabels; k: number }; apgr: Record<string, number>; objective: number }[];
  /** Per family: the choice, and the choice the pooled guard overruled (when it did). */
  readonly difficulty: Record<string, { objective: string; none: number; best: DifficultyChoice; unguarded?: DifficultyChoice }>;
  /** The pooled objective of the prior alone, the loss allowed below it, and that of the chosen model. */
  readonly pooled: { reference: number; tolerance: number; final: number };
}

/**
 * Held-out values at weight 1 of a family's term for every row (of any family): each fold's rows get the term fitted
 * without them (`termFor(held)`), clipped to the TERM_BOUNDS quantiles it takes on the family's other-fold rows.
 */
export function boundedHeldOut(familyRows: readonly number[], fold: Int32Array, termFor: (held: number) => (row: number) => number): Float64Array {
  const values = new Float64Array(fold.length);
  for (let held = 0; held < CROSS_VALIDATION_FOLDS; held++) {
    const term = termFor(held);
    const [low, high] = quantiles(familyRows.filter((row) => fold[row] !== held).map(term), TERM_BOUNDS);
    fold.forEach((rowFold, row) => {
      if (rowFold === held) values[row] = Math.min(high!, Math.max(low!, term(row)));
    });
  }
  return values;
}

const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

function apgrOf(data: TrainingData, items: readonly LabelledPrompt[], scores: readonly number[]): Record<string, number> {
  const result: Record<string, number> = {};
  for (const { benchmark, members } of heldOutBenchmarks(data, items)) {
    if (Math.abs(benchmark.items.reduce((sum, item) => sum + item.strongQuality - item.weakQuality, 0)) < 1e-9) continue;
    result[benchmark.name] = evaluateScores(benchmark, KNN_GAIN_ROUTER, members.map((position) => scores[position]!)).apgr;
  }
  return result;
}

export interface TrainedKnnGain {
  readonly parameters: Record<string, unknown>;
  readonly tensors: Record<string, TensorToPack>;
  readonly rows: Record<string, number>;
  readonly crossValidation: KnnGainCrossValidation;
  readonly compression: CompressionReport;
}

/**
 * Two-stage cross-validation on training data only, then the model over all rows.
 * Stage 1 picks the labels and k of the prior by the mean held-out APGR over the training benchmarks (each gold
 * source, and all labelled prompts pooled). Stage 2 picks, per task family in name order, a difficulty term (none,
 * local or global length, or the statistics fit for families with gold labels, and its weight) by that family's own
 * held-out objective: the mean APGR over its gold sources, or for a family with difficulty targets only (GSM8K train:
 * calculation steps) the rank correlation of score and difficulty; among the candidates that keep the pooled
 * objective, with every term chosen so far mixed in by neighbourhood share, within POOLED_TOLERANCE of the prior's.
 * Chat instructions have no within-family correctness, so chat gets no term of its own.
 */
export function trainKnnGain(data: TrainingData, seed: number, onProgress?: (done: number, total: number) => void): TrainedKnnGain {
  const { labelled, difficultyOnly } = modelRows(data, seed);
  const rowPrompts = [...labelled.map((item) => item.prompt), ...difficultyOnly];
  const dimensions = data.prompts[0]!.embedding.length;
  // Cross-validation compares prompts exactly as the shipped router will: projected queries against stored rows.
  const compressed = compressEmbeddings(packRows(rowPrompts.map((prompt) => data.prompts[prompt]!.embedding), dimensions), dimensions, { seed });
  const { rows: storedRows, dimensions: components } = compressed.stored;
  const projectedRows = projectRows(rowPrompts.map((prompt) => data.prompts[prompt]!.embedding), compressed.stored.projection, dimensions, components);
  const rowFeatures = rowPrompts.map((prompt) => promptFeatures(data.prompts[prompt]!.text));
  const logChars = Float32Array.from(rowFeatures, (features) => features[0]!);
  const lengthMean = mean([...logChars]);
  const lengthScale = Math.sqrt(mean([...logChars].map((value) => (value - lengthMean) ** 2))) || 1;
  const families = [...new Set(rowPrompts.map((prompt) => data.prompts[prompt]!.family))].sort();
  const familyOf = Float32Array.from(rowPrompts, (prompt) => families.indexOf(data.prompts[prompt]!.family));
  const labelSets = new Map(PRIOR_GRID.labels.map((method) => [method, gainLabels(data, labelled, method)]));
  const priorKeys = PRIOR_GRID.labels.flatMap((labels) => PRIOR_GRID.k.map((k) => JSON.stringify({ labels, k })));

  // Held-out predictions for every row, each from a model built on the other folds.
  const fold = foldAssignment(rowPrompts.length, CROSS_VALIDATION_FOLDS, seed);
  const predictions: HeldOutPrediction[] = new Array(rowPrompts.length);
  const maxK = Math.max(...PRIOR_GRID.k);
  for (let held = 0; held < CROSS_VALIDATION_FOLDS; held++) {
    const trainRows = rowPrompts.flatMap((_, row) => (fold[row] !== held ? [row] : []));
    const trainLabelled = trainRows.filter((row) => row < labelled.length);
    const testRows = rowPrompts.flatMap((_, row) => (fold[row] === held ? [row] : []));
    const matrix = packRows(trainRows.map((row) => storedRows.subarray(row * components, (row + 1) * components)), components);
    const labelledCount = trainLabelled.length;
    for (let start = 0; start < testRows.length; start += 64) {
      const batch = testRows.slice(start, start + 64);
      const similarities = dotRowsMany(batch.map((row) => projectedRows[row]!), matrix, components);
      batch.forEach((row, position) => {
        const similarity = similarities[position]!;
        const nearestLabelled = topK(similarity.subarray(0, labelledCount), maxK);
        const priors = new Map<string, number>();
        for (const method of PRIOR_GRID.labels) {
          const gains = Float32Array.from(trainLabelled, (labelledRow) => labelSets.get(method)![labelledRow]!);
          for (const k of PRIOR_GRID.k) priors.set(JSON.stringify({ labels: method, k }), priorGain(gains, nearestLabelled.subarray(0, k)));
        }
        const neighbourhood = topK(similarity, NEIGHBOURHOOD);
        const shares = new Float32Array(families.length);
        let sum = 0;
        let squares = 0;
        for (const index of neighbourhood) {
          sum += logChars[trainRows[index]!]!;
          squares += logChars[trainRows[index]!]! ** 2;
          shares[familyOf[trainRows[index]!]!] = shares[familyOf[trainRows[index]!]!]! + 1 / neighbourhood.length;
        }
        const localMean = sum / neighbourhood.length;
        const spread = Math.sqrt(Math.max(0, squares / neighbourhood.length - localMean ** 2));
        predictions[row] = {
          priors,
          localZ: (logChars[row]! - localMean) / (spread + LENGTH_SPREAD_FLOOR),
          globalZ: (logChars[row]! - lengthMean) / lengthScale,
          shares,
        };
      });
    }
    onProgress?.(held + 1, CROSS_VALIDATION_FOLDS);
  }

  // Stage 1: the prior.
  const labelledScores = (key: string, adjust: (row: number) => number = () => 0) =>
    labelled.map((_, row) => gainToScore(predictions[row]!.priors.get(key)! + adjust(row)));
  const priorResults = priorKeys
    .map((key) => {
      const apgr = apgrOf(data, labelled, labelledScores(key));
      return { settings: JSON.parse(key) as { labels: GainLabels; k: number }, apgr, objective: mean(Object.values(apgr)) };
    })
    .sort((a, b) => b.objective - a.objective);
  const bestPrior = priorResults[0]!.settings;
  const bestKey = JSON.stringify(bestPrior);

  // Stage 2: a difficulty term per family, each candidate as held-out values at weight 1 for every row (bounded like
  // the shipped term: the fit and its bounds come from the other folds), so that it can be scored both within its
  // family and mixed into every labelled prompt by neighbourhood share.
  const gains = labelSets.get(bestPrior.labels)!;
  const priorOf = (row: number) => predictions[row]!.priors.get(bestKey)!;
  const pooled = heldOutBenchmarks(data, labelled).find(({ benchmark }) => benchmark.name === 'pooled')!;
  const pooledObjective = (adjustment: ArrayLike<number>) =>
    evaluateScores(pooled.benchmark, KNN_GAIN_ROUTER, pooled.members.map((row) => gainToScore(priorOf(row) + adjustment[row]!))).apgr;
  const acceptedAdjustment = new Float64Array(labelled.length);
  const pooledReference = pooledObjective(acceptedAdjustment);
  const localWeight = new Float32Array(families.length);
  const featureWeights = new Float32Array(families.length * PROMPT_FEATURE_COUNT);
  const featureOffset = new Float32Array(families.length);
  const termLow = new Float32Array(families.length);
  const termHigh = new Float32Array(families.length);
  const difficulty: KnnGainCrossValidation['difficulty'] = {};
  families.forEach((family, familyIndex) => {
    const rows = rowPrompts.flatMap((_, row) => (familyOf[row] === familyIndex ? [row] : []));
    const goldRows = rows.filter((row) => row < labelled.length && labelled[row]!.strongCorrect !== undefined);
    const targetRows = rows.filter((row) => data.prompts[rowPrompts[row]!]!.difficulty !== undefined);
    let objective: ((values: Float64Array, weight: number) => number) | undefined;
    let name = '';
    if (goldRows.length >= MIN_FAMILY_ROWS) {
      name = 'mean held-out APGR over its gold sources';
      const items = goldRows.map((row) => labelled[row]!);
      objective = (values, weight) => {
        const perSource = apgrOf(data, items, goldRows.map((row) => gainToScore(priorOf(row) + weight * values[row]!)));
        delete perSource['pooled'];
        return mean(Object.values(perSource));
      };
    } else if (targetRows.length >= MIN_FAMILY_ROWS) {
      name = 'rank correlation of score and difficulty';
      const targets = targetRows.map((row) => data.prompts[rowPrompts[row]!]!.difficulty!);
      objective = (values, weight) => spearman(targetRows.map((row) => gainToScore(priorOf(row) + weight * values[row]!)), targets);
    }
    if (!objective) return;
    const candidates = new Map<Exclude<DifficultyTerm, 'none'>, Float64Array>([
      ['local', Float64Array.from(predictions, (prediction) => prediction.localZ)],
      ['global', boundedHeldOut(rows, fold, () => (row) => predictions[row]!.globalZ)],
    ]);
    if (goldRows.length >= MIN_FAMILY_ROWS) {
      candidates.set(
        'statistics',
        boundedHeldOut(rows, fold, (held) => {
          const fit = fitStatistics(goldRows.filter((row) => fold[row] !== held).map((row) => ({ features: rowFeatures[row]!, target: gains[row]! })));
          return (row) => predictStatistics(fit, rowFeatures[row]!);
        }),
      );
    }
    const pooledWith = (values: Float64Array, weight: number) =>
      pooledObjective(Float64Array.from(acceptedAdjustment, (adjustment, row) => adjustment + predictions[row]!.shares[familyIndex]! * weight * values[row]!));
    const none = objective(new Float64Array(rowPrompts.length), 0);
    const noneChoice: DifficultyChoice = { term: 'none', weight: 0, value: none, pooled: pooledObjective(acceptedAdjustment) };
    const scored = [...candidates].map(([term, values]) =>
      DIFFICULTY_WEIGHTS.map((weight): DifficultyChoice => ({ term, weight, value: objective!(values, weight), pooled: pooledWith(values, weight) })),
    );
    const choose = (admissible: (entry: DifficultyChoice) => boolean) => {
      let best = noneChoice;
      for (const entries of scored.map((all) => all.filter(admissible))) {
        if (entries.length === 0) continue;
        const top = Math.max(...entries.map((entry) => entry.value));
        if (top <= none + PARSIMONY_MARGIN || top <= best.value) continue;
        best = entries.find((entry) => entry.value >= top - PARSIMONY_MARGIN)!;
      }
      return best;
    };
    const best = choose((entry) => entry.pooled >= pooledReference - POOLED_TOLERANCE);
    const unguarded = choose(() => true);
    if (best.term === 'local') localWeight[familyIndex] = best.weight;
    if (best.term === 'global') {
      // weight * (lnChars - lengthMean) / lengthScale as a linear term on ln chars (feature 0).
      featureWeights[familyIndex * PROMPT_FEATURE_COUNT] = best.weight / lengthScale;
      featureOffset[familyIndex] = (-best.weight * lengthMean) / lengthScale;
    }
    if (best.term === 'statistics') {
      const fit = fitStatistics(goldRows.map((row) => ({ features: rowFeatures[row]!, target: gains[row]! })));
      fit.weights.forEach((value, feature) => (featureWeights[familyIndex * PROMPT_FEATURE_COUNT + feature] = best.weight * value));
      featureOffset[familyIndex] = best.weight * fit.offset;
    }
    if (best.term === 'global' || best.term === 'statistics') {
      const linear: StatisticsFit = {
        weights: Float64Array.from(featureWeights.subarray(familyIndex * PROMPT_FEATURE_COUNT, (familyIndex + 1) * PROMPT_FEATURE_COUNT)),
        offset: featureOffset[familyIndex]!,
      };
      const [low, high] = quantiles(rows.map((row) => predictStatistics(linear, rowFeatures[row]!)), TERM_BOUNDS);
      termLow[familyIndex] = low!;
      termHigh[familyIndex] = high!;
    }
    if (best.term !== 'none') {
      const values = candidates.get(best.term)!;
      for (let row = 0; row < labelled.length; row++) acceptedAdjustment[row] = acceptedAdjustment[row]! + predictions[row]!.shares[familyIndex]! * best.weight * values[row]!;
    }
    const guarded = unguarded.term !== best.term || unguarded.weight !== best.weight;
    difficulty[family] = { objective: name, none, best, ...(guarded && { unguarded }) };
  });
  const pooledReport = { reference: pooledReference, tolerance: POOLED_TOLERANCE, final: pooledObjective(acceptedAdjustment) };

  return {
    parameters: { k: bestPrior.k, labels: bestPrior.labels, neighbourhood: NEIGHBOURHOOD, families },
    rows: { labelledPrompts: labelled.length, difficultyOnlyPrompts: difficultyOnly.length },
    crossValidation: { prior: priorResults, difficulty, pooled: pooledReport },
    compression: compressed.report,
    tensors: {
      projection: compressed.tensors.projection,
      embeddings: compressed.tensors.embeddings,
      gains: { shape: [labelled.length], data: gains },
      logChars: { shape: [rowPrompts.length], data: logChars },
      family: { shape: [rowPrompts.length], data: familyOf },
      localWeight: { shape: [families.length], data: localWeight },
      featureWeights: { shape: [families.length, PROMPT_FEATURE_COUNT], data: featureWeights },
      featureOffset: { shape: [families.length], data: featureOffset },
      termLow: { shape: [families.length], data: termLow },
      termHigh: { shape: [families.length], data: termHigh },
    },
  };
}

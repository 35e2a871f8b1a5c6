import {
  evaluateScores,
  gainToScore,
  KNN_GAIN_ROUTER,
  LENGTH_SPREAD_FLOOR,
  priorGain,
  topK,
  createPrng,
  promptFeatures,
  type TensorToPack,
  dotRowsMany,
  packRows,
  projectRows,
} from '../core/index.ts';
import type { TrainingData } from './dataset.ts';
import { compressEmbeddings, type CompressionReport } from './embedding-compression.ts';
import { expectedGains, fitItemResponse } from './item-response.ts';
import { spearman } from './rank-correlation.ts';
import { foldAssignment, heldOutBenchmarks, labelledPrompts, type LabelledPrompt } from './training-benchmarks.ts';

/** How a gold prompt's quality gain is labelled: the observed correctness difference, or the item-response estimate. */
export type GainLabels = 'observed' | 'item-response';

/** Stage 1 grid: the task-type prior (labels and neighbours averaged). */
export const PRIOR_GRID = { labels: ['observed', 'item-response'] as const, k: [10, 25, 50, 100] };

/** Stage 2 grid: the weight of a length z-score, per task family. */
export const DIFFICULTY_WEIGHTS = [0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5];

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
  const chatRates = labelled
    .filter((item) => item.strongCorrect === undefined)
    .map((item) => data.prompts[item.prompt]!.strongWinRate!);
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
      if (!fit.ability.has(data.pair.strong) || !fit.ability.has(data.pair.weak)) continue;
      const values = expectedGains(fit, data.pair.strong, data.pair.weak);
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
  const candidates = data.prompts.flatMap((prompt, index) =>
    prompt.difficulty !== undefined && prompt.strongWinRate === undefined ? [index] : [],
  );
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
}

export interface KnnGainCrossValidation {
  readonly prior: readonly {
    settings: { labels: GainLabels; k: number };
    apgr: Record<string, number>;
    objective: number;
  }[];
  readonly difficulty: Record<
    string,
    { objective: string; none: number; best: { term: 'none' | 'local' | 'global'; weight: number; value: number } }
  >;
}

const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

function apgrOf(
  data: TrainingData,
  items: readonly LabelledPrompt[],
  scores: readonly number[],
): Record<string, number> {
  const result: Record<string, number> = {};
  for (const { benchmark, members } of heldOutBenchmarks(data, items)) {
    if (Math.abs(benchmark.items.reduce((sum, item) => sum + item.strongQuality - item.weakQuality, 0)) < 1e-9)
      continue;
    result[benchmark.name] = evaluateScores(
      benchmark,
      KNN_GAIN_ROUTER,
      members.map((position) => scores[position]!),
    ).apgr;
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
 * source, and all labelled prompts pooled). Stage 2 picks, per task family, a length term (none, local or global,
 * and its weight) by that family's own held-out objective: the mean APGR over its gold sources, or for a family
 * with difficulty targets only (GSM8K train: calculation steps) the rank correlation of score and difficulty.
 * Chat instructions have no within-family correctness, so chat gets no length term.
 */
export function trainKnnGain(
  data: TrainingData,
  seed: number,
  onProgress?: (done: number, total: number) => void,
): TrainedKnnGain {
  const { labelled, difficultyOnly } = modelRows(data, seed);
  const rowPrompts = [...labelled.map((item) => item.prompt), ...difficultyOnly];
  const dimensions = data.prompts[0]!.embedding.length;
  // Cross-validation compares prompts exactly as the shipped router will: projected queries against stored rows.
  const compressed = compressEmbeddings(
    packRows(
      rowPrompts.map((prompt) => data.prompts[prompt]!.embedding),
      dimensions,
    ),
    dimensions,
    { seed },
  );
  const { rows: storedRows, dimensions: components } = compressed.stored;
  const projectedRows = projectRows(
    rowPrompts.map((prompt) => data.prompts[prompt]!.embedding),
    compressed.stored.projection,
    dimensions,
    components,
  );
  const logChars = Float32Array.from(rowPrompts, (prompt) => promptFeatures(data.prompts[prompt]!.text)[0]!);
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
    const matrix = packRows(
      trainRows.map((row) => storedRows.subarray(row * components, (row + 1) * components)),
      components,
    );
    const labelledCount = trainLabelled.length;
    for (let start = 0; start < testRows.length; start += 64) {
      const batch = testRows.slice(start, start + 64);
      const similarities = dotRowsMany(
        batch.map((row) => projectedRows[row]!),
        matrix,
        components,
      );
      batch.forEach((row, position) => {
        const similarity = similarities[position]!;
        const nearestLabelled = topK(similarity.subarray(0, labelledCount), maxK);
        const priors = new Map<string, number>();
        for (const method of PRIOR_GRID.labels) {
          const gains = Float32Array.from(trainLabelled, (labelledRow) => labelSets.get(method)![labelledRow]!);
          for (const k of PRIOR_GRID.k)
            priors.set(JSON.stringify({ labels: method, k }), priorGain(gains, nearestLabelled.subarray(0, k)));
        }
        const neighbourhood = topK(similarity, NEIGHBOURHOOD);
        let sum = 0;
        let squares = 0;
        for (const index of neighbourhood) {
          sum += logChars[trainRows[index]!]!;
          squares += logChars[trainRows[index]!]! ** 2;
        }
        const localMean = sum / neighbourhood.length;
        const spread = Math.sqrt(Math.max(0, squares / neighbourhood.length - localMean ** 2));
        predictions[row] = {
          priors,
          localZ: (logChars[row]! - localMean) / (spread + LENGTH_SPREAD_FLOOR),
          globalZ: (logChars[row]! - lengthMean) / lengthScale,
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
      return {
        settings: JSON.parse(key) as { labels: GainLabels; k: number },
        apgr,
        objective: mean(Object.values(apgr)),
      };
    })
    .sort((a, b) => b.objective - a.objective);
  const bestPrior = priorResults[0]!.settings;
  const bestKey = JSON.stringify(bestPrior);

  // Stage 2: a length term per family.
  const localWeight = new Float32Array(families.length);
  const globalWeight = new Float32Array(families.length);
  const difficulty: KnnGainCrossValidation['difficulty'] = {};
  families.forEach((family, familyIndex) => {
    const rows = rowPrompts.flatMap((_, row) => (familyOf[row] === familyIndex ? [row] : []));
    const goldRows = rows.filter((row) => row < labelled.length && labelled[row]!.strongCorrect !== undefined);
    const targetRows = rows.filter((row) => data.prompts[rowPrompts[row]!]!.difficulty !== undefined);
    let objective: ((term: 'local' | 'global' | 'none', weight: number) => number) | undefined;
    let name = '';
    if (goldRows.length >= MIN_FAMILY_ROWS) {
      name = 'mean held-out APGR over its gold sources';
      const items = goldRows.map((row) => labelled[row]!);
      objective = (term, weight) => {
        const scores = goldRows.map((row) => {
          const prediction = predictions[row]!;
          const z = term === 'local' ? prediction.localZ : term === 'global' ? prediction.globalZ : 0;
          return gainToScore(prediction.priors.get(bestKey)! + weight * z);
        });
        const perSource = apgrOf(data, items, scores);
        delete perSource['pooled'];
        return mean(Object.values(perSource));
      };
    } else if (targetRows.length >= MIN_FAMILY_ROWS) {
      name = 'rank correlation of score and difficulty';
      const targets = targetRows.map((row) => data.prompts[rowPrompts[row]!]!.difficulty!);
      objective = (term, weight) =>
        spearman(
          targetRows.map((row) => {
            const prediction = predictions[row]!;
            const z = term === 'local' ? prediction.localZ : term === 'global' ? prediction.globalZ : 0;
            return gainToScore(prediction.priors.get(bestKey)! + weight * z);
          }),
          targets,
        );
    }
    if (!objective) return;
    const none = objective('none', 0);
    let best: { term: 'none' | 'local' | 'global'; weight: number; value: number } = {
      term: 'none',
      weight: 0,
      value: none,
    };
    for (const term of ['local', 'global'] as const) {
      const values = DIFFICULTY_WEIGHTS.map((weight) => ({ weight, value: objective!(term, weight) }));
      const top = Math.max(...values.map((entry) => entry.value));
      if (top <= none + PARSIMONY_MARGIN || top <= best.value) continue;
      const chosen = values.find((entry) => entry.value >= top - PARSIMONY_MARGIN)!;
      best = { term, weight: chosen.weight, value: chosen.value };
    }
    if (best.term === 'local') localWeight[familyIndex] = best.weight;
    if (best.term === 'global') globalWeight[familyIndex] = best.weight;
    difficulty[family] = { objective: name, none, best };
  });

  const gains = labelSets.get(bestPrior.labels)!;
  return {
    parameters: {
      k: bestPrior.k,
      labels: bestPrior.labels,
      neighbourhood: NEIGHBOURHOOD,
      families,
      lengthMean,
      lengthScale,
    },
    rows: { labelledPrompts: labelled.length, difficultyOnlyPrompts: difficultyOnly.length },
    crossValidation: { prior: priorResults, difficulty },
    compression: compressed.report,
    tensors: {
      projection: compressed.tensors.projection,
      embeddings: compressed.tensors.embeddings,
      gains: { shape: [labelled.length], data: gains },
      logChars: { shape: [rowPrompts.length], data: logChars },
      family: { shape: [rowPrompts.length], data: familyOf },
      localWeight: { shape: [families.length], data: localWeight },
      globalWeight: { shape: [families.length], data: globalWeight },
    },
  };
}

import { evaluateScores } from '../../core/evaluate.ts';
import { gainToScore, KNN_GAIN_ROUTER, neighbourhoodGain } from '../../core/knn-gain-router.ts';
import { topK } from '../../core/nearest-neighbours.ts';
import { promptFeatures } from '../../core/prompt-features.ts';
import type { TensorToPack } from '../../core/router-tensors.ts';
import { dotRows, packRows } from '../../core/similarity.ts';
import { STRONG_MODEL, WEAK_MODEL, type TrainingData } from './dataset.ts';
import { expectedGains, fitItemResponse } from './item-response.ts';
import { foldAssignment, heldOutBenchmarks, labelledPrompts, type LabelledPrompt } from './training-benchmarks.ts';

/** How a gold prompt's quality gain is labelled: the observed correctness difference, or the item-response estimate. */
export type GainLabels = 'observed' | 'item-response';

export interface KnnGainSettings {
  readonly labels: GainLabels;
  readonly k: number;
  readonly lengthWeight: number;
}

/** The grid cross-validation searches (small on purpose: every point is a decision made on training data only). */
export const KNN_GAIN_GRID = {
  labels: ['observed', 'item-response'] as const,
  k: [10, 25, 50, 100],
  lengthWeight: [0, 0.01, 0.02, 0.05],
};

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

export interface CrossValidationResult {
  readonly settings: KnnGainSettings;
  /** Mean APGR over folds of each training benchmark, and their mean (the objective). */
  readonly apgr: Readonly<Record<string, number>>;
  readonly objective: number;
}

/**
 * k-fold cross-validation of every grid point on the labelled training prompts. Neighbour lists are computed once
 * per fold (up to the largest k) and shared by all settings. Results sorted best first.
 */
export function crossValidateKnnGain(
  data: TrainingData,
  seed: number,
  onProgress?: (done: number, total: number) => void,
): CrossValidationResult[] {
  const labelled = labelledPrompts(data);
  const fold = foldAssignment(labelled.length, CROSS_VALIDATION_FOLDS, seed);
  const labelSets = new Map(KNN_GAIN_GRID.labels.map((method) => [method, gainLabels(data, labelled, method)]));
  const logChars = Float32Array.from(labelled, (item) => promptFeatures(data.prompts[item.prompt]!.text)[0]!);
  const maxK = Math.max(...KNN_GAIN_GRID.k);
  const dimensions = data.prompts[0]!.embedding.length;
  const totals = new Map<string, Map<string, number[]>>();
  for (let held = 0; held < CROSS_VALIDATION_FOLDS; held++) {
    const trainRows = labelled.flatMap((_, index) => (fold[index] !== held ? [index] : []));
    const testRows = labelled.flatMap((_, index) => (fold[index] === held ? [index] : []));
    const matrix = packRows(trainRows.map((index) => data.prompts[labelled[index]!.prompt]!.embedding), dimensions);
    const similarities = new Float32Array(trainRows.length);
    const neighbours = testRows.map((index) => topK(dotRows(data.prompts[labelled[index]!.prompt]!.embedding, matrix, dimensions, similarities), maxK));
    const benchmarks = heldOutBenchmarks(data, testRows.map((index) => labelled[index]!));
    for (const method of KNN_GAIN_GRID.labels) {
      const labels = labelSets.get(method)!;
      const model = { gains: Float32Array.from(trainRows, (index) => labels[index]!), logChars: Float32Array.from(trainRows, (index) => logChars[index]!) };
      for (const k of KNN_GAIN_GRID.k) {
        for (const lengthWeight of KNN_GAIN_GRID.lengthWeight) {
          const scores = testRows.map((index, position) => gainToScore(neighbourhoodGain({ ...model, k, lengthWeight }, neighbours[position]!, logChars[index]!)));
          const key = JSON.stringify({ labels: method, k, lengthWeight });
          const perBenchmark = totals.get(key) ?? new Map<string, number[]>();
          for (const { benchmark, members } of benchmarks) {
            if (Math.abs(benchmark.items.reduce((sum, item) => sum + item.strongQuality - item.weakQuality, 0)) < 1e-9) continue;
            const apgr = evaluateScores(benchmark, KNN_GAIN_ROUTER, members.map((position) => scores[position]!)).apgr;
            perBenchmark.set(benchmark.name, [...(perBenchmark.get(benchmark.name) ?? []), apgr]);
          }
          totals.set(key, perBenchmark);
        }
      }
    }
    onProgress?.(held + 1, CROSS_VALIDATION_FOLDS);
  }
  const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  return [...totals]
    .map(([key, perBenchmark]) => {
      const apgr = Object.fromEntries([...perBenchmark].map(([name, values]) => [name, mean(values)]));
      return { settings: JSON.parse(key) as KnnGainSettings, apgr, objective: mean(Object.values(apgr)) };
    })
    .sort((a, b) => b.objective - a.objective);
}

export interface TrainedKnnGain {
  readonly parameters: { readonly k: number; readonly lengthWeight: number; readonly labels: GainLabels };
  readonly tensors: Record<string, TensorToPack>;
  readonly rows: number;
  readonly crossValidation: readonly CrossValidationResult[];
}

/** Chooses settings by cross-validation, then keeps every labelled prompt as a neighbour. */
export function trainKnnGain(data: TrainingData, seed: number, onProgress?: (done: number, total: number) => void): TrainedKnnGain {
  const crossValidation = crossValidateKnnGain(data, seed, onProgress);
  const best = crossValidation[0]!.settings;
  const labelled = labelledPrompts(data);
  const dimensions = data.prompts[0]!.embedding.length;
  return {
    parameters: { k: best.k, lengthWeight: best.lengthWeight, labels: best.labels },
    rows: labelled.length,
    crossValidation,
    tensors: {
      embeddings: { dtype: 'float16', shape: [labelled.length, dimensions], data: packRows(labelled.map((item) => data.prompts[item.prompt]!.embedding), dimensions) },
      gains: { shape: [labelled.length], data: gainLabels(data, labelled, best.labels) },
      logChars: { shape: [labelled.length], data: Float32Array.from(labelled, (item) => promptFeatures(data.prompts[item.prompt]!.text)[0]!) },
    },
  };
}

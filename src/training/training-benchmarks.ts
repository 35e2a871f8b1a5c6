import { createBenchmark, type Benchmark, createPrng } from '../core/index.ts';
import type { TrainingData } from './dataset.ts';

/**
 * Benchmarks made from training data, for choosing hyperparameters by cross-validation (the RouteLLM benchmarks
 * are test sets and are never used for that). Each gold source is one benchmark of its held-out prompts (quality =
 * the pair's correctness, as on MMLU and GSM8K), and 'pooled' mixes every held-out labelled prompt, with chat
 * instructions counted as equally well answered by both models (the assumption the gain labels make), so that
 * routing between kinds of task is scored as well as routing within one.
 */
export interface LabelledPrompt {
  /** Index into TrainingData.prompts. */
  readonly prompt: number;
  readonly source: string;
  /** The pair's correctness for gold prompts; undefined for chat instructions. */
  readonly strongCorrect?: number;
  readonly weakCorrect?: number;
}

/**
 * Prompts that carry a deployment-pair label: gold rows with both models' correctness, a user's battles on which
 * the pair met (the strong model's win rate and its complement stand for the two qualities, as in the user's test),
 * and chat instructions.
 */
export function labelledPrompts(data: TrainingData): LabelledPrompt[] {
  const pairOf = new Map<number, { strong: number; weak: number }>();
  for (const row of data.correctness) {
    const strong = row.correctness.get(data.pair.strong);
    const weak = row.correctness.get(data.pair.weak);
    if (strong !== undefined && weak !== undefined) pairOf.set(row.prompt, { strong, weak });
  }
  const labelled: LabelledPrompt[] = [];
  data.prompts.forEach((prompt, index) => {
    const pair = pairOf.get(index);
    if (pair)
      labelled.push({ prompt: index, source: prompt.source, strongCorrect: pair.strong, weakCorrect: pair.weak });
    else if (prompt.source === 'user-battles' && prompt.strongWinRate !== undefined) {
      labelled.push({
        prompt: index,
        source: prompt.source,
        strongCorrect: prompt.strongWinRate,
        weakCorrect: 1 - prompt.strongWinRate,
      });
    } else if (prompt.family === 'chat' && prompt.strongWinRate !== undefined)
      labelled.push({ prompt: index, source: prompt.source });
  });
  return labelled;
}

/** A seeded assignment of items to `folds` folds of (nearly) equal size. */
export function foldAssignment(count: number, folds: number, seed: number): Int32Array {
  const next = createPrng(seed);
  const order = Array.from({ length: count }, (_, index) => index);
  for (let index = count - 1; index > 0; index--) {
    const other = Math.floor(next() * (index + 1));
    [order[index], order[other]] = [order[other]!, order[index]!];
  }
  const fold = new Int32Array(count);
  order.forEach((item, position) => (fold[item] = position % folds));
  return fold;
}

/** The benchmarks of one held-out set: one per gold source with at least `minimumItems` prompts, plus 'pooled'. */
export function heldOutBenchmarks(
  data: TrainingData,
  heldOut: readonly LabelledPrompt[],
  minimumItems = 20,
): { benchmark: Benchmark; members: number[] }[] {
  const bySource = new Map<string, number[]>();
  heldOut.forEach((item, position) => {
    if (item.strongCorrect === undefined) return;
    const list = bySource.get(item.source) ?? [];
    list.push(position);
    bySource.set(item.source, list);
  });
  const make = (name: string, members: number[]) => ({
    members,
    benchmark: createBenchmark({
      name,
      weakModel: data.pair.weak,
      strongModel: data.pair.strong,
      qualityUnit: '% correct',
      items: members.map((position) => {
        const item = heldOut[position]!;
        return {
          id: String(item.prompt),
          prompt: data.prompts[item.prompt]!.text,
          weakQuality: 100 * (item.weakCorrect ?? 1),
          strongQuality: 100 * (item.strongCorrect ?? 1),
        };
      }),
    }),
  });
  const benchmarks = [...bySource]
    .filter(([, members]) => members.length >= minimumItems)
    .map(([source, members]) => make(source, members));
  benchmarks.push(
    make(
      'pooled',
      heldOut.map((_, position) => position),
    ),
  );
  return benchmarks;
}

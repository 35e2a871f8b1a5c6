import { createBenchmark, ROUTELLM_MODEL_PAIR, type Benchmark } from './benchmark.ts';

/** One prompt with whether each model answered it correctly (MMLU, GSM8K, or a user's golden-label file). */
export interface CorrectnessRow {
  readonly id: string;
  readonly prompt: string;
  readonly weakCorrect: boolean;
  readonly strongCorrect: boolean;
}

export interface CorrectnessSource {
  /** Benchmark name as used on the command line and in results: 'mmlu', 'gsm8k'. */
  readonly name: string;
  readonly rows: readonly CorrectnessRow[];
  /** Prompts RouteLLM found to be near-duplicates of its training data; rows with exactly this text are dropped. */
  readonly contaminatedPrompts?: Iterable<string>;
  readonly weakModel?: string;
  readonly strongModel?: string;
}

/** Percentage points an item is worth when a model answers it correctly: quality is then "% correct". */
const CORRECT = 100;

/** A "% correct" benchmark, decontaminated by exact prompt match as RouteLLM does for MMLU and GSM8K. */
export function createCorrectnessBenchmark(source: CorrectnessSource): Benchmark {
  const contaminated = new Set(source.contaminatedPrompts ?? []);
  const items = source.rows
    .filter((row) => !contaminated.has(row.prompt))
    .map((row) => ({
      id: row.id,
      prompt: row.prompt,
      weakQuality: row.weakCorrect ? CORRECT : 0,
      strongQuality: row.strongCorrect ? CORRECT : 0,
    }));
  return createBenchmark({
    name: source.name,
    weakModel: source.weakModel ?? ROUTELLM_MODEL_PAIR.weak,
    strongModel: source.strongModel ?? ROUTELLM_MODEL_PAIR.strong,
    qualityUnit: '% correct',
    items,
  });
}

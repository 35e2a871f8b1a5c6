import { InvalidInputError } from './errors.ts';

/** The strong and weak model of RouteLLM's cached benchmark results (see ../shared/README.md). */
export const ROUTELLM_MODEL_PAIR = {
  strong: 'gpt-4-1106-preview',
  weak: 'mistralai/Mixtral-8x7B-Instruct-v0.1',
} as const;

/** One prompt of a benchmark and the quality each model of the routed pair reached on it. */
export interface BenchmarkItem {
  /** Stable identity within the benchmark (question id, or file and row), for display and joins. */
  readonly id: string;
  /** The text a router scores (the turn-1 text for MT-Bench). */
  readonly prompt: string;
  /**
   * Quality when the weak model answers, in the benchmark's reporting unit (100 or 0 for a correct or wrong
   * answer on a "% correct" benchmark), so the benchmark's quality is always the plain mean over items.
   */
  readonly weakQuality: number;
  readonly strongQuality: number;
}

/** A benchmark after loading and decontamination: what every metric in core works on. */
export interface Benchmark {
  readonly name: string;
  readonly weakModel: string;
  readonly strongModel: string;
  /** Unit of quality for tables and plot axes, e.g. '% correct' or 'GPT-4 score (1-10)'. */
  readonly qualityUnit: string;
  readonly items: readonly BenchmarkItem[];
}

/** Validates a benchmark once, at construction: every metric can then trust it. */
export function createBenchmark(benchmark: Benchmark): Benchmark {
  if (benchmark.items.length === 0) {
    throw new InvalidInputError(`Benchmark '${benchmark.name}' has no prompts.`);
  }
  for (const item of benchmark.items) {
    if (!Number.isFinite(item.weakQuality) || !Number.isFinite(item.strongQuality)) {
      throw new InvalidInputError(
        `Benchmark '${benchmark.name}', item ${item.id}: qualities must be finite numbers ` +
          `(weak ${item.weakQuality}, strong ${item.strongQuality}).`,
      );
    }
  }
  return Object.freeze({ ...benchmark, items: Object.freeze([...benchmark.items]) });
}

/** Mean quality of the benchmark when every prompt goes to one model. */
export function modelQuality(benchmark: Benchmark, model: 'weak' | 'strong'): number {
  let total = 0;
  for (const item of benchmark.items) total += model === 'strong' ? item.strongQuality : item.weakQuality;
  return total / benchmark.items.length;
}

/** The prompts a router scores on this benchmark, in item order. */
export function benchmarkPrompts(benchmark: Benchmark): string[] {
  return benchmark.items.map((item) => item.prompt);
}

/** Longest prompt in UTF-16 code units (JavaScript string length), the `length` router's normaliser in evaluation. */
export function maxPromptLength(prompts: readonly string[]): number {
  let longest = 0;
  for (const prompt of prompts) longest = Math.max(longest, prompt.length);
  return longest;
}

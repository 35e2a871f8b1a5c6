import type { Router } from './router.ts';
import { InvalidInputError } from './errors.ts';

/**
 * Without a maximum length the score is length / (length + this), so a prompt of this many characters scores
 * 0.5. 500 characters sits among the typical prompt lengths of the three benchmarks (a GSM8K problem is about
 * 240, an MMLU question about 450 at the median, an MMLU law question well past 1,000), so thresholds spread
 * over a usable range rather than bunching near 0 or 1.
 */
export const LENGTH_HALF_SCORE = 500;

export interface LengthRouterOptions {
  /**
   * Normalise as RouteLLM's toy router: score = length / (maxLength + 1), with maxLength the longest prompt of
   * the set being routed (the evaluation passes it per benchmark to reproduce the golden file). A longer
   * prompt than maxLength scores as maxLength does, so scores stay in [0, 1).
   */
  readonly maxLength?: number;
}

/**
 * The `length` baseline: longer prompts go to the strong model. Length is the JavaScript string length
 * (UTF-16 code units). Every learned router must beat it, and it is stronger than it looks (APGR 0.56 on
 * MT-Bench, 0.58 on MMLU, 0.60 on GSM8K). Scores are in [0, 1) and never decrease with length.
 */
export function createLengthRouter(options: LengthRouterOptions = {}): Router {
  const { maxLength } = options;
  if (maxLength !== undefined && !(Number.isInteger(maxLength) && maxLength >= 0)) {
    throw new InvalidInputError(`The length router's maxLength must be a non-negative integer, got ${maxLength}.`);
  }
  const scoreOne =
    maxLength === undefined
      ? (length: number) => length / (length + LENGTH_HALF_SCORE)
      : (length: number) => Math.min(length, maxLength) / (maxLength + 1);
  return {
    name: 'length',
    score: async (prompts) => prompts.map((prompt) => scoreOne(prompt.length)),
  };
}

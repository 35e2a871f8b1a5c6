import { InvalidInputError } from '../../core/errors.ts';
import { maxDotProducts, packRows } from '../../core/similarity.ts';

/** Cosine at or above which a training prompt counts as a near-duplicate of an evaluation prompt (issue #6). */
export const NEAR_DUPLICATE_COSINE = 0.95;

export interface EmbeddedText {
  readonly text: string;
  /** Unit-length embedding (the router encoder normalises), so a dot product is the cosine. */
  readonly embedding: Float32Array;
}

export interface EvaluationText extends EmbeddedText {
  /** Which benchmark the prompt belongs to, for the report. */
  readonly benchmark: string;
}

export interface Contamination {
  /** Index of the training text. */
  readonly index: number;
  readonly benchmark: string;
  /** Cosine with the closest evaluation prompt (1 for an exact copy). */
  readonly cosine: number;
}

/**
 * The training texts that are, or nearly are, an evaluation prompt: the same text, or an embedding with
 * cosine >= `threshold` to one. Exact comparison over all pairs (no approximate index), so nothing slips through.
 */
export function findContaminated(
  training: readonly EmbeddedText[],
  evaluation: readonly EvaluationText[],
  threshold: number = NEAR_DUPLICATE_COSINE,
): Contamination[] {
  if (evaluation.length === 0 || training.length === 0) return [];
  const dimensions = evaluation[0]!.embedding.length;
  const exact = new Map(evaluation.map((item) => [item.text, item.benchmark]));
  const { max, argmax } = maxDotProducts(
    packRows(training.map((item) => item.embedding), dimensions),
    packRows(evaluation.map((item) => item.embedding), dimensions),
    dimensions,
  );
  const found: Contamination[] = [];
  training.forEach((item, index) => {
    const copied = exact.get(item.text);
    if (copied !== undefined) found.push({ index, benchmark: copied, cosine: 1 });
    else if (max[index]! >= threshold) found.push({ index, benchmark: evaluation[argmax[index]!]!.benchmark, cosine: max[index]! });
  });
  if (found.some((item) => !Number.isFinite(item.cosine))) throw new InvalidInputError('An embedding contains a non-finite value.');
  return found;
}

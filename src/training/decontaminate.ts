import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidInputError, maxDotProducts, packRows } from '../core/index.ts';
import { PROJECT_ROOT } from '../node/index.ts';

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
    packRows(
      training.map((item) => item.embedding),
      dimensions,
    ),
    packRows(
      evaluation.map((item) => item.embedding),
      dimensions,
    ),
    dimensions,
  );
  const found: Contamination[] = [];
  training.forEach((item, index) => {
    const copied = exact.get(item.text);
    if (copied !== undefined) found.push({ index, benchmark: copied, cosine: 1 });
    else if (max[index]! >= threshold)
      found.push({ index, benchmark: evaluation[argmax[index]!]!.benchmark, cosine: max[index]! });
  });
  if (found.some((item) => !Number.isFinite(item.cosine)))
    throw new InvalidInputError('An embedding contains a non-finite value.');
  return found;
}

/** Cached verdicts (content-addressed, git-ignored): the all-pairs comparison takes minutes on two cores. */
export const DEFAULT_DECONTAMINATION_CACHE_DIR = path.join(PROJECT_ROOT, '.cache', 'decontamination');

type Verdict = { benchmark: string; cosine: number } | null;

function digest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * findContaminated with a disk cache of verdicts per training text, keyed by the encoder, the threshold and the
 * exact set of evaluation prompts: a rerun compares only training texts it has not seen before.
 */
export async function findContaminatedCached(
  training: readonly EmbeddedText[],
  evaluation: readonly EvaluationText[],
  encoderId: string,
  threshold: number = NEAR_DUPLICATE_COSINE,
  cacheDir: string = DEFAULT_DECONTAMINATION_CACHE_DIR,
): Promise<Contamination[]> {
  const evaluationDigest = digest(
    evaluation
      .map((item) => `${item.benchmark}\u0000${digest(item.text)}`)
      .sort()
      .join('\n'),
  );
  const file = path.join(
    cacheDir,
    `${digest(`${encoderId}\u0000${threshold}\u0000${evaluationDigest}`).slice(0, 32)}.json`,
  );
  let verdicts: Record<string, Verdict> = {};
  try {
    verdicts = JSON.parse(await readFile(file, 'utf8')) as Record<string, Verdict>;
  } catch {
    // No cache yet (or an unreadable one): compute everything.
  }
  const keys = training.map((item) => digest(item.text));
  const unseen = training.flatMap((item, index) => (keys[index]! in verdicts ? [] : [{ item, index }]));
  if (unseen.length > 0) {
    const found = findContaminated(
      unseen.map(({ item }) => item),
      evaluation,
      threshold,
    );
    for (const { index } of unseen) verdicts[keys[index]!] = null;
    for (const hit of found)
      verdicts[keys[unseen[hit.index]!.index]!] = { benchmark: hit.benchmark, cosine: hit.cosine };
    await mkdir(cacheDir, { recursive: true });
    await writeFile(`${file}.partial`, JSON.stringify(verdicts));
    await rename(`${file}.partial`, file);
  }
  return training.flatMap((_, index) => {
    const verdict = verdicts[keys[index]!];
    return verdict ? [{ index, benchmark: verdict.benchmark, cosine: verdict.cosine }] : [];
  });
}

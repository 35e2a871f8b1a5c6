import { InvalidInputError } from './errors.ts';
import { interp } from './interp.ts';
import { quantileSorted, sortedAscending } from './quantile.ts';

function checkStrongPct(strongPct: number): void {
  if (!(strongPct >= 0 && strongPct <= 1)) {
    throw new InvalidInputError(`strongPct must be a share between 0 and 1, got ${strongPct}.`);
  }
}

function checkScores(scores: ArrayLike<number>): void {
  if (scores.length === 0) throw new InvalidInputError('Calibration needs at least one score.');
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i])) throw new InvalidInputError(`Calibration score ${i} is ${scores[i]}.`);
  }
}

/**
 * The threshold that sends about `strongPct` (a share, 0-1) of these prompts' scores to the strong model
 * (score >= threshold): the (1 - strongPct) quantile, interpolated as the evaluation's thresholds are. The share
 * only holds for traffic scored like these prompts. Where many prompts share the threshold score they all go
 * strong, so the share can come out above strongPct.
 */
export function thresholdForStrongPct(scores: ArrayLike<number>, strongPct: number): number {
  checkStrongPct(strongPct);
  checkScores(scores);
  return quantileSorted(sortedAscending(scores), 1 - strongPct);
}

/** How many evenly spaced quantiles (0%, 1%, ..., 100%) a router manifest stores for calibration. */
export const QUANTILE_TABLE_SIZE = 101;

/** Scores at evenly spaced quantiles from 0 to 1 (inclusive), for storing in a router manifest. */
export function scoreQuantileTable(scores: ArrayLike<number>, size: number = QUANTILE_TABLE_SIZE): number[] {
  checkScores(scores);
  if (!Number.isInteger(size) || size < 2) throw new InvalidInputError(`A quantile table needs at least 2 entries.`);
  const sorted = sortedAscending(scores);
  return Array.from({ length: size }, (_, index) => quantileSorted(sorted, index / (size - 1)));
}

/**
 * Threshold for `strongPct` from a stored quantile table (see scoreQuantileTable), interpolating linearly
 * between its entries: equals thresholdForStrongPct on the calibration scores at the table's grid points.
 */
export function thresholdFromQuantileTable(table: readonly number[], strongPct: number): number {
  checkStrongPct(strongPct);
  if (table.length < 2) throw new InvalidInputError('A quantile table needs at least 2 entries.');
  for (let i = 1; i < table.length; i++) {
    if (!(table[i]! >= table[i - 1]!)) throw new InvalidInputError('A quantile table must be non-decreasing.');
  }
  const grid = table.map((_, index) => index / (table.length - 1));
  return interp(1 - strongPct, grid, table);
}

/**
 * Quantiles exactly as numpy computes them with its default `method='linear'` (`np.quantile`), so thresholds
 * match the RouteLLM evaluation bit for bit rather than "close enough".
 */

import { InvalidInputError } from './errors.ts';

/**
 * The q-quantile of values already sorted in ascending order. Linear interpolation between the two order
 * statistics around the virtual index q * (n - 1), using numpy's two-sided lerp (`_lerp`): interpolating from
 * the nearer end keeps the result exact when q sits on or next to an order statistic.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const count = sorted.length;
  if (count === 0) throw new InvalidInputError('quantile of an empty array');
  if (!(q >= 0 && q <= 1)) throw new InvalidInputError(`quantile q must be in [0, 1], got ${q}`);
  const virtualIndex = (count - 1) * q;
  if (virtualIndex >= count - 1) return sorted[count - 1]!;
  const below = Math.floor(virtualIndex);
  const lower = sorted[below]!;
  const upper = sorted[below + 1]!;
  const gamma = virtualIndex - below;
  const difference = upper - lower;
  return gamma >= 0.5 ? upper - difference * (1 - gamma) : lower + difference * gamma;
}

/** Values sorted ascending in a fresh Float64Array (numeric order, unlike Array.prototype.sort). */
export function sortedAscending(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

/** Several quantiles of unsorted values (sorts once). */
export function quantiles(values: ArrayLike<number>, qs: readonly number[]): number[] {
  const sorted = sortedAscending(values);
  return qs.map((q) => quantileSorted(sorted, q));
}

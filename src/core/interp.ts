import { InvalidInputError } from './errors.ts';

/**
 * One-dimensional linear interpolation with numpy's exact algorithm (`np.interp`, numpy/_core/src/multiarray/
 * compiled_base.c). numpy assumes increasing x-points but does not check; RouteLLM's CPT passes a curve's
 * quality values as x-points, and quality can dip as the strong share grows. Reproducing numpy's search
 * (end checks, a linear scan for short arrays, a guess around index 1, then bisection) gives the same answer
 * on such curves, which is what the published CPT numbers are.
 */

/** Arrays up to this length are scanned linearly, as numpy does. */
const LINEAR_SEARCH_MAX_LENGTH = 4;
/** numpy's LIKELY_IN_CACHE_SIZE: how far around the guess the search first narrows. */
const LIKELY_IN_CACHE_SIZE = 8;

/**
 * numpy's `binary_search_with_guess`: an index i with xp[i] <= key < xp[i + 1] when xp is sorted; -1 below
 * the first x-point, xp.length above the last.
 */
function searchWithGuess(key: number, xp: readonly number[], initialGuess: number): number {
  const length = xp.length;
  if (key > xp[length - 1]!) return length;
  if (key < xp[0]!) return -1;

  if (length <= LINEAR_SEARCH_MAX_LENGTH) {
    let i = 1;
    while (i < length && key >= xp[i]!) i++;
    return i - 1;
  }

  const guess = Math.max(1, Math.min(initialGuess, length - 3));
  let low = 0;
  let high = length;
  if (key < xp[guess]!) {
    if (key < xp[guess - 1]!) {
      high = guess - 1;
      if (guess > LIKELY_IN_CACHE_SIZE && key >= xp[guess - LIKELY_IN_CACHE_SIZE]!) {
        low = guess - LIKELY_IN_CACHE_SIZE;
      }
    } else {
      return guess - 1;
    }
  } else if (key < xp[guess + 1]!) {
    return guess;
  } else if (key < xp[guess + 2]!) {
    return guess + 1;
  } else {
    low = guess + 2;
    if (guess < length - LIKELY_IN_CACHE_SIZE - 1 && key < xp[guess + LIKELY_IN_CACHE_SIZE]!) {
      high = guess + LIKELY_IN_CACHE_SIZE;
    }
  }

  while (low < high) {
    const middle = low + ((high - low) >> 1);
    if (key >= xp[middle]!) low = middle + 1;
    else high = middle;
  }
  return low - 1;
}

/**
 * `np.interp(x, xp, fp)` for one x (numpy starts every scalar query with guess 0). Values outside the
 * x-points clamp to fp's first or last value.
 */
export function interp(x: number, xp: readonly number[], fp: readonly number[]): number {
  const length = xp.length;
  if (length === 0) throw new InvalidInputError('interp: no x-points');
  if (fp.length !== length) throw new InvalidInputError(`interp: ${length} x-points but ${fp.length} values`);
  if (Number.isNaN(x)) return x;
  // One x-point: left and right fill values are both its value.
  if (length === 1) return fp[0]!;

  const j = searchWithGuess(x, xp, 0);
  if (j === -1) return fp[0]!;
  if (j === length) return fp[length - 1]!;
  if (j === length - 1) return fp[j]!;
  if (xp[j] === x) return fp[j]!;

  const slope = (fp[j + 1]! - fp[j]!) / (xp[j + 1]! - xp[j]!);
  let value = slope * (x - xp[j]!) + fp[j]!;
  if (Number.isNaN(value)) {
    // numpy's fallback for an infinite slope: interpolate from the other end, or take the shared value.
    value = slope * (x - xp[j + 1]!) + fp[j + 1]!;
    if (Number.isNaN(value) && fp[j] === fp[j + 1]) value = fp[j]!;
  }
  return value;
}

import { InvalidInputError } from '../core/index.ts';

/** Ranks 1..n, ties sharing their average rank. */
export function averageRanks(values: readonly number[]): Float64Array {
  const order = values.map((_, index) => index).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Float64Array(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && values[order[end + 1]!] === values[order[start]!]) end++;
    const rank = (start + end) / 2 + 1;
    for (let position = start; position <= end; position++) ranks[order[position]!] = rank;
    start = end + 1;
  }
  return ranks;
}

/** Spearman's rank correlation (Pearson correlation of average ranks); 0 when either side is constant. */
export function spearman(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length || a.length < 2)
    throw new InvalidInputError('Spearman correlation needs two equally long lists of at least 2 values.');
  const ra = averageRanks(a);
  const rb = averageRanks(b);
  const meanRank = (a.length + 1) / 2;
  let covariance = 0;
  let varianceA = 0;
  let varianceB = 0;
  for (let index = 0; index < a.length; index++) {
    covariance += (ra[index]! - meanRank) * (rb[index]! - meanRank);
    varianceA += (ra[index]! - meanRank) ** 2;
    varianceB += (rb[index]! - meanRank) ** 2;
  }
  return varianceA === 0 || varianceB === 0 ? 0 : covariance / Math.sqrt(varianceA * varianceB);
}

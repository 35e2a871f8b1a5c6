import type { Benchmark } from './benchmark.ts';
import { InvalidInputError } from './errors.ts';
import { quantileSorted, sortedAscending } from './quantile.ts';

/** One operating point of a router on a benchmark: how often it calls the strong model, and the quality. */
export interface QualityPoint {
  /** Share of prompts sent to the strong model, in percent (0-100). */
  readonly strongPercentage: number;
  /** Mean quality over the benchmark's prompts, in the benchmark's unit. */
  readonly quality: number;
}

export interface CurvePoint extends QualityPoint {
  /** The score threshold that produced this point. */
  readonly threshold: number;
}

/** RouteLLM evaluates 10 equal-count bins, i.e. 11 thresholds. */
export const DEFAULT_CURVE_STEPS = 10;

/**
 * The call-performance curve of a router's scores, exactly as RouteLLM computes it: thresholds are the k/steps
 * quantiles of the scores (numpy's linear interpolation), k = 0..steps; for k < steps a prompt goes strong when
 * its score >= the threshold, for k = steps (the maximum score) when it is > the threshold, so the curve always
 * spans 0% to 100% strong calls. Points are sorted by strong-call percentage.
 *
 * Ties: where many prompts share a score, several quantiles coincide (pandas' qcut, which RouteLLM calls,
 * raises an error there). Here each duplicate threshold yields the same selection and so an identical point;
 * identical points add no area and do not move interpolation, so the metrics stay well defined, and the curve
 * keeps one point per k so its length is always steps + 1.
 */
export function thresholdCurve(
  benchmark: Benchmark,
  scores: readonly number[],
  steps: number = DEFAULT_CURVE_STEPS,
): CurvePoint[] {
  const { items } = benchmark;
  if (scores.length !== items.length) {
    throw new InvalidInputError(`${scores.length} scores for ${items.length} prompts of '${benchmark.name}'.`);
  }
  const badIndex = scores.findIndex((score) => !(score >= 0 && score <= 1));
  if (badIndex !== -1) {
    throw new InvalidInputError(
      `Score ${scores[badIndex]} for prompt ${items[badIndex]!.id} of '${benchmark.name}' is not in [0, 1].`,
    );
  }
  if (!Number.isInteger(steps) || steps < 1) throw new InvalidInputError(`Curve steps must be a positive integer.`);

  const sorted = sortedAscending(scores);
  const points: CurvePoint[] = [];
  for (let k = 0; k <= steps; k++) {
    const threshold = quantileSorted(sorted, k / steps);
    const inclusive = k < steps;
    let strongCount = 0;
    let qualitySum = 0;
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      const score = scores[i]!;
      if (inclusive ? score >= threshold : score > threshold) {
        strongCount++;
        qualitySum += item.strongQuality;
      } else {
        qualitySum += item.weakQuality;
      }
    }
    points.push({
      threshold,
      strongPercentage: (strongCount / items.length) * 100,
      quality: qualitySum / items.length,
    });
  }
  return sortByStrongPercentage(points);
}

/** Ascending by strong-call percentage; stable, so equal percentages keep their order. */
export function sortByStrongPercentage<Point extends QualityPoint>(points: readonly Point[]): Point[] {
  return [...points].sort((a, b) => a.strongPercentage - b.strongPercentage);
}

/**
 * Averages several curves of one stochastic router (one per seed), grouping points by strong-call percentage
 * as the RouteLLM paper does for `random`: each group's quality and threshold are the means over its points.
 */
export function averageCurves(curves: readonly (readonly CurvePoint[])[]): CurvePoint[] {
  const groups = new Map<number, CurvePoint[]>();
  for (const point of curves.flat()) {
    const group = groups.get(point.strongPercentage);
    if (group) group.push(point);
    else groups.set(point.strongPercentage, [point]);
  }
  const mean = (values: number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;
  return sortByStrongPercentage(
    [...groups].map(([strongPercentage, group]) => ({
      threshold: mean(group.map((point) => point.threshold)),
      strongPercentage,
      quality: mean(group.map((point) => point.quality)),
    })),
  );
}

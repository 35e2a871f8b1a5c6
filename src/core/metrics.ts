import type { QualityPoint } from './curve.ts';
import { InvalidInputError } from './errors.ts';
import { interp } from './interp.ts';
import { trapezoid } from './trapezoid.ts';

/** Quality levels, as % of the weak-to-strong gap, at which RouteLLM reports the strong-call % needed (CPT). */
export const CPT_LEVELS = [20, 50, 80] as const;
export type CptLevel = (typeof CPT_LEVELS)[number];

/** Everything RouteLLM reports about one call-performance curve. */
export interface CurveMetrics {
  /** Area under quality over strong-call share (x in 0..1). */
  readonly auc: number;
  /** Average performance gap recovered: (AUC - weak area) / (strong area - weak area). */
  readonly apgr: number;
  /** Call-performance threshold: the strong-call % needed to reach weak + level% of the gap. */
  readonly cpt: Readonly<Record<CptLevel, number>>;
  /** Performance gap recovered at each point of the curve, in curve order. */
  readonly pgr: readonly number[];
}

/** Share of the weak-to-strong quality gap that a quality recovers (0 = weak, 1 = strong). */
export function performanceGapRecovered(quality: number, weak: number, strong: number): number {
  return (quality - weak) / (strong - weak);
}

/**
 * RouteLLM's metrics (routellm/evals/evaluate.py) for a curve sorted by strong-call percentage, with the weak and
 * strong model's quality on the same benchmark. Computed as numpy does: `np.trapz` for the areas (the constant
 * weak and strong "curves" integrated over the same x-points) and `np.interp` with the curve's qualities as
 * x-points for CPT, so a curve whose quality dips gets numpy's answer, not a monotone repair of it.
 */
export function curveMetrics(curve: readonly QualityPoint[], weak: number, strong: number): CurveMetrics {
  if (curve.length === 0) throw new InvalidInputError('A curve needs at least one point.');
  if (!(strong !== weak && Number.isFinite(strong) && Number.isFinite(weak))) {
    throw new InvalidInputError(
      `The strong and weak model have the same quality (${strong}): there is no gap to recover.`,
    );
  }
  const x = curve.map((point) => point.strongPercentage / 100);
  const quality = curve.map((point) => point.quality);
  const auc = trapezoid(quality, x);
  const weakArea = trapezoid(
    x.map(() => weak),
    x,
  );
  const strongArea = trapezoid(
    x.map(() => strong),
    x,
  );
  const strongPercentages = curve.map((point) => point.strongPercentage);
  const cptAt = (level: CptLevel): number => interp((level / 100) * (strong - weak) + weak, quality, strongPercentages);
  return {
    auc,
    apgr: (auc - weakArea) / (strongArea - weakArea),
    cpt: { 20: cptAt(20), 50: cptAt(50), 80: cptAt(80) },
    pgr: quality.map((value) => performanceGapRecovered(value, weak, strong)),
  };
}

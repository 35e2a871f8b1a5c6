import { createBenchmark, modelQuality, type Benchmark } from './benchmark.ts';
import { thresholdCurve } from './curve.ts';
import { InvalidInputError } from './errors.ts';
import { curveMetrics } from './metrics.ts';
import { createPrng } from './prng.ts';
import { quantileSorted } from './quantile.ts';

export interface BootstrapInterval {
  readonly apgr: number;
  readonly low: number;
  readonly high: number;
  readonly resamples: number;
}

/** The default number of resamples: enough for stable 2.5% and 97.5% percentiles. */
export const DEFAULT_BOOTSTRAP_RESAMPLES = 1000;

const apgrOf = (benchmark: Benchmark, scores: readonly number[]) =>
  curveMetrics(thresholdCurve(benchmark, scores), modelQuality(benchmark, 'weak'), modelQuality(benchmark, 'strong'))
    .apgr;

/**
 * Percentile bootstrap interval of a router's APGR on a benchmark: the benchmark's items are resampled with
 * replacement (scores travel with their items) and APGR recomputed each time. MT-Bench has only 72 questions, so
 * one APGR there is a noisy number; this says how noisy. Resamples whose weak and strong quality tie are skipped
 * (APGR is undefined there).
 */
export function bootstrapApgr(
  benchmark: Benchmark,
  scores: readonly number[],
  options: { resamples?: number; level?: number; seed?: number } = {},
): BootstrapInterval {
  const resamples = options.resamples ?? DEFAULT_BOOTSTRAP_RESAMPLES;
  const level = options.level ?? 0.95;
  if (scores.length !== benchmark.items.length)
    throw new InvalidInputError(`Got ${scores.length} scores for ${benchmark.items.length} items.`);
  const next = createPrng(options.seed ?? 0);
  const values: number[] = [];
  const count = benchmark.items.length;
  for (let resample = 0; resample < resamples; resample++) {
    const picks = Array.from({ length: count }, () => Math.floor(next() * count));
    const items = picks.map((pick) => benchmark.items[pick]!);
    const gap = items.reduce((sum, item) => sum + item.strongQuality - item.weakQuality, 0);
    if (Math.abs(gap) < 1e-12) continue;
    const apgr = apgrOf(
      createBenchmark({ ...benchmark, items }),
      picks.map((pick) => scores[pick]!),
    );
    if (Number.isFinite(apgr)) values.push(apgr);
  }
  values.sort((a, b) => a - b);
  const tail = (1 - level) / 2;
  return {
    apgr: apgrOf(benchmark, scores),
    low: quantileSorted(values, tail),
    high: quantileSorted(values, 1 - tail),
    resamples: values.length,
  };
}

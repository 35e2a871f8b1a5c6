import { createBenchmark, type Benchmark } from './benchmark.ts';
import { InvalidInputError } from './errors.ts';
import { evaluateScores } from './evaluate.ts';
import { createPrng } from './prng.ts';
import { quantileSorted } from './quantile.ts';

export interface BootstrapInterval {
  readonly apgr: number;
  readonly low: number;
  readonly high: number;
  readonly resamples: number;
}

/**
 * Percentile bootstrap interval of a router's APGR on a benchmark: the benchmark's items are resampled with
 * replacement (scores travel with their items) and APGR recomputed each time. MT-Bench has only 72 questions, so
 * one APGR there is a noisy number; this says how noisy. Resamples whose weak and strong quality tie are skipped
 * (APGR is undefined there).
 */
export function bootstrapApgr(benchmark: Benchmark, scores: readonly number[], options: { resamples?: number; level?: number; seed?: number } = {}): BootstrapInterval {
  const resamples = options.resamples ?? 1000;
  const level = options.level ?? 0.95;
  if (scores.length !== benchmark.items.length) throw new InvalidInputError(`Got ${scores.length} scores for ${benchmark.items.length} items.`);
  const next = createPrng(options.seed ?? 0);
  const values: number[] = [];
  const count = benchmark.items.length;
  for (let resample = 0; resample < resamples; resample++) {
    const picks = Array.from({ length: count }, () => Math.floor(next() * count));
    const items = picks.map((pick) => benchmark.items[pick]!);
    const gap = items.reduce((sum, item) => sum + item.strongQuality - item.weakQuality, 0);
    if (Math.abs(gap) < 1e-12) continue;
    const apgr = evaluateScores(createBenchmark({ ...benchmark, items }), 'bootstrap', picks.map((pick) => scores[pick]!)).apgr;
    if (Number.isFinite(apgr)) values.push(apgr);
  }
  values.sort((a, b) => a - b);
  const tail = (1 - level) / 2;
  return {
    apgr: evaluateScores(benchmark, 'bootstrap', scores).apgr,
    low: quantileSorted(values, tail),
    high: quantileSorted(values, 1 - tail),
    resamples: values.length,
  };
}

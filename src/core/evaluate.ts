import { benchmarkPrompts, maxPromptLength, modelQuality, type Benchmark } from './benchmark.ts';
import { bootstrapApgr, type BootstrapInterval } from './bootstrap.ts';
import { averageCurves, thresholdCurve, type CurvePoint, type QualityPoint } from './curve.ts';
import { AbortError, InvalidInputError } from './errors.ts';
import { curveMetrics, type CurveMetrics } from './metrics.ts';
import { createFromDefinition, type RouterContext, type RouterDefinition } from './registry.ts';
import type { Router, ScoreOptions } from './router.ts';

/** A router's (or a reference curve's) result on one benchmark: RouteLLM's metrics plus the curve itself. */
export interface RouterEvaluation<Point extends QualityPoint = CurvePoint> extends CurveMetrics {
  readonly router: string;
  readonly benchmark: string;
  /** Number of prompts (questions for MT-Bench) evaluated. */
  readonly n: number;
  /** Quality with every prompt sent to the weak model, and to the strong one. */
  readonly weak: number;
  readonly strong: number;
  /** Sorted by strong-call percentage. */
  readonly curve: readonly Point[];
  /** For a router averaged over seeds: the APGR of each seed, in seed order (the spread behind the mean). */
  readonly seedApgrs?: readonly number[];
  /** The APGR's bootstrap 95% interval over the benchmark's items, when asked for (routers with one score per prompt). */
  readonly interval?: BootstrapInterval;
}

/** Metrics of any curve on a benchmark: a router's, an averaged one, or the oracle's. */
export function evaluateCurve<Point extends QualityPoint>(
  benchmark: Benchmark,
  router: string,
  curve: readonly Point[],
): RouterEvaluation<Point> {
  const weak = modelQuality(benchmark, 'weak');
  const strong = modelQuality(benchmark, 'strong');
  return {
    router,
    benchmark: benchmark.name,
    n: benchmark.items.length,
    weak,
    strong,
    curve,
    ...curveMetrics(curve, weak, strong),
  };
}

/** Metrics of a router's scores (one per benchmark item, in item order). */
export function evaluateScores(benchmark: Benchmark, router: string, scores: readonly number[]): RouterEvaluation {
  return evaluateCurve(benchmark, router, thresholdCurve(benchmark, scores));
}

export interface ScoringOptions extends ScoreOptions {
  /** Prompts per `score` call: the unit of progress and of cancellation. */
  readonly batchSize?: number;
  /** Called after each batch with prompts scored so far and the total. */
  readonly onProgress?: (done: number, total: number) => void;
}

const DEFAULT_BATCH_SIZE = 256;

/** Scores prompts in batches (progress and abort between batches) and checks the router kept its contract. */
export async function scorePrompts(
  router: Router,
  prompts: readonly string[],
  options: ScoringOptions = {},
): Promise<number[]> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new InvalidInputError('batchSize must be a positive integer.');
  const scores: number[] = [];
  for (let start = 0; start < prompts.length; start += batchSize) {
    if (options.signal?.aborted) throw new AbortError();
    const batch = prompts.slice(start, start + batchSize);
    const batchScores = await router.score(batch, options.signal ? { signal: options.signal } : {});
    if (batchScores.length !== batch.length) {
      throw new InvalidInputError(
        `Router '${router.name}' returned ${batchScores.length} scores for ${batch.length} prompts.`,
      );
    }
    scores.push(...batchScores);
    options.onProgress?.(scores.length, prompts.length);
  }
  return scores;
}

export interface EvaluateRouterOptions extends ScoringOptions {
  /** Embedder, weights, seed: whatever the router needs. The benchmark's own maxLength is always added. */
  readonly context?: RouterContext;
  /**
   * Resamples for the APGR's bootstrap interval (0 or absent: none). A router averaged over seeds gets none:
   * its `seedApgrs` are its spread.
   */
  readonly bootstrapResamples?: number;
}

/**
 * Evaluates a router, created from its definition, on a benchmark: it scores every prompt and measures the
 * curve. The context gets `maxLength` = the benchmark's longest prompt (what RouteLLM's toy length router
 * normalises by). A definition with `evaluationSeeds` is created once per seed 0..seeds-1 and its curves are
 * averaged (grouped by strong-call %); `seedApgrs` then gives each seed's APGR.
 */
export async function evaluateRouter(
  definition: RouterDefinition,
  benchmark: Benchmark,
  options: EvaluateRouterOptions = {},
): Promise<RouterEvaluation> {
  const prompts = benchmarkPrompts(benchmark);
  const context: RouterContext = { ...options.context, maxLength: maxPromptLength(prompts) };
  const resamples = options.bootstrapResamples ?? 0;
  if (!(Number.isInteger(resamples) && resamples >= 0)) {
    throw new InvalidInputError(`bootstrapResamples must be a non-negative integer, got ${resamples}.`);
  }
  const seedCount = definition.evaluationSeeds;
  if (seedCount === undefined) {
    const router = await createFromDefinition(definition, context);
    const scores = await scorePrompts(router, prompts, options);
    const evaluation = evaluateScores(benchmark, definition.name, scores);
    return resamples > 0 ? { ...evaluation, interval: bootstrapApgr(benchmark, scores, { resamples }) } : evaluation;
  }

  const curves: CurvePoint[][] = [];
  for (let seed = 0; seed < seedCount; seed++) {
    const router = await createFromDefinition(definition, { ...context, seed });
    const scores = await scorePrompts(router, prompts, {
      ...options,
      onProgress: (done, total) => options.onProgress?.(seed * total + done, seedCount * total),
    });
    curves.push(thresholdCurve(benchmark, scores));
  }
  const seedApgrs = curves.map((curve) => evaluateCurve(benchmark, definition.name, curve).apgr);
  return { ...evaluateCurve(benchmark, definition.name, averageCurves(curves)), seedApgrs };
}

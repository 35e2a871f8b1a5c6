import {
  type Benchmark,
  type QualityPoint,
  evaluateCurve,
  evaluateRouter,
  type RouterEvaluation,
  oracleCurve,
  type RouterContext,
  type RouterDefinition,
  type RouterRegistry,
  type RouterWeights,
  defaultRegistry,
} from '../core/index.ts';
import { BenchmarkLoader, type BenchmarkName, type CustomBenchmarkFile } from './benchmarks.ts';
import { loadCommercialPoints, type CommercialPoint } from './commercial.ts';

/** The name of the baseline every router's APGR is compared with. */
export const RANDOM_BASELINE = 'random';

export interface EvalOptions {
  /** Router names from the registry, or definitions (a freshly trained router not yet registered). */
  readonly routers: readonly (string | RouterDefinition)[];
  /** Benchmarks by name, or built ones (a user's held-out test). */
  readonly benchmarks: readonly (BenchmarkName | Benchmark)[];
  /** The shared data folder (see resolveSharedDir); only a custom-only evaluation can do without it. */
  readonly sharedDir?: string;
  /** Needed when `benchmarks` includes 'custom'. */
  readonly custom?: CustomBenchmarkFile;
  readonly registry?: RouterRegistry;
  /** Embedder, seed and so on for the routers; each benchmark adds its maxLength. */
  readonly context?: RouterContext;
  /**
   * Each router's own weights (read once per router, only for routers that require weights), so routers with
   * different weights are evaluated in one run. A router given `context.weights` instead uses those.
   */
  readonly weightsFor?: (router: string) => Promise<RouterWeights>;
  /** Resamples for each router's bootstrap 95% APGR interval (0 or absent: none). */
  readonly bootstrapResamples?: number;
  /** Progress of scoring, per router and benchmark. */
  readonly onProgress?: (task: { benchmark: string; router: string }, done: number, total: number) => void;
}

export interface BenchmarkReport {
  readonly benchmark: Benchmark;
  /** In the order the routers were asked for. */
  readonly routers: readonly RouterEvaluation[];
  /** The 10-seed random baseline, evaluated whether or not 'random' was asked for. */
  readonly random: RouterEvaluation;
  /** The best any router could do. */
  readonly oracle: RouterEvaluation<QualityPoint>;
  /** Martian and Unify on MT-Bench; empty elsewhere. */
  readonly commercial: readonly CommercialPoint[];
}

/**
 * Evaluates routers on benchmarks: the same function behind `npm run eval`, for training code that writes
 * benchmark results into a manifest. Router names are checked before any data is read.
 */
export async function runEval(options: EvalOptions): Promise<BenchmarkReport[]> {
  const registry = options.registry ?? defaultRegistry;
  const definitions = options.routers.map((router) => (typeof router === 'string' ? registry.get(router) : router));
  const randomDefinition = registry.get(RANDOM_BASELINE);
  const loader = new BenchmarkLoader(options.sharedDir, options.custom);
  const contexts = new Map<string, RouterContext>();
  for (const definition of [...definitions, randomDefinition]) {
    const context = options.context ?? {};
    const needsWeights = definition.requires.includes('weights') && context.weights === undefined && options.weightsFor;
    contexts.set(
      definition.name,
      needsWeights ? { ...context, weights: await options.weightsFor!(definition.name) } : context,
    );
  }

  const reports: BenchmarkReport[] = [];
  for (const name of options.benchmarks) {
    const benchmark = typeof name === 'string' ? await loader.load(name) : name;
    const evaluate = (definition: RouterDefinition) =>
      evaluateRouter(definition, benchmark, {
        context: contexts.get(definition.name)!,
        ...(options.bootstrapResamples ? { bootstrapResamples: options.bootstrapResamples } : {}),
        onProgress: (done, total) =>
          options.onProgress?.({ benchmark: benchmark.name, router: definition.name }, done, total),
      });
    const routers: RouterEvaluation[] = [];
    for (const definition of definitions) routers.push(await evaluate(definition));
    const random =
      routers.find((evaluation) => evaluation.router === RANDOM_BASELINE) ?? (await evaluate(randomDefinition));
    reports.push({
      benchmark,
      routers,
      random,
      oracle: evaluateCurve(benchmark, 'oracle', oracleCurve(benchmark)),
      commercial: name === 'mt-bench' && options.sharedDir ? await loadCommercialPoints(options.sharedDir) : [],
    });
  }
  return reports;
}

/** One router's entry in summary.json, shaped as issue #3 specifies (other tools read it). */
export interface SummaryEntry {
  readonly APGR: number;
  readonly 'CPT(20%)': number;
  readonly 'CPT(50%)': number;
  readonly 'CPT(80%)': number;
  readonly n: number;
  readonly weak: number;
  readonly strong: number;
  readonly curve: readonly { threshold: number; strong_percentage: number; quality: number }[];
}

export type Summary = Record<string, Record<string, SummaryEntry>>;

export function summaryEntry(evaluation: RouterEvaluation): SummaryEntry {
  return {
    APGR: evaluation.apgr,
    'CPT(20%)': evaluation.cpt[20],
    'CPT(50%)': evaluation.cpt[50],
    'CPT(80%)': evaluation.cpt[80],
    n: evaluation.n,
    weak: evaluation.weak,
    strong: evaluation.strong,
    curve: evaluation.curve.map((point) => ({
      threshold: point.threshold,
      strong_percentage: point.strongPercentage,
      quality: point.quality,
    })),
  };
}

/** `{ "<benchmark>": { "<router>": SummaryEntry } }`. */
export function toSummary(reports: readonly BenchmarkReport[]): Summary {
  return Object.fromEntries(
    reports.map((report) => [
      report.benchmark.name,
      Object.fromEntries(report.routers.map((evaluation) => [evaluation.router, summaryEntry(evaluation)])),
    ]),
  );
}

/**
 * What summary.json leaves out, in details.json: each router's gain over random and PGR per point, the
 * random baseline's per-seed spread, the oracle, and the commercial points.
 */
export function toDetails(reports: readonly BenchmarkReport[]): Record<string, unknown> {
  return Object.fromEntries(
    reports.map((report) => [
      report.benchmark.name,
      {
        qualityUnit: report.benchmark.qualityUnit,
        weakModel: report.benchmark.weakModel,
        strongModel: report.benchmark.strongModel,
        routers: Object.fromEntries(
          report.routers.map((evaluation) => [
            evaluation.router,
            {
              deltaVsRandom: evaluation.apgr - report.random.apgr,
              AUC: evaluation.auc,
              pgr: evaluation.pgr,
              ...(evaluation.seedApgrs ? { seedApgrs: evaluation.seedApgrs } : {}),
              ...(evaluation.interval ? { bootstrap: evaluation.interval } : {}),
            },
          ]),
        ),
        random: { APGR: report.random.apgr, seedApgrs: report.random.seedApgrs },
        oracle: {
          APGR: report.oracle.apgr,
          curve: report.oracle.curve.map((point) => ({
            strong_percentage: point.strongPercentage,
            quality: point.quality,
          })),
        },
        commercial: report.commercial,
      },
    ]),
  );
}

import {
  evaluateScores,
  InvalidInputError,
  fitSparseLogistic,
  sigmoid,
  type SparseLogisticRow,
  storedValues,
  type TensorToPack,
  dotRowsMany,
  packRows,
  projectRows,
  SW_RANKING_ROUTER,
  swRankingWinRate,
  type SwRankingModel,
} from '../core/index.ts';
import type { TrainingData } from './dataset.ts';
import { compressEmbeddings } from './embedding-compression.ts';
import { CROSS_VALIDATION_FOLDS } from './train-knn-gain.ts';
import { foldAssignment, heldOutBenchmarks, labelledPrompts } from './training-benchmarks.ts';

/** RouteLLM groups models into 10 tiers (fewer when there are fewer models, so that no tier is empty). */
export const SW_RANKING_TIERS = 10;

export const SW_RANKING_GRID = {
  // biome-ignore lint/suspicious/noApproximativeNumericConstant: a grid point, not log10(e)
  temperature: [0.02, 0.05, 0.1, 0.434],
  priorPrecision: [0.1, 1],
};

const GOLD_JUDGE = 'gold';

interface TierComparison {
  readonly prompt: number;
  readonly a: string;
  readonly b: string;
  /** P(a better) at equal answer length. */
  readonly target: number;
}

/**
 * Global model strengths (a length-controlled Bradley-Terry fit over every judged battle and every golden
 * comparison against the deployment pair) and the comparisons with judge outcomes corrected to equal length:
 * target - (P(win | length ratio) - P(win | equal length)) under the fit, clipped to [0, 1].
 */
function globalFit(data: TrainingData): { strength: Map<string, number>; comparisons: TierComparison[] } {
  const raw: { prompt: number; a: string; b: string; target: number; judge: string; lengthLogRatio: number }[] =
    data.battles.map((battle) => ({
      prompt: battle.prompt,
      a: battle.modelA,
      b: battle.modelB,
      target: battle.winRateA,
      judge: battle.judge,
      lengthLogRatio: battle.lengthLogRatio,
    }));
  for (const row of data.correctness) {
    for (const anchor of [data.pair.strong, data.pair.weak]) {
      const anchorValue = row.correctness.get(anchor);
      if (anchorValue === undefined) continue;
      for (const [model, value] of row.correctness) {
        if (model === anchor || (anchor === data.pair.weak && model === data.pair.strong)) continue;
        raw.push({
          prompt: row.prompt,
          a: model,
          b: anchor,
          target: 0.5 + (value - anchorValue) / 2,
          judge: GOLD_JUDGE,
          lengthLogRatio: 0,
        });
      }
    }
  }
  const models = [...new Set(raw.flatMap((item) => [item.a, item.b]))].sort();
  const judges = [...new Set(raw.map((item) => item.judge))].sort();
  const modelIndex = new Map(models.map((model, index) => [model, index]));
  const judgeIndex = new Map(judges.map((judge, index) => [judge, models.length + index]));
  const rows: SparseLogisticRow[] = raw.map((item) => ({
    indices: [modelIndex.get(item.a)!, modelIndex.get(item.b)!, judgeIndex.get(item.judge)!],
    values: [1, -1, item.lengthLogRatio],
    target: item.target,
    weight: 1,
  }));
  const coef = fitSparseLogistic(rows, models.length + judges.length, { l2: 0.01 });
  const strength = new Map(models.map((model, index) => [model, coef[index]!]));
  const comparisons = raw.map((item) => {
    const gap = strength.get(item.a)! - strength.get(item.b)!;
    const lengthEffect = sigmoid(gap + coef[judgeIndex.get(item.judge)!]! * item.lengthLogRatio) - sigmoid(gap);
    return { prompt: item.prompt, a: item.a, b: item.b, target: Math.min(1, Math.max(0, item.target - lengthEffect)) };
  });
  return { strength, comparisons };
}

/** Tiers of equal model count by global strength, 0 = weakest. */
function assignTiers(strength: ReadonlyMap<string, number>, tiers: number): Map<string, number> {
  const ranked = [...strength].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
  return new Map(
    ranked.map(([model], rank) => [model, Math.min(tiers - 1, Math.floor((rank * tiers) / ranked.length))]),
  );
}

interface TierData {
  readonly tiers: number;
  readonly prompts: number[];
  /** [pairs, 2]: the tier pairs (first < second) that met on any prompt. */
  readonly tierPairs: Int32Array;
  /** [prompts, pairs] */
  readonly wins: Float32Array;
  readonly battles: Float32Array;
  readonly prior: Float32Array;
  readonly modelTiers: Map<string, number>;
}

/** Per-prompt counts for each tier pair that met in training; every prompt's cross-tier comparisons share a total weight of 1. */
function tierData(data: TrainingData): TierData {
  const { strength, comparisons } = globalFit(data);
  const tiers = Math.min(SW_RANKING_TIERS, strength.size);
  const modelTiers = assignTiers(strength, tiers);
  const byPrompt = new Map<number, TierComparison[]>();
  const pairCells = new Set<number>();
  for (const comparison of comparisons) {
    const a = modelTiers.get(comparison.a)!;
    const b = modelTiers.get(comparison.b)!;
    if (a === b) continue;
    pairCells.add(Math.min(a, b) * tiers + Math.max(a, b));
    const list = byPrompt.get(comparison.prompt) ?? [];
    list.push(comparison);
    byPrompt.set(comparison.prompt, list);
  }
  const cells = [...pairCells].sort((x, y) => x - y);
  const pairOf = new Map(cells.map((cell, pair) => [cell, pair]));
  const tierPairs = Int32Array.from(cells.flatMap((cell) => [Math.floor(cell / tiers), cell % tiers]));
  const pairs = cells.length;
  const prompts = [...byPrompt.keys()].sort((a, b) => a - b);
  const wins = new Float32Array(prompts.length * pairs);
  const battles = new Float32Array(prompts.length * pairs);
  prompts.forEach((prompt, row) => {
    const list = byPrompt.get(prompt)!;
    for (const comparison of list) {
      const a = modelTiers.get(comparison.a)!;
      const b = modelTiers.get(comparison.b)!;
      const index = row * pairs + pairOf.get(Math.min(a, b) * tiers + Math.max(a, b))!;
      const weight = 1 / list.length;
      battles[index] = battles[index]! + weight;
      wins[index] = wins[index]! + weight * (a < b ? comparison.target : 1 - comparison.target);
    }
  });
  const prior = new Float32Array(tiers);
  const members = new Float32Array(tiers);
  for (const [model, tier] of modelTiers) {
    prior[tier] = prior[tier]! + strength.get(model)!;
    members[tier] = members[tier]! + 1;
  }
  for (let tier = 0; tier < tiers; tier++) prior[tier] = prior[tier]! / members[tier]!;
  return { tiers, prompts, tierPairs, wins, battles, prior, modelTiers };
}

function subset(
  tier: TierData,
  wins: Float32Array,
  battles: Float32Array,
  rows: readonly number[],
): Pick<SwRankingModel, 'wins' | 'battles'> {
  const pairs = tier.tierPairs.length / 2;
  const subsetWins = new Float32Array(rows.length * pairs);
  const subsetBattles = new Float32Array(rows.length * pairs);
  rows.forEach((row, index) => {
    subsetWins.set(wins.subarray(row * pairs, (row + 1) * pairs), index * pairs);
    subsetBattles.set(battles.subarray(row * pairs, (row + 1) * pairs), index * pairs);
  });
  return { wins: subsetWins, battles: subsetBattles };
}

export interface TrainedSwRanking {
  readonly parameters: Record<string, unknown>;
  readonly tensors: Record<string, TensorToPack>;
  readonly rows: Record<string, number>;
  readonly details: Record<string, unknown>;
}

/** Builds the tier tables, chooses temperature and prior precision by cross-validation on training prompts. */
export function trainSwRanking(
  data: TrainingData,
  seed: number,
  onProgress?: (done: number, total: number) => void,
): TrainedSwRanking {
  const tier = tierData(data);
  const rowOf = new Map(tier.prompts.map((prompt, row) => [prompt, row]));
  const dimensions = data.prompts[0]!.embedding.length;
  const pairs = tier.tierPairs.length / 2;
  // Cross-validation runs on the numbers that ship: compressed embeddings, float16 counts.
  const compressed = compressEmbeddings(
    packRows(
      tier.prompts.map((prompt) => data.prompts[prompt]!.embedding),
      dimensions,
    ),
    dimensions,
    { seed },
  );
  const { rows: storedRows, dimensions: components, projection } = compressed.stored;
  const countTensors = {
    wins: { dtype: 'float16', shape: [tier.prompts.length, pairs], data: tier.wins },
    battles: { dtype: 'float16', shape: [tier.prompts.length, pairs], data: tier.battles },
  } satisfies Record<string, TensorToPack>;
  const storedWins = storedValues(countTensors.wins);
  const storedBattles = storedValues(countTensors.battles);
  const strongTier = tier.modelTiers.get(data.pair.strong);
  const weakTier = tier.modelTiers.get(data.pair.weak);
  if (strongTier === undefined || weakTier === undefined) {
    throw new InvalidInputError(
      `sw-ranking: the training data has no comparison of '${data.pair.strong}' or '${data.pair.weak}'.`,
    );
  }
  if (strongTier === weakTier) {
    throw new InvalidInputError(
      `sw-ranking groups the ${tier.modelTiers.size} models into ${tier.tiers} tiers by overall strength, and '${data.pair.strong}' ` +
        `and '${data.pair.weak}' fall in the same tier (${strongTier}): it would score every prompt 0.5. Choose a pair further apart, or train knn-gain or mf.`,
    );
  }

  const labelled = labelledPrompts(data).filter((item) => rowOf.has(item.prompt));
  const fold = foldAssignment(labelled.length, CROSS_VALIDATION_FOLDS, seed);
  const settings = SW_RANKING_GRID.temperature.flatMap((temperature) =>
    SW_RANKING_GRID.priorPrecision.map((priorPrecision) => ({ temperature, priorPrecision })),
  );
  const totals = settings.map(() => new Map<string, number[]>());
  for (let held = 0; held < CROSS_VALIDATION_FOLDS; held++) {
    const testItems = labelled.filter((_, index) => fold[index] === held);
    const testPrompts = new Set(testItems.map((item) => item.prompt));
    const trainRows = tier.prompts.flatMap((prompt, row) => (testPrompts.has(prompt) ? [] : [row]));
    const rows = packRows(
      trainRows.map((row) => storedRows.subarray(row * components, (row + 1) * components)),
      components,
    );
    const embeddings = { inputDimensions: dimensions, dimensions: components, projection, rows };
    const counts = subset(tier, storedWins, storedBattles, trainRows);
    const similarities = dotRowsMany(
      projectRows(
        testItems.map((item) => data.prompts[item.prompt]!.embedding),
        projection,
        dimensions,
        components,
      ),
      rows,
      components,
    );
    const benchmarks = heldOutBenchmarks(data, testItems);
    settings.forEach((setting, index) => {
      const model: SwRankingModel = {
        tiers: tier.tiers,
        embeddings,
        tierPairs: tier.tierPairs,
        ...counts,
        prior: tier.prior,
        ...setting,
      };
      const scores = similarities.map((similarity) => swRankingWinRate(model, similarity, strongTier, weakTier));
      for (const { benchmark, members } of benchmarks) {
        if (Math.abs(benchmark.items.reduce((sum, item) => sum + item.strongQuality - item.weakQuality, 0)) < 1e-9)
          continue;
        const apgr = evaluateScores(
          benchmark,
          SW_RANKING_ROUTER,
          members.map((position) => scores[position]!),
        ).apgr;
        totals[index]!.set(benchmark.name, [...(totals[index]!.get(benchmark.name) ?? []), apgr]);
      }
    });
    onProgress?.(held + 1, CROSS_VALIDATION_FOLDS);
  }
  const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const crossValidation = settings
    .map((setting, index) => {
      const apgr = Object.fromEntries([...totals[index]!].map(([name, values]) => [name, mean(values)]));
      return { settings: setting, apgr, objective: mean(Object.values(apgr)) };
    })
    .sort((a, b) => b.objective - a.objective);
  const best = crossValidation[0]!.settings;
  const models = [...tier.modelTiers.keys()].sort();
  return {
    parameters: { tiers: tier.tiers, models, defaultPair: data.pair, ...best },
    rows: { prompts: tier.prompts.length, models: models.length, tierPairs: pairs },
    details: { embeddingCompression: compressed.report, crossValidation, strongTier, weakTier },
    tensors: {
      projection: compressed.tensors.projection,
      embeddings: compressed.tensors.embeddings,
      tierPairs: { shape: [pairs, 2], data: Float32Array.from(tier.tierPairs) },
      ...countTensors,
      prior: { shape: [tier.tiers], data: tier.prior },
      modelTiers: { shape: [models.length], data: Float32Array.from(models, (model) => tier.modelTiers.get(model)!) },
    },
  };
}

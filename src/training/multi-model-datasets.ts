/**
 * The datasets `npm run eval -- --multi` routes on: many models' labels for the same prompts, each prompt's quality on
 * each model, reduced to the multi-model test split (isMultiModelTestPrompt; the many-model router never trains on
 * it) and to the models the price table prices. The other prompts are the training split: the prior predictor's means
 * come from there, and nothing else is read from it.
 */
import {
  type Benchmark,
  type PricedModel,
  CHARS_PER_TOKEN,
  createBenchmark,
  DEFAULT_ANSWER_TOKENS,
  InvalidInputError,
} from '../core/index.ts';
import { loadAlpacaEval } from '../node/index.ts';
import { GOLDEN_SOURCES, loadGolden } from './golden.ts';
import { isMultiModelTestPrompt, loadMmluPro, loadPassRates, MIN_PAIR_GAP, pairWeakRanks } from './many-models.ts';
import type { ModelPriceTable } from './model-prices.ts';
import { canonicalModelName } from './model-names.ts';

export const MULTI_MODEL_DATASETS = [
  'mmlu-pro',
  'zeroeval-math',
  'zeroeval-crux',
  'alpaca-eval',
  'pass-rates-llmrouter',
  'pass-rates-routerdc',
] as const;
export type MultiModelDatasetName = (typeof MULTI_MODEL_DATASETS)[number];

export function isMultiModelDatasetName(name: string): name is MultiModelDatasetName {
  return (MULTI_MODEL_DATASETS as readonly string[]).includes(name);
}

/** AlpacaEval 2.0's baseline: every model's quality there is its judged win rate against this model's answer. */
export const ALPACA_EVAL_BASELINE = 'gpt4_1106_preview';

/** A model needs a label on this share of the test prompts to be evaluated (prompts it lacks are then dropped). */
const MIN_LABEL_COVERAGE = 0.95;

export interface MultiModelDataset {
  readonly name: MultiModelDatasetName;
  readonly title: string;
  /** Where a trained router's manifest counts the rows it kept from this dataset's source (`data.report.kept`). */
  readonly keptAs: string;
  /** What a quality of 1 means, for tables and plots. */
  readonly qualityUnit: string;
  /** Priced models with enough labels, by canonical name, best published score first. */
  readonly models: readonly PricedModel[];
  /** Test-split prompts, and per prompt each model's quality (0..1, `models` order). */
  readonly prompts: readonly string[];
  readonly labels: readonly Float64Array[];
  /** Each model's mean quality on the training split (the prior predictor). */
  readonly trainMeans: ReadonlyMap<string, number>;
  /**
   * Each model's aggregate score over the whole dataset, as its leaderboard publishes it (MMLU-Pro accuracy, MATH
   * accuracy, AlpacaEval win rate): what a deployment knows of a model no router has seen.
   */
  readonly publishedScores: ReadonlyMap<string, number>;
  readonly trainPromptCount: number;
  /** Models left out, and why. */
  readonly unpriced: readonly string[];
  readonly sparse: readonly string[];
  /** Test prompts dropped because a kept model has no label for them. */
  readonly droppedPrompts: number;
}

interface LabelledPrompt {
  readonly prompt: string;
  /** Quality by canonical model name. */
  readonly labels: ReadonlyMap<string, number>;
}

interface DatasetMeta {
  readonly name: MultiModelDatasetName;
  readonly title: string;
  readonly keptAs: string;
  readonly qualityUnit: string;
  /** The source prefix canonicalModelName gives models outside the alias table (to find their price by spelling). */
  readonly source: string;
}

function meansOf(rows: readonly LabelledPrompt[]): Map<string, number> {
  const sums = new Map<string, { total: number; count: number }>();
  for (const row of rows) {
    for (const [model, value] of row.labels) {
      const sum = sums.get(model) ?? { total: 0, count: 0 };
      sum.total += value;
      sum.count++;
      sums.set(model, sum);
    }
  }
  return new Map([...sums].map(([model, { total, count }]) => [model, total / count]));
}

function buildDataset(
  meta: DatasetMeta,
  rows: readonly LabelledPrompt[],
  prices: ModelPriceTable,
  answerTokens: ReadonlyMap<string, number> = new Map(),
): MultiModelDataset {
  const test = rows.filter((row) => isMultiModelTestPrompt(row.prompt));
  const train = rows.filter((row) => !isMultiModelTestPrompt(row.prompt));
  if (test.length === 0) throw new InvalidInputError(`${meta.name}: no prompt falls in the multi-model test split.`);
  const published = meansOf(rows);
  const trainMeans = meansOf(train);
  const testCounts = new Map<string, number>();
  for (const row of test)
    for (const model of row.labels.keys()) testCounts.set(model, (testCounts.get(model) ?? 0) + 1);
  const unpriced: string[] = [];
  const sparse: string[] = [];
  const models: PricedModel[] = [];
  const spelling = (model: string) =>
    model.startsWith(`${meta.source}/`) ? model.slice(meta.source.length + 1) : model;
  for (const model of [...published.keys()].sort(
    (a, b) => published.get(b)! - published.get(a)! || a.localeCompare(b),
  )) {
    const price = prices.priceOf(spelling(model), model);
    if (price === undefined) {
      unpriced.push(model);
      continue;
    }
    if ((testCounts.get(model) ?? 0) < MIN_LABEL_COVERAGE * test.length || !trainMeans.has(model)) {
      sparse.push(model);
      continue;
    }
    models.push({
      name: model,
      inputPrice: price.inputPrice,
      outputPrice: price.outputPrice,
      answerTokens: answerTokens.get(model) ?? DEFAULT_ANSWER_TOKENS,
    });
  }
  if (models.length < 2) {
    throw new InvalidInputError(`${meta.name}: fewer than two priced models with labels (${models.length}).`);
  }
  const complete = test.filter((row) => models.every((model) => row.labels.has(model.name)));
  return {
    ...meta,
    models,
    prompts: complete.map((row) => row.prompt),
    labels: complete.map((row) => Float64Array.from(models, (model) => row.labels.get(model.name)!)),
    trainMeans: new Map(models.map((model) => [model.name, trainMeans.get(model.name)!])),
    publishedScores: new Map(models.map((model) => [model.name, published.get(model.name)!])),
    trainPromptCount: train.length,
    unpriced,
    sparse,
    droppedPrompts: test.length - complete.length,
  };
}

/**
 * AlpacaEval 2.0 as many models' labels: a model's quality on an instruction is its judged win rate against the
 * baseline's answer there (GPT-4 Turbo judges; the mean when several judged it). Answer lengths are each model's mean
 * judged answer on the training split, in tokens (characters / CHARS_PER_TOKEN): verbose models cost more.
 */
async function alpacaEvalRows(
  sharedDir: string,
): Promise<{ rows: LabelledPrompt[]; answerTokens: Map<string, number> }> {
  const data = await loadAlpacaEval(sharedDir);
  const byInstruction = new Map<number, Map<string, { total: number; count: number }>>();
  const chars = new Map<string, { total: number; count: number }>();
  const text = new Map(data.instructions.map((instruction) => [instruction.id, instruction.instruction]));
  for (const battle of data.battles) {
    if (battle.baseline !== ALPACA_EVAL_BASELINE) continue;
    const model = canonicalModelName('alpaca-eval', battle.model);
    const labels = byInstruction.get(battle.instructionId) ?? new Map();
    const sum = labels.get(model) ?? { total: 0, count: 0 };
    sum.total += battle.modelWinRate;
    sum.count++;
    labels.set(model, sum);
    byInstruction.set(battle.instructionId, labels);
    if (!isMultiModelTestPrompt(text.get(battle.instructionId)!)) {
      const length = chars.get(model) ?? { total: 0, count: 0 };
      length.total += battle.modelChars;
      length.count++;
      chars.set(model, length);
    }
  }
  const rows = [...byInstruction].map(([id, labels]) => ({
    prompt: text.get(id)!,
    labels: new Map([...labels].map(([model, { total, count }]) => [model, total / count])),
  }));
  const answerTokens = new Map(
    [...chars].map(([model, { total, count }]) => [model, Math.round(total / count / CHARS_PER_TOKEN)]),
  );
  return { rows, answerTokens };
}

/** Loads one dataset from the shared folder, priced by `prices`. */
export async function loadMultiModelDataset(
  name: MultiModelDatasetName,
  sharedDir: string,
  prices: ModelPriceTable,
): Promise<MultiModelDataset> {
  switch (name) {
    case 'mmlu-pro': {
      const rows = (await loadMmluPro(sharedDir)).map((row) => ({ prompt: row.prompt, labels: row.correctness }));
      return buildDataset(
        {
          name,
          title: 'MMLU-Pro (non-MMLU questions)',
          keptAs: 'mmlu-pro',
          qualityUnit: '% correct',
          source: 'mmlu-pro',
        },
        rows,
        prices,
      );
    }
    case 'zeroeval-math':
    case 'zeroeval-crux': {
      const folder = name === 'zeroeval-math' ? 'zeroeval_math-l5' : 'zeroeval_crux';
      if (!(folder in GOLDEN_SOURCES)) throw new InvalidInputError(`Unknown golden folder ${folder}.`);
      const rows = (await loadGolden(sharedDir)).rows
        .filter((row) => row.source === folder)
        .map((row) => ({
          prompt: row.prompt,
          labels: new Map([...row.correctness].map(([model, value]) => [canonicalModelName(folder, model), value])),
        }));
      const title = name === 'zeroeval-math' ? 'ZeroEval MATH level 5' : 'ZeroEval CRUXEval';
      return buildDataset(
        { name, title, keptAs: `golden/${folder}`, qualityUnit: '% correct', source: folder },
        rows,
        prices,
      );
    }
    case 'alpaca-eval': {
      const { rows, answerTokens } = await alpacaEvalRows(sharedDir);
      return buildDataset(
        {
          name,
          title: 'AlpacaEval 2.0',
          keptAs: 'alpaca-eval',
          qualityUnit: 'win rate vs GPT-4 Turbo',
          source: 'alpaca-eval',
        },
        rows,
        prices,
        answerTokens,
      );
    }
    case 'pass-rates-llmrouter':
    case 'pass-rates-routerdc': {
      const source = name === 'pass-rates-llmrouter' ? 'llmrouter' : 'routerdc-split2';
      const rows = (await loadPassRates(sharedDir))
        .filter((row) => row.source === source)
        .map((row) => ({ prompt: row.prompt, labels: row.correctness }));
      const title =
        name === 'pass-rates-llmrouter' ? "Open models' pass rates (LLMRouter)" : "Open models' pass rates (RouterDC)";
      return buildDataset({ name, title, keptAs: source, qualityUnit: 'pass rate', source }, rows, prices);
    }
  }
}

/**
 * Two-model benchmarks from a dataset's test split, to score a strong-versus-weak router on pairs it was not trained
 * for: its best priced model (by published score) against the ones a quarter, half and three quarters of the way down
 * (pairWeakRanks), where the best leads by MIN_PAIR_GAP. Named `<dataset>-p<share>`, e.g. `mmlu-pro-p50`.
 */
export function pairBenchmarks(dataset: MultiModelDataset): Benchmark[] {
  const { models, publishedScores } = dataset;
  const scale = dataset.qualityUnit === '% correct' ? 100 : 1;
  return pairWeakRanks(models.length).flatMap((rank) => {
    const strong = models[0]!.name;
    const weak = models[rank]!.name;
    if (publishedScores.get(strong)! - publishedScores.get(weak)! < MIN_PAIR_GAP) return [];
    return [
      createBenchmark({
        name: `${dataset.name}-p${Math.round((100 * rank) / (models.length - 1))}`,
        strongModel: strong,
        weakModel: weak,
        qualityUnit: dataset.qualityUnit,
        items: dataset.prompts.map((prompt, index) => ({
          id: String(index),
          prompt,
          strongQuality: scale * dataset.labels[index]![0]!,
          weakQuality: scale * dataset.labels[index]![rank]!,
        })),
      }),
    ];
  });
}

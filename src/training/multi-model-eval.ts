/**
 * `npm run eval -- --multi`: route each multi-model dataset's test split among its priced models on a predictor's
 * per-model quality, sweep costWeight's lambda, and compare with every single model, their hull and the oracle
 * (the metrics are core's multi-model-metrics.ts). With a held-out model, the predictor is built without it and maps it
 * in by its published score; both runs are reported side by side.
 */
import {
  InvalidInputError,
  createPriorQualityPredictor,
  evaluateMultiModel,
  expectedCosts,
  type ModelQualityPredictor,
  type MultiModelEvaluation,
} from '../core/index.ts';
import type { MultiModelDataset } from './multi-model-datasets.ts';

/**
 * What a many-model router offers for a model it has never seen: a predictor that also predicts `model`, placed on
 * its ability scale by the model's published scores (benchmark name -> score, 0..1; here the dataset's own aggregate).
 * A predictor without this method cannot run the unseen-model evaluation.
 */
export interface UnseenModelMapping {
  withUnseenModel(model: string, publishedScores: Readonly<Record<string, number>>): Promise<ModelQualityPredictor>;
}

/** Builds the predictor for a dataset, without the held-out model when one is named. */
export type PredictorFactory = (
  dataset: MultiModelDataset,
  options: { readonly withoutModel?: string },
) => Promise<ModelQualityPredictor & Partial<UnseenModelMapping>>;

/** The prior: each model's mean quality on the dataset's training split; an unseen model gets its published score. */
export const priorPredictorFactory: PredictorFactory = async (dataset, { withoutModel }) => {
  const means = new Map([...dataset.trainMeans].filter(([model]) => model !== withoutModel));
  return Object.assign(createPriorQualityPredictor(means), {
    withUnseenModel: async (model: string, published: Readonly<Record<string, number>>) => {
      const score = published[dataset.name];
      if (score === undefined) throw new InvalidInputError(`No published ${dataset.name} score for '${model}'.`);
      return createPriorQualityPredictor(new Map([...means, [model, score]]));
    },
  });
};

export interface MultiModelRun {
  readonly predictor: string;
  /** Dataset models the predictor does not know (left out of routing and of the single-model comparison). */
  readonly unknownToPredictor: readonly string[];
  readonly models: readonly string[];
  readonly evaluation: MultiModelEvaluation;
}

export interface MultiModelReport {
  readonly dataset: MultiModelDataset;
  readonly run: MultiModelRun;
  /** With --hold-out-model: the same evaluation, the model held out of the predictor and mapped in by published score. */
  readonly heldOut?: MultiModelRun & { readonly model: string };
}

/** Predictions of `predictor` for the dataset's test prompts, reordered to `models`. */
async function predictionsFor(
  predictor: ModelQualityPredictor,
  prompts: readonly string[],
  models: readonly string[],
): Promise<Float64Array[]> {
  const column = models.map((model) => predictor.models.indexOf(model));
  const raw = await predictor.predictQuality(prompts);
  return raw.map((row) => Float64Array.from(column, (index) => row[index]!));
}

async function evaluateWith(
  dataset: MultiModelDataset,
  predictor: ModelQualityPredictor,
  onlyModels?: ReadonlySet<string>,
): Promise<MultiModelRun> {
  const known = new Set(predictor.models);
  const candidates = dataset.models.filter((model) => onlyModels === undefined || onlyModels.has(model.name));
  const priced = candidates.filter((model) => known.has(model.name));
  const unknownToPredictor = candidates.filter((model) => !known.has(model.name)).map((model) => model.name);
  if (priced.length < 2) {
    throw new InvalidInputError(
      `${dataset.name}: the predictor '${predictor.name}' knows ${priced.length} of the dataset's priced models (needs 2).`,
    );
  }
  const columns = priced.map((model) => dataset.models.indexOf(model));
  const names = priced.map((model) => model.name);
  const set = {
    models: names,
    labels: dataset.labels.map((row) => Float64Array.from(columns, (index) => row[index]!)),
    costs: dataset.prompts.map((prompt) => expectedCosts(prompt, priced)),
  };
  const predictions = await predictionsFor(predictor, dataset.prompts, names);
  return {
    predictor: predictor.name,
    unknownToPredictor,
    models: names,
    evaluation: evaluateMultiModel(set, predictions),
  };
}

/** Evaluates one dataset with the predictor `factory` builds, and again with `holdOutModel` held out when named. */
export async function runMultiModelEval(
  dataset: MultiModelDataset,
  factory: PredictorFactory,
  holdOutModel?: string,
): Promise<MultiModelReport> {
  const predictor = await factory(dataset, {});
  const run = await evaluateWith(dataset, predictor);
  if (holdOutModel === undefined) return { dataset, run };
  if (!run.models.includes(holdOutModel)) {
    throw new InvalidInputError(
      `--hold-out-model '${holdOutModel}' is not among ${dataset.name}'s routed models: ${run.models.join(', ')}.`,
    );
  }
  const without = await factory(dataset, { withoutModel: holdOutModel });
  if (without.models.includes(holdOutModel)) {
    throw new InvalidInputError(`The predictor '${without.name}' still knows '${holdOutModel}' after holding it out.`);
  }
  if (without.withUnseenModel === undefined) {
    throw new InvalidInputError(`The predictor '${without.name}' cannot map in a model it has not seen.`);
  }
  const mapped = await without.withUnseenModel(holdOutModel, {
    [dataset.name]: dataset.publishedScores.get(holdOutModel)!,
  });
  // The same models as the trained run, so the two are compared on one set.
  const heldOut = await evaluateWith(dataset, mapped, new Set(run.models));
  return { dataset, run, heldOut: { ...heldOut, model: holdOutModel } };
}

const money = (value: number | undefined) => (value === undefined ? 'never' : `$${value.toFixed(value < 1 ? 4 : 3)}`);
const share = (value: number | undefined) => (value === undefined ? 'n/a' : `${(value * 100).toFixed(1)}%`);
const quality = (value: number) => (Number.isNaN(value) ? 'n/a' : value.toFixed(3));

function runLine(label: string, run: MultiModelRun): string {
  const e = run.evaluation;
  return (
    `  ${label}: AIQ ${quality(e.aiq)} (single models' hull ${quality(e.singleModelAiq)}); best model's quality ` +
    `${quality(e.bestModel.quality)} reached at ${money(e.costAtBestQuality)} per 1,000 (${share(e.savedAtBestQuality)} saved vs ` +
    `${money(e.bestModel.costPer1000Usd)}); at the cheapest model's cost (${money(e.cheapestModel.costPer1000Usd)}) quality ` +
    `${quality(e.qualityAtCheapestCost)} vs ${quality(e.cheapestModel.quality)}; best quality ${quality(e.maxQuality)}`
  );
}

/** The printed report of one dataset: every single model, what was left out, the router and the oracle. */
export function formatMultiModelReport(report: MultiModelReport): string {
  const { dataset, run, heldOut } = report;
  const e = run.evaluation;
  const width = Math.max(5, ...e.models.map((point) => point.model.length));
  const lines = [
    `${dataset.name}: ${dataset.title}, ${dataset.prompts.length.toLocaleString('en-US')} test prompts ` +
      `(${dataset.trainPromptCount.toLocaleString('en-US')} train), ${run.models.length} priced models, quality = ${dataset.qualityUnit}`,
    `  ${'model'.padEnd(width)}  $/1,000 req  quality`,
    ...[...e.models]
      .sort((a, b) => b.quality - a.quality)
      .map(
        (point) =>
          `  ${point.model.padEnd(width)}  ${point.costPer1000Usd.toFixed(4).padStart(11)}  ${point.quality.toFixed(3)}` +
          `${point === e.bestModel ? '  best' : ''}${point === e.cheapestModel ? '  cheapest' : ''}`,
      ),
  ];
  if (dataset.unpriced.length > 0) lines.push(`  left out, no price: ${dataset.unpriced.join(', ')}`);
  if (dataset.sparse.length > 0)
    lines.push(`  left out, labels on under 95% of test prompts: ${dataset.sparse.join(', ')}`);
  if (run.unknownToPredictor.length > 0) {
    lines.push(`  left out, unknown to ${run.predictor}: ${run.unknownToPredictor.join(', ')}`);
  }
  lines.push(runLine(`router (${run.predictor})`, run));
  if (heldOut)
    lines.push(runLine(`router (${heldOut.predictor}, ${heldOut.model} held out, mapped by published score)`, heldOut));
  lines.push(`  oracle: quality ${quality(e.oracle.quality)} at ${money(e.oracle.costPer1000Usd)} per 1,000`);
  return lines.join('\n');
}

/** One row per dataset: the figures issue 14's targets are judged by. */
export function formatMultiModelSummary(reports: readonly MultiModelReport[]): string {
  const anyHeldOut = reports.some((report) => report.heldOut);
  const rows = reports.map(({ dataset, run, heldOut }) => {
    const e = run.evaluation;
    return [
      dataset.name,
      String(run.models.length),
      String(dataset.prompts.length),
      `${e.bestModel.model.slice(e.bestModel.model.lastIndexOf('/') + 1)} ${quality(e.bestModel.quality)}`,
      share(e.savedAtBestQuality),
      // A dataset without the held-out model keeps an empty cell, so the columns stay aligned.
      ...(anyHeldOut ? [heldOut ? share(heldOut.evaluation.savedAtBestQuality) : ''] : []),
      `${quality(e.aiq)} / ${quality(e.singleModelAiq)}`,
      `${quality(e.qualityAtCheapestCost)} / ${quality(e.cheapestModel.quality)}`,
      `${quality(e.oracle.quality)} @ ${money(e.oracle.costPer1000Usd)}`,
    ];
  });
  const header = [
    'dataset',
    'models',
    'n',
    'best single model',
    'saved at its quality',
    ...(anyHeldOut ? ['saved, model held out'] : []),
    'AIQ router / single',
    'quality at cheapest cost: router / model',
    'oracle',
  ];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const format = (row: readonly string[]) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ');
  return [format(header), ...rows.map(format)].join('\n');
}

/** summary.json's entry for one dataset. */
export function multiModelSummaryEntry(report: MultiModelReport): Record<string, unknown> {
  const { dataset, run, heldOut } = report;
  const runJson = (value: MultiModelRun) => ({
    predictor: value.predictor,
    models: value.models,
    unknownToPredictor: value.unknownToPredictor,
    aiq: value.evaluation.aiq,
    costAtBestQuality: value.evaluation.costAtBestQuality ?? null,
    savedAtBestQuality: value.evaluation.savedAtBestQuality ?? null,
    qualityAtCheapestCost: Number.isNaN(value.evaluation.qualityAtCheapestCost)
      ? null
      : value.evaluation.qualityAtCheapestCost,
    maxQuality: value.evaluation.maxQuality,
    curve: value.evaluation.curve.map((point) => ({
      lambda: Number.isFinite(point.lambda) ? point.lambda : 'Infinity',
      costPer1000Usd: point.costPer1000Usd,
      quality: point.quality,
    })),
    hull: value.evaluation.hull,
  });
  return {
    dataset: dataset.name,
    title: dataset.title,
    qualityUnit: dataset.qualityUnit,
    testPrompts: dataset.prompts.length,
    trainPrompts: dataset.trainPromptCount,
    droppedPrompts: dataset.droppedPrompts,
    leftOut: { unpriced: dataset.unpriced, sparseLabels: dataset.sparse },
    models: run.evaluation.models.map((point) => {
      const priced = dataset.models.find((model) => model.name === point.model)!;
      return {
        ...point,
        inputPrice: priced.inputPrice,
        outputPrice: priced.outputPrice,
        answerTokens: priced.answerTokens,
        trainMean: dataset.trainMeans.get(point.model),
        published: dataset.publishedScores.get(point.model),
      };
    }),
    bestModel: run.evaluation.bestModel,
    cheapestModel: run.evaluation.cheapestModel,
    singleModelHull: run.evaluation.singleModelHull,
    singleModelAiq: run.evaluation.singleModelAiq,
    oracle: run.evaluation.oracle,
    router: runJson(run),
    ...(heldOut ? { heldOut: { model: heldOut.model, ...runJson(heldOut) } } : {}),
  };
}

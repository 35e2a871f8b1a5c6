import {
  sigmoid,
  mfInputs,
  mfModelScore,
  mfProjectPrompt,
  type MfModel,
  createPrng,
  PROMPT_FEATURE_COUNT,
  promptFeatures,
  type TensorToPack,
} from '../core/index.ts';
import type { TrainingData } from './dataset.ts';

/** Hyperparameters of the MF fit (the paper's MF used rank 128 on 1,536-d embeddings; ours has 522 inputs). */
export const MF_SETTINGS = {
  rank: 64,
  epochs: 16,
  learningRate: 3e-3,
  weightDecay: 1e-4,
  /** Share of prompts held out to pick the epoch with the lowest held-out loss (training data only). */
  validationShare: 0.1,
  /** Prompts per Adam step. */
  batchPrompts: 32,
} as const;

const MIN_FEATURE_SCALE = 1e-3;

/** The judge name of comparisons derived from golden correctness: no length bias, and the scale of quality. */
const GOLD_JUDGE = 'gold';

/** One pairwise comparison: log-odds(a beats b) = scale[judge] * (score(a) - score(b)) + lengthBias[judge] * lengthLogRatio. */
interface Comparison {
  readonly a: number;
  readonly b: number;
  readonly target: number;
  readonly judge: number;
  readonly lengthLogRatio: number;
  readonly weight: number;
}

/**
 * The comparisons of each prompt: every judged battle, and from golden correctness every model against the
 * strong and against the weak model of the deployment pair (and the pair itself), target 0.5 + (c_a - c_b) / 2.
 * Each prompt's comparisons share a total weight of 1, so a prompt with 150 battles counts as much as an MMLU
 * question with one comparison.
 */
function comparisonsByPrompt(
  data: TrainingData,
  modelIndex: Map<string, number>,
  judgeIndex: Map<string, number>,
): Map<number, Comparison[]> {
  const byPrompt = new Map<number, Omit<Comparison, 'weight'>[]>();
  const add = (prompt: number, comparison: Omit<Comparison, 'weight'>) => {
    const list = byPrompt.get(prompt) ?? [];
    list.push(comparison);
    byPrompt.set(prompt, list);
  };
  for (const battle of data.battles) {
    add(battle.prompt, {
      a: modelIndex.get(battle.modelA)!,
      b: modelIndex.get(battle.modelB)!,
      target: battle.winRateA,
      judge: judgeIndex.get(battle.judge)!,
      lengthLogRatio: battle.lengthLogRatio,
    });
  }
  const gold = judgeIndex.get(GOLD_JUDGE)!;
  for (const row of data.correctness) {
    const anchors = [data.pair.strong, data.pair.weak].filter((model) => row.correctness.has(model));
    for (const anchor of anchors) {
      for (const [model, value] of row.correctness) {
        if (model === anchor || (anchor === data.pair.weak && model === data.pair.strong)) continue;
        add(row.prompt, {
          a: modelIndex.get(model)!,
          b: modelIndex.get(anchor)!,
          target: 0.5 + (value - row.correctness.get(anchor)!) / 2,
          judge: gold,
          lengthLogRatio: 0,
        });
      }
    }
  }
  const weighted = new Map<number, Comparison[]>();
  for (const [prompt, list] of byPrompt)
    weighted.set(
      prompt,
      list.map((comparison) => ({ ...comparison, weight: 1 / list.length })),
    );
  return weighted;
}

class Adam {
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private step = 0;
  constructor(
    private readonly values: Float32Array,
    private readonly rate: number,
    private readonly decay: number,
  ) {
    this.m = new Float32Array(values.length);
    this.v = new Float32Array(values.length);
  }
  apply(gradient: Float32Array): void {
    this.step++;
    const correction1 = 1 - 0.9 ** this.step;
    const correction2 = 1 - 0.999 ** this.step;
    for (let i = 0; i < this.values.length; i++) {
      const g = gradient[i]! + this.decay * this.values[i]!;
      this.m[i] = 0.9 * this.m[i]! + 0.1 * g;
      this.v[i] = 0.999 * this.v[i]! + 0.001 * g * g;
      this.values[i] =
        this.values[i]! - (this.rate * (this.m[i]! / correction1)) / (Math.sqrt(this.v[i]! / correction2) + 1e-8);
    }
    gradient.fill(0);
  }
}

export interface TrainedMf {
  readonly parameters: Record<string, unknown>;
  readonly tensors: Record<string, TensorToPack>;
  readonly rows: Record<string, number>;
  readonly details: Record<string, unknown>;
}

/** Fits the MF router by Adam on the weighted pairwise log-loss, keeping the epoch with the lowest held-out loss. */
export function trainMf(
  data: TrainingData,
  seed: number,
  onProgress?: (done: number, total: number) => void,
): TrainedMf {
  const { rank, epochs, learningRate, weightDecay, validationShare, batchPrompts } = MF_SETTINGS;
  const models = [
    ...new Set([
      ...data.battles.flatMap((battle) => [battle.modelA, battle.modelB]),
      ...data.correctness.flatMap((row) => [...row.correctness.keys()]),
    ]),
  ].sort();
  const judges = [...new Set([GOLD_JUDGE, ...data.battles.map((battle) => battle.judge)])].sort();
  const modelIndex = new Map(models.map((model, index) => [model, index]));
  const judgeIndex = new Map(judges.map((judge, index) => [judge, index]));
  const goldJudge = judgeIndex.get(GOLD_JUDGE)!;
  const comparisons = comparisonsByPrompt(data, modelIndex, judgeIndex);
  const prompts = [...comparisons.keys()].sort((a, b) => a - b);

  const dimensions = data.prompts[0]!.embedding.length;
  const featureRows = prompts.map((prompt) => promptFeatures(data.prompts[prompt]!.text));
  const featureMean = new Float32Array(PROMPT_FEATURE_COUNT);
  const featureScale = new Float32Array(PROMPT_FEATURE_COUNT);
  for (let f = 0; f < PROMPT_FEATURE_COUNT; f++) {
    const values = featureRows.map((row) => row[f]!);
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length;
    featureMean[f] = mean;
    // Features are O(1) transforms of counts; a floor keeps a near-constant one from being blown up by rounding.
    featureScale[f] = Math.max(Math.sqrt(variance), MIN_FEATURE_SCALE);
  }
  const width = dimensions + PROMPT_FEATURE_COUNT;
  const random = createPrng(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const model: MfModel = {
    models,
    rank,
    embeddingDimensions: dimensions,
    featureMean,
    featureScale,
    modelEmbeddings: Float32Array.from({ length: models.length * rank }, () => gaussian()),
    projection: Float32Array.from({ length: rank * width }, () => gaussian() / Math.sqrt(width)),
    classifier: Float32Array.from({ length: rank }, () => gaussian() / Math.sqrt(rank)),
  };
  // Per-judge length bias and log-scale (a judge may exaggerate or blur quality differences); gold is fixed at scale 1.
  const lengthBias = new Float32Array(judges.length);
  const logScale = new Float32Array(judges.length);
  const inputsOf = new Map(
    prompts.map((prompt) => [prompt, mfInputs(model, data.prompts[prompt]!.embedding, data.prompts[prompt]!.text)]),
  );

  const order = prompts.slice();
  for (let index = order.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [order[index], order[other]] = [order[other]!, order[index]!];
  }
  const validationCount = Math.round(order.length * validationShare);
  const validation = order.slice(0, validationCount);
  const training = order.slice(validationCount);

  const grads = {
    modelEmbeddings: new Float32Array(model.modelEmbeddings.length),
    projection: new Float32Array(model.projection.length),
    classifier: new Float32Array(rank),
    lengthBias: new Float32Array(judges.length),
    logScale: new Float32Array(judges.length),
  };
  const optimisers = {
    modelEmbeddings: new Adam(model.modelEmbeddings as Float32Array, learningRate, weightDecay),
    projection: new Adam(model.projection as Float32Array, learningRate, weightDecay),
    classifier: new Adam(model.classifier as Float32Array, learningRate, weightDecay),
    lengthBias: new Adam(lengthBias, learningRate, 0),
    logScale: new Adam(logScale, learningRate, 0),
  };

  const norms = new Float32Array(models.length);
  const refreshNorms = () => {
    for (let m = 0; m < models.length; m++) {
      let sum = 0;
      for (let r = 0; r < rank; r++) sum += model.modelEmbeddings[m * rank + r]! ** 2;
      norms[m] = Math.sqrt(sum) || 1;
    }
  };
  const promptLoss = (prompt: number, learn: boolean): number => {
    const inputs = inputsOf.get(prompt)!;
    const projected = mfProjectPrompt(model, inputs);
    const projectedGrad = new Float32Array(rank);
    let loss = 0;
    for (const comparison of comparisons.get(prompt)!) {
      const scale = comparison.judge === goldJudge ? 1 : Math.exp(logScale[comparison.judge]!);
      const difference = mfModelScore(model, comparison.a, projected) - mfModelScore(model, comparison.b, projected);
      const logOdds = scale * difference + lengthBias[comparison.judge]! * comparison.lengthLogRatio;
      const p = sigmoid(logOdds);
      loss -=
        comparison.weight *
        (comparison.target * Math.log(p + 1e-12) + (1 - comparison.target) * Math.log(1 - p + 1e-12));
      if (!learn) continue;
      const residual = comparison.weight * (p - comparison.target);
      grads.lengthBias[comparison.judge] = grads.lengthBias[comparison.judge]! + residual * comparison.lengthLogRatio;
      if (comparison.judge !== goldJudge)
        grads.logScale[comparison.judge] = grads.logScale[comparison.judge]! + residual * scale * difference;
      const g = residual * scale;
      for (const [row, sign] of [
        [comparison.a, 1],
        [comparison.b, -1],
      ] as const) {
        const norm = norms[row]!;
        // d score / d v = (w2 * h - vhat (vhat . (w2 * h))) / |v|
        let dot = 0;
        for (let r = 0; r < rank; r++)
          dot += (model.modelEmbeddings[row * rank + r]! / norm) * model.classifier[r]! * projected[r]!;
        for (let r = 0; r < rank; r++) {
          const unit = model.modelEmbeddings[row * rank + r]! / norm;
          const direct = model.classifier[r]! * projected[r]!;
          grads.modelEmbeddings[row * rank + r] =
            grads.modelEmbeddings[row * rank + r]! + (sign * g * (direct - unit * dot)) / norm;
          grads.classifier[r] = grads.classifier[r]! + sign * g * unit * projected[r]!;
          projectedGrad[r] = projectedGrad[r]! + sign * g * model.classifier[r]! * unit;
        }
      }
    }
    if (learn) {
      for (let r = 0; r < rank; r++) {
        const gr = projectedGrad[r]!;
        if (gr === 0) continue;
        const offset = r * width;
        for (let i = 0; i < width; i++) grads.projection[offset + i] = grads.projection[offset + i]! + gr * inputs[i]!;
      }
    }
    return loss;
  };

  const snapshot = () => ({
    modelEmbeddings: Float32Array.from(model.modelEmbeddings),
    projection: Float32Array.from(model.projection),
    classifier: Float32Array.from(model.classifier),
    lengthBias: Float32Array.from(lengthBias),
    logScale: Float32Array.from(logScale),
  });
  let best = { loss: Infinity, epoch: 0, state: snapshot() };
  const history: number[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    for (let index = training.length - 1; index > 0; index--) {
      const other = Math.floor(random() * (index + 1));
      [training[index], training[other]] = [training[other]!, training[index]!];
    }
    for (let start = 0; start < training.length; start += batchPrompts) {
      refreshNorms();
      for (const prompt of training.slice(start, start + batchPrompts)) promptLoss(prompt, true);
      for (const key of Object.keys(optimisers) as (keyof typeof optimisers)[]) optimisers[key].apply(grads[key]);
    }
    refreshNorms();
    const loss =
      validation.reduce((sum, prompt) => sum + promptLoss(prompt, false), 0) / Math.max(1, validation.length);
    history.push(Number(loss.toFixed(5)));
    if (loss < best.loss) best = { loss, epoch, state: snapshot() };
    onProgress?.(epoch, epochs);
  }
  const state = best.state;
  return {
    parameters: { models, rank, defaultPair: data.pair, settings: MF_SETTINGS },
    rows: {
      prompts: prompts.length,
      comparisons: [...comparisons.values()].reduce((sum, list) => sum + list.length, 0),
      models: models.length,
    },
    details: {
      bestEpoch: best.epoch,
      validationLoss: history,
      judges: Object.fromEntries(
        judges.map((judge, index) => [
          judge,
          {
            lengthBias: Number(state.lengthBias[index]!.toFixed(4)),
            scale: judge === GOLD_JUDGE ? 1 : Number(Math.exp(state.logScale[index]!).toFixed(4)),
          },
        ]),
      ),
    },
    tensors: {
      modelEmbeddings: { shape: [models.length, rank], data: state.modelEmbeddings },
      projection: { shape: [rank, width], data: state.projection },
      classifier: { shape: [rank], data: state.classifier },
      featureMean: { shape: [PROMPT_FEATURE_COUNT], data: featureMean },
      featureScale: { shape: [PROMPT_FEATURE_COUNT], data: featureScale },
    },
  };
}

import { createPrng, sigmoid } from '../core/index.ts';

/**
 * The joint fit behind the `irt` router (src/core/irt-router.ts): prompt weights W (difficulty and demand from the
 * prompt's inputs x) and every model's ability and skill vector, from every kind of label at once, each with its own
 * likelihood:
 * - correctness or a pass rate y of model m on prompt p: cross-entropy of sigmoid(l_mp) against y, where
 *   l_mp = a_m + s_m . (D x_p) - d . x_p;
 * - a judged battle of A and B on p with preference y for A: cross-entropy of
 *   sigmoid(kappa_j * (l_Ap - l_Bp) + beta_j * lengthLogRatio) against y, with a scale kappa_j and a length bias
 *   beta_j per judge (AlpacaEval's GPT-4 judges prefer longer answers; Arena users differ from them).
 * Each source's observations weigh 1 / sqrt(their count), so a source of 160,000 labels informs the fit more than one
 * of 700 without drowning it. Full-batch Adam with L2 penalties; seeded, so a fit is reproducible.
 */
export interface CorrectnessObservation {
  readonly prompt: number;
  readonly model: number;
  readonly value: number;
  readonly weight: number;
}

export interface BattleObservation {
  readonly prompt: number;
  readonly modelA: number;
  readonly modelB: number;
  readonly winRateA: number;
  readonly judge: number;
  readonly lengthLogRatio: number;
  readonly weight: number;
}

export interface ItemResponseProblem {
  /** Row-major [prompts, inputs]. */
  readonly inputs: Float32Array;
  readonly inputCount: number;
  readonly modelCount: number;
  readonly judgeCount: number;
  readonly correctness: readonly CorrectnessObservation[];
  readonly battles: readonly BattleObservation[];
}

export interface ItemResponseSettings {
  readonly skills: number;
  /** L2 penalty on the prompt weights (per unit of total observation weight). */
  readonly promptPenalty: number;
  /** L2 penalty on the models' skill vectors and abilities. */
  readonly modelPenalty: number;
  readonly epochs: number;
  readonly learningRate: number;
  readonly seed: number;
}

export const DEFAULT_ITEM_RESPONSE_SETTINGS: ItemResponseSettings = {
  skills: 8,
  promptPenalty: 1e-3,
  modelPenalty: 1e-3,
  epochs: 100,
  learningRate: 0.03,
  seed: 0,
};

export interface ItemResponseWeights {
  /** Row-major [1 + skills, inputs]: difficulty weights, then demand weights. */
  readonly promptWeights: Float32Array;
  /** Row-major [models, 1 + skills]: ability, then skill vector. */
  readonly modelWeights: Float32Array;
  readonly judgeScale: Float64Array;
  readonly judgeLengthBias: Float64Array;
  /** Mean loss per unit weight at the end. */
  readonly loss: number;
}

class Adam {
  readonly #m: Float64Array;
  readonly #v: Float64Array;
  #t = 0;
  constructor(
    readonly values: Float64Array,
    readonly rate: number,
  ) {
    this.#m = new Float64Array(values.length);
    this.#v = new Float64Array(values.length);
  }
  step(gradient: Float64Array): void {
    this.#t++;
    const correction1 = 1 - 0.9 ** this.#t;
    const correction2 = 1 - 0.999 ** this.#t;
    for (let index = 0; index < this.values.length; index++) {
      const g = gradient[index]!;
      this.#m[index] = 0.9 * this.#m[index]! + 0.1 * g;
      this.#v[index] = 0.999 * this.#v[index]! + 0.001 * g * g;
      this.values[index] =
        this.values[index]! -
        (this.rate * (this.#m[index]! / correction1)) / (Math.sqrt(this.#v[index]! / correction2) + 1e-8);
    }
  }
}

const crossEntropy = (probability: number, target: number) =>
  -(target * Math.log(Math.max(probability, 1e-12)) + (1 - target) * Math.log(Math.max(1 - probability, 1e-12)));

export function fitItemResponseModel(
  problem: ItemResponseProblem,
  settings: ItemResponseSettings = DEFAULT_ITEM_RESPONSE_SETTINGS,
  onEpoch?: (epoch: number, loss: number) => void,
): ItemResponseWeights {
  const { inputs, inputCount: I, modelCount: M, judgeCount: J } = problem;
  const traitsCount = 1 + settings.skills;
  const P = inputs.length / I;
  const next = createPrng(settings.seed + 17);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const W = Float64Array.from({ length: traitsCount * I }, () => 0.01 * gaussian());
  const V = Float64Array.from({ length: M * traitsCount }, (_, index) =>
    index % traitsCount === 0 ? 0 : 0.1 * gaussian(),
  );
  const judge = new Float64Array(2 * J);
  for (let j = 0; j < J; j++) judge[j] = 1;
  const optimisers = [
    new Adam(W, settings.learningRate),
    new Adam(V, settings.learningRate),
    new Adam(judge, settings.learningRate),
  ];
  const totalWeight =
    problem.correctness.reduce((sum, item) => sum + item.weight, 0) +
    problem.battles.reduce((sum, item) => sum + item.weight, 0);

  const traits = new Float64Array(P * traitsCount);
  const traitGradient = new Float64Array(P * traitsCount);
  const gW = new Float64Array(W.length);
  const gV = new Float64Array(V.length);
  const gJudge = new Float64Array(judge.length);
  const logit = (m: number, p: number) => {
    let value = V[m * traitsCount]! - traits[p * traitsCount]!;
    for (let k = 1; k < traitsCount; k++) value += V[m * traitsCount + k]! * traits[p * traitsCount + k]!;
    return value;
  };
  /** Adds g * d(l_mp) to the gradients of the model and the prompt's traits. */
  const backLogit = (m: number, p: number, g: number) => {
    gV[m * traitsCount] = gV[m * traitsCount]! + g;
    traitGradient[p * traitsCount] = traitGradient[p * traitsCount]! - g;
    for (let k = 1; k < traitsCount; k++) {
      gV[m * traitsCount + k] = gV[m * traitsCount + k]! + g * traits[p * traitsCount + k]!;
      traitGradient[p * traitsCount + k] = traitGradient[p * traitsCount + k]! + g * V[m * traitsCount + k]!;
    }
  };
  let loss = 0;
  for (let epoch = 0; epoch < settings.epochs; epoch++) {
    for (let p = 0; p < P; p++) {
      for (let k = 0; k < traitsCount; k++) {
        let sum = 0;
        const w = k * I;
        const x = p * I;
        for (let i = 0; i < I; i++) sum += W[w + i]! * inputs[x + i]!;
        traits[p * traitsCount + k] = sum;
      }
    }
    traitGradient.fill(0);
    gW.fill(0);
    gV.fill(0);
    gJudge.fill(0);
    loss = 0;
    for (const item of problem.correctness) {
      const probability = sigmoid(logit(item.model, item.prompt));
      loss += item.weight * crossEntropy(probability, item.value);
      backLogit(item.model, item.prompt, (item.weight * (probability - item.value)) / totalWeight);
    }
    for (const item of problem.battles) {
      const difference = logit(item.modelA, item.prompt) - logit(item.modelB, item.prompt);
      const scale = judge[item.judge]!;
      const probability = sigmoid(scale * difference + judge[J + item.judge]! * item.lengthLogRatio);
      loss += item.weight * crossEntropy(probability, item.winRateA);
      const g = (item.weight * (probability - item.winRateA)) / totalWeight;
      gJudge[item.judge] = gJudge[item.judge]! + g * difference;
      gJudge[J + item.judge] = gJudge[J + item.judge]! + g * item.lengthLogRatio;
      backLogit(item.modelA, item.prompt, g * scale);
      backLogit(item.modelB, item.prompt, -g * scale);
    }
    loss /= totalWeight;
    for (let p = 0; p < P; p++) {
      for (let k = 0; k < traitsCount; k++) {
        const g = traitGradient[p * traitsCount + k]!;
        if (g === 0) continue;
        const w = k * I;
        const x = p * I;
        for (let i = 0; i < I; i++) gW[w + i] = gW[w + i]! + g * inputs[x + i]!;
      }
    }
    for (let index = 0; index < W.length; index++) gW[index] = gW[index]! + 2 * settings.promptPenalty * W[index]!;
    for (let index = 0; index < V.length; index++) gV[index] = gV[index]! + 2 * settings.modelPenalty * V[index]!;
    optimisers[0]!.step(gW);
    optimisers[1]!.step(gV);
    optimisers[2]!.step(gJudge);
    onEpoch?.(epoch, loss);
  }
  return {
    promptWeights: Float32Array.from(W),
    modelWeights: Float32Array.from(V),
    judgeScale: judge.slice(0, J),
    judgeLengthBias: judge.slice(J),
    loss,
  };
}

/**
 * A softmax classifier of the task family on the inputs (row-major [prompts, inputs] -> [families, inputs]
 * weights): how sure the router is that a prompt belongs to a family, which gates the family's length term.
 */
export function fitFamilyClassifier(
  inputs: Float32Array,
  inputCount: number,
  labels: Int32Array,
  familyCount: number,
  options: { epochs?: number; learningRate?: number; penalty?: number } = {},
): Float32Array {
  const { epochs = 150, learningRate = 0.05, penalty = 1e-4 } = options;
  const P = labels.length;
  const weights = new Float64Array(familyCount * inputCount);
  const optimiser = new Adam(weights, learningRate);
  const gradient = new Float64Array(weights.length);
  const logits = new Float64Array(familyCount);
  for (let epoch = 0; epoch < epochs; epoch++) {
    gradient.fill(0);
    for (let p = 0; p < P; p++) {
      const x = p * inputCount;
      let top = -Infinity;
      for (let f = 0; f < familyCount; f++) {
        let sum = 0;
        for (let i = 0; i < inputCount; i++) sum += weights[f * inputCount + i]! * inputs[x + i]!;
        logits[f] = sum;
        top = Math.max(top, sum);
      }
      let total = 0;
      for (let f = 0; f < familyCount; f++) {
        logits[f] = Math.exp(logits[f]! - top);
        total += logits[f]!;
      }
      for (let f = 0; f < familyCount; f++) {
        const g = (logits[f]! / total - (labels[p] === f ? 1 : 0)) / P;
        if (Math.abs(g) < 1e-9) continue;
        for (let i = 0; i < inputCount; i++)
          gradient[f * inputCount + i] = gradient[f * inputCount + i]! + g * inputs[x + i]!;
      }
    }
    for (let index = 0; index < weights.length; index++)
      gradient[index] = gradient[index]! + 2 * penalty * weights[index]!;
    optimiser.step(gradient);
  }
  return Float32Array.from(weights);
}

/**
 * Trains the classifier head: a one-hidden-layer ReLU network over [embedding, standardised statistics] with a
 * weighted soft-label logistic loss, by mini-batch Adam. Deterministic for a seed (weights and batch order come from
 * core's seeded generator). Hyperparameters are chosen by k-fold cross-validation on the training examples only.
 */
import { createPrng } from '../../core/index.ts';
import { type ClassifierHead, EMBEDDING_DIMENSIONS } from '../../node/index.ts';

export interface HeadExample {
  /** Unit-length, chunk-pooled USE-lite embedding (what the graph computes). */
  readonly embedding: Float32Array;
  /** promptStatistics() of the prompt's tokens. */
  readonly statistics: Float64Array;
  /** P(the strong model wins), a soft label in [0, 1]. */
  readonly target: number;
  /** Relative weight of the example in the loss. */
  readonly weight: number;
}

export interface HeadHyperparameters {
  readonly hidden: number;
  /** L2 penalty on the weight matrices, added to the mean batch gradient. */
  readonly l2: number;
  readonly epochs: number;
}

export interface HeadTrainingSettings {
  readonly seed: number;
  readonly learningRate?: number;
  readonly batchSize?: number;
}

const DEFAULT_LEARNING_RATE = 1e-3;
const DEFAULT_BATCH_SIZE = 256;
const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

/** Examples as one row-major matrix of head inputs, with the standardisation used. */
interface Design {
  readonly inputs: Float64Array;
  readonly width: number;
  readonly targets: Float64Array;
  readonly weights: Float64Array;
  readonly statisticMean: Float32Array;
  readonly statisticScale: Float32Array;
}

function design(
  examples: readonly HeadExample[],
  standardisation?: { mean: Float32Array; scale: Float32Array },
): Design {
  const statisticCount = examples[0]!.statistics.length;
  const width = EMBEDDING_DIMENSIONS + statisticCount;
  const mean = standardisation?.mean ?? new Float32Array(statisticCount);
  const scale = standardisation?.scale ?? new Float32Array(statisticCount);
  if (!standardisation) {
    for (let column = 0; column < statisticCount; column++) {
      let sum = 0;
      let sumSquares = 0;
      for (const example of examples) {
        sum += example.statistics[column]!;
        sumSquares += example.statistics[column]! ** 2;
      }
      const average = sum / examples.length;
      mean[column] = average;
      // A constant statistic (say, no code in any prompt) keeps scale 1 rather than dividing by zero.
      scale[column] = Math.sqrt(Math.max(0, sumSquares / examples.length - average * average)) || 1;
    }
  }
  const inputs = new Float64Array(examples.length * width);
  examples.forEach((example, row) => {
    inputs.set(example.embedding, row * width);
    for (let column = 0; column < statisticCount; column++) {
      inputs[row * width + EMBEDDING_DIMENSIONS + column] =
        (example.statistics[column]! - mean[column]!) / scale[column]!;
    }
  });
  const meanWeight = examples.reduce((sum, example) => sum + example.weight, 0) / examples.length;
  return {
    inputs,
    width,
    targets: Float64Array.from(examples, (example) => example.target),
    weights: Float64Array.from(examples, (example) => example.weight / meanWeight),
    statisticMean: mean,
    statisticScale: scale,
  };
}

/** One network being trained: parameters, Adam moments, and the seeded generator that orders its batches. */
class Network {
  /** First layer, unit-major [hidden, width], so each unit's pre-activation is one contiguous dot product. */
  readonly w1: Float64Array;
  readonly b1: Float64Array;
  readonly w2: Float64Array;
  readonly b2 = new Float64Array(1);
  private readonly moments: Array<{ first: Float64Array; second: Float64Array }>;
  private step = 0;
  private readonly random: () => number;

  constructor(
    private readonly width: number,
    private readonly hidden: number,
    seed: number,
  ) {
    this.random = createPrng(seed);
    // Glorot-uniform initialisation.
    const uniform = (count: number, limit: number) =>
      Float64Array.from({ length: count }, () => (2 * this.random() - 1) * limit);
    this.w1 = uniform(width * hidden, Math.sqrt(6 / (width + hidden)));
    this.b1 = new Float64Array(hidden);
    this.w2 = uniform(hidden, Math.sqrt(6 / (hidden + 1)));
    this.moments = [this.w1, this.b1, this.w2, this.b2].map((parameter) => ({
      first: new Float64Array(parameter.length),
      second: new Float64Array(parameter.length),
    }));
  }

  /** Log-odds for rows of a design matrix. */
  predict(inputs: Float64Array, rows: number): Float64Array {
    const hiddenValues = new Float64Array(this.hidden);
    const output = new Float64Array(rows);
    for (let row = 0; row < rows; row++) output[row] = this.forwardRow(inputs, row, hiddenValues);
    return output;
  }

  private forwardRow(inputs: Float64Array, row: number, hiddenValues: Float64Array): number {
    const { width, hidden, w1 } = this;
    const offset = row * width;
    let logOdds = this.b2[0]!;
    for (let unit = 0; unit < hidden; unit++) {
      const weights = unit * width;
      let sum = this.b1[unit]!;
      for (let input = 0; input < width; input++) sum += inputs[offset + input]! * w1[weights + input]!;
      const active = Math.max(sum, 0);
      hiddenValues[unit] = active;
      logOdds += active * this.w2[unit]!;
    }
    return logOdds;
  }

  /** One pass over the data in a seeded order, one Adam step per batch. */
  epoch(data: Design, rows: readonly number[], l2: number, learningRate: number, batchSize: number): void {
    const { width, hidden } = this;
    const order = [...rows];
    for (let index = order.length - 1; index > 0; index--) {
      const other = Math.floor(this.random() * (index + 1));
      [order[index], order[other]] = [order[other]!, order[index]!];
    }
    const gradients = [
      new Float64Array(this.w1.length),
      new Float64Array(hidden),
      new Float64Array(hidden),
      new Float64Array(1),
    ] as const;
    const hiddenValues = new Float64Array(hidden);
    const back = new Float64Array(hidden);
    for (let start = 0; start < order.length; start += batchSize) {
      const batch = order.slice(start, start + batchSize);
      for (const gradient of gradients) gradient.fill(0);
      const [gw1, gb1, gw2, gb2] = gradients;
      for (const row of batch) {
        const logOdds = this.forwardRow(data.inputs, row, hiddenValues);
        const probability = 1 / (1 + Math.exp(-logOdds));
        const delta = (data.weights[row]! * (probability - data.targets[row]!)) / batch.length;
        gb2[0]! += delta;
        for (let unit = 0; unit < hidden; unit++) {
          // ReLU passes gradient only where the unit was active.
          back[unit] = hiddenValues[unit]! > 0 ? delta * this.w2[unit]! : 0;
          gw2[unit]! += delta * hiddenValues[unit]!;
          gb1[unit]! += back[unit]!;
        }
        const offset = row * width;
        for (let unit = 0; unit < hidden; unit++) {
          const gradient = back[unit]!;
          if (gradient === 0) continue;
          const weights = unit * width;
          for (let input = 0; input < width; input++) gw1[weights + input]! += gradient * data.inputs[offset + input]!;
        }
      }
      for (let index = 0; index < gw1.length; index++) gw1[index]! += l2 * this.w1[index]!;
      for (let unit = 0; unit < hidden; unit++) gw2[unit]! += l2 * this.w2[unit]!;
      this.adamStep(gradients, learningRate);
    }
  }

  private adamStep(gradients: readonly Float64Array[], learningRate: number): void {
    this.step += 1;
    const correction1 = 1 - ADAM.beta1 ** this.step;
    const correction2 = 1 - ADAM.beta2 ** this.step;
    [this.w1, this.b1, this.w2, this.b2].forEach((parameter, which) => {
      const gradient = gradients[which]!;
      const { first, second } = this.moments[which]!;
      for (let index = 0; index < parameter.length; index++) {
        const g = gradient[index]!;
        first[index] = ADAM.beta1 * first[index]! + (1 - ADAM.beta1) * g;
        second[index] = ADAM.beta2 * second[index]! + (1 - ADAM.beta2) * g * g;
        parameter[index]! -=
          (learningRate * (first[index]! / correction1)) / (Math.sqrt(second[index]! / correction2) + ADAM.epsilon);
      }
    });
  }
}

/** Weighted soft-label log loss of log-odds against a design's targets, over some rows. */
function logLoss(logOdds: Float64Array, data: Design, rows: readonly number[]): number {
  let loss = 0;
  let weight = 0;
  rows.forEach((row, index) => {
    const z = logOdds[index]!;
    // log(1 + e^z) - y z, computed without overflow.
    const softplus = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
    loss += data.weights[row]! * (softplus - data.targets[row]! * z);
    weight += data.weights[row]!;
  });
  return loss / weight;
}

/**
 * Trains the head on all examples: `members` networks from consecutive seeds, averaged. The average of their
 * log-odds is itself one network whose hidden layer holds every member's units and whose output weights are divided
 * by the member count, so the exported head stays a plain two-layer MLP while the seed-to-seed variance of a single
 * small network (large on 72-question MT-Bench) averages out.
 */
export function trainHead(
  examples: readonly HeadExample[],
  tokenClasses: readonly string[],
  hyperparameters: HeadHyperparameters,
  settings: HeadTrainingSettings & {
    readonly members: number;
    readonly onProgress?: (done: number, total: number) => void;
  },
): ClassifierHead {
  const data = design(examples);
  const rows = examples.map((_, index) => index);
  const { hidden, epochs } = hyperparameters;
  const members = Array.from({ length: settings.members }, (_, member) => {
    const network = new Network(data.width, hidden, settings.seed + member);
    for (let epoch = 0; epoch < epochs; epoch++) {
      network.epoch(
        data,
        rows,
        hyperparameters.l2,
        settings.learningRate ?? DEFAULT_LEARNING_RATE,
        settings.batchSize ?? DEFAULT_BATCH_SIZE,
      );
      settings.onProgress?.(member * epochs + epoch + 1, settings.members * epochs);
    }
    return network;
  });
  const units = hidden * members.length;
  const firstWeight = new Float32Array(data.width * units);
  members.forEach((network, member) => {
    for (let unit = 0; unit < hidden; unit++) {
      for (let input = 0; input < data.width; input++)
        firstWeight[input * units + member * hidden + unit] = network.w1[unit * data.width + input]!;
    }
  });
  return {
    tokenClasses,
    statisticMean: data.statisticMean,
    statisticScale: data.statisticScale,
    layers: [
      {
        inputs: data.width,
        outputs: units,
        weight: firstWeight,
        bias: Float32Array.from(members.flatMap((network) => [...network.b1])),
      },
      {
        inputs: units,
        outputs: 1,
        weight: Float32Array.from(
          members.flatMap((network) => [...network.w2].map((weight) => weight / members.length)),
        ),
        bias: Float32Array.of(members.reduce((sum, network) => sum + network.b2[0]!, 0) / members.length),
      },
    ],
  };
}

export interface CrossValidationResult {
  readonly chosen: HeadHyperparameters;
  /** Mean validation log loss of every candidate, in grid order. */
  readonly candidates: ReadonlyArray<HeadHyperparameters & { readonly validationLogLoss: number }>;
}

/**
 * k-fold cross-validation over a grid: one network per (fold, hidden, l2), its validation loss read after each
 * epoch count in `epochs` (so longer training reuses the shorter runs). The standardisation of each fold comes from
 * its own training side. Returns the candidate with the lowest mean validation log loss.
 */
export function crossValidateHead(
  examples: readonly HeadExample[],
  grid: { readonly hidden: readonly number[]; readonly l2: readonly number[]; readonly epochs: readonly number[] },
  settings: HeadTrainingSettings & {
    readonly folds: number;
    readonly onProgress?: (done: number, total: number) => void;
  },
): CrossValidationResult {
  const random = createPrng(settings.seed);
  const order = examples.map((_, index) => index);
  for (let index = order.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [order[index], order[other]] = [order[other]!, order[index]!];
  }
  const foldOf = new Int32Array(examples.length);
  order.forEach((example, position) => (foldOf[example] = position % settings.folds));
  const maxEpochs = Math.max(...grid.epochs);
  const losses = new Map<string, number[]>();
  const key = (hidden: number, l2: number, epochs: number) => `${hidden}/${l2}/${epochs}`;
  const total = settings.folds * grid.hidden.length * grid.l2.length * maxEpochs;
  let done = 0;
  for (let fold = 0; fold < settings.folds; fold++) {
    const trainRows = order.filter((example) => foldOf[example] !== fold);
    const validationRows = order.filter((example) => foldOf[example] === fold);
    const trainSide = design(trainRows.map((row) => examples[row]!));
    const standardisation = { mean: trainSide.statisticMean, scale: trainSide.statisticScale };
    const all = design(examples, standardisation);
    const validationInputs = design(
      validationRows.map((row) => examples[row]!),
      standardisation,
    ).inputs;
    for (const hidden of grid.hidden) {
      for (const l2 of grid.l2) {
        const network = new Network(all.width, hidden, settings.seed + fold);
        for (let epoch = 1; epoch <= maxEpochs; epoch++) {
          network.epoch(
            all,
            trainRows,
            l2,
            settings.learningRate ?? DEFAULT_LEARNING_RATE,
            settings.batchSize ?? DEFAULT_BATCH_SIZE,
          );
          settings.onProgress?.(++done, total);
          if (!grid.epochs.includes(epoch)) continue;
          const loss = logLoss(network.predict(validationInputs, validationRows.length), all, validationRows);
          const entry = losses.get(key(hidden, l2, epoch)) ?? [];
          entry.push(loss);
          losses.set(key(hidden, l2, epoch), entry);
        }
      }
    }
  }
  const candidates = grid.hidden.flatMap((hidden) =>
    grid.l2.flatMap((l2) =>
      grid.epochs.map((epochs) => {
        const foldLosses = losses.get(key(hidden, l2, epochs))!;
        return {
          hidden,
          l2,
          epochs,
          validationLogLoss: foldLosses.reduce((sum, loss) => sum + loss, 0) / foldLosses.length,
        };
      }),
    ),
  );
  const best = candidates.reduce((a, b) => (b.validationLogLoss < a.validationLogLoss ? b : a));
  return { chosen: { hidden: best.hidden, l2: best.l2, epochs: best.epochs }, candidates };
}

import {
  irtRouterDefinition,
  knnGainRouterDefinition,
  mfRouterDefinition,
  swRankingRouterDefinition,
  type RouterContext,
  type RouterDefinition,
  type RouterWeights,
  packTensors,
  TENSOR_FILE,
  TENSOR_FORMAT_VERSION,
  type TensorToPack,
} from '../core/index.ts';
import { ALL_TRAINING_SOURCES, type TrainingData, type TrainingSourceName } from './dataset.ts';
import { classifierTrainer } from './train-classifier.ts';
import { trainIrt } from './train-irt.ts';
import { trainKnnGain } from './train-knn-gain.ts';
import { trainMf } from './train-mf.ts';
import { trainSwRanking } from './train-sw-ranking.ts';

interface TrainedRows {
  /** Training rows the weights were fitted on (prompts, battles, ... as the trainer counts them). */
  readonly rows: Readonly<Record<string, number>>;
  /** Anything worth recording about the fit (cross-validation table, final loss, ...). */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** Weights as tensors, which `npm run train` packs into weights.bin. */
export interface TrainedTensors extends TrainedRows {
  /** The manifest's `parameters`: everything the router's definition reads besides tensors. */
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly tensors: Readonly<Record<string, TensorToPack>>;
}

/**
 * Weights in a format of the router's own, written as they are: the classifier's head.bin, which its ONNX model
 * builder reads, with the manifest fields that describe it.
 */
export interface TrainedFiles extends TrainedRows {
  readonly manifestFields: Readonly<Record<string, unknown>>;
  readonly files: ReadonlyMap<string, Uint8Array>;
}

/** What a trainer hands to `npm run train`, which writes it as a router folder (manifest.json and weight files). */
export type TrainedRouter = TrainedTensors | TrainedFiles;

/** The weight files of a trained router and the manifest fields that describe them. */
export function trainedFolder(trained: TrainedRouter): {
  fields: Record<string, unknown>;
  files: ReadonlyMap<string, Uint8Array>;
} {
  if ('files' in trained) return { fields: { ...trained.manifestFields }, files: trained.files };
  const { bytes, entries } = packTensors(trained.tensors);
  return {
    fields: { parameters: trained.parameters, tensorFormat: TENSOR_FORMAT_VERSION, tensors: entries },
    files: new Map([[TENSOR_FILE, bytes]]),
  };
}

export interface RouterTrainer {
  readonly definition: RouterDefinition;
  /** The training sources it uses by default. */
  readonly sources: readonly TrainingSourceName[];
  train(
    data: TrainingData,
    options: {
      seed: number;
      onProgress?: (stage: string, done: number, total: number) => void;
      /**
       * Whether these weights ship (the last seed of a run): only then are diagnostics that choose nothing computed,
       * such as the irt router's leave-one-source-out table (default true).
       */
      report?: boolean;
    },
  ): TrainedRouter | Promise<TrainedRouter>;
  /** A paragraph LICENSE.md adds about what is built from the weights (the classifier's model and its encoder). */
  readonly licenceExtra?: string;
  /**
   * What the definition requires besides the embedder and the weights, for weights just trained: the classifier's
   * model is built from its weights only after training, so until then the trainer stands in for it.
   */
  context?(weights: RouterWeights): Promise<RouterContext>;
  /** Builds what ships from the written folder (the classifier's ONNX model); returns one line to print. */
  build?(folder: string): Promise<string>;
  /** Releases what training opened (the classifier's encoder). */
  dispose?(): Promise<void>;
}

export const knnGainTrainer: RouterTrainer = {
  definition: knnGainRouterDefinition,
  sources: ['alpaca-eval', 'mmlu-gold', 'golden', 'gsm8k-train'],
  train(data, { seed, onProgress }) {
    const trained = trainKnnGain(
      data,
      seed,
      onProgress && ((done, total) => onProgress('cross-validating knn-gain', done, total)),
    );
    return {
      parameters: trained.parameters,
      tensors: trained.tensors,
      rows: trained.rows,
      details: {
        embeddingCompression: trained.compression,
        crossValidation: {
          prior: trained.crossValidation.prior.slice(0, 8),
          difficulty: trained.crossValidation.difficulty,
        },
      },
    };
  },
};

export const mfTrainer: RouterTrainer = {
  definition: mfRouterDefinition,
  sources: ['alpaca-eval', 'mmlu-gold', 'golden'],
  train: (data, { seed, onProgress }) =>
    trainMf(data, seed, onProgress && ((done, total) => onProgress('training mf (epochs)', done, total))),
};

export const swRankingTrainer: RouterTrainer = {
  definition: swRankingRouterDefinition,
  sources: ['alpaca-eval', 'mmlu-gold', 'golden'],
  train: (data, { seed, onProgress }) =>
    trainSwRanking(data, seed, onProgress && ((done, total) => onProgress('cross-validating sw-ranking', done, total))),
};

export const irtTrainer: RouterTrainer = {
  definition: irtRouterDefinition,
  sources: ALL_TRAINING_SOURCES,
  train(data, { seed, onProgress, report }) {
    const trained = trainIrt(data, seed, undefined, onProgress, { leaveOneSourceOut: report ?? true });
    return { parameters: trained.parameters, tensors: trained.tensors, rows: trained.rows, details: trained.details };
  },
};

/** Routers `npm run train` can train, by registry name. */
export const TRAINERS: ReadonlyMap<string, RouterTrainer> = new Map(
  [classifierTrainer, irtTrainer, knnGainTrainer, mfTrainer, swRankingTrainer].map((trainer) => [
    trainer.definition.name,
    trainer,
  ]),
);

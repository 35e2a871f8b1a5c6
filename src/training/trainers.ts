import { knnGainRouterDefinition } from '../core/knn-gain-router.ts';
import { mfRouterDefinition } from '../core/mf-router.ts';
import { swRankingRouterDefinition } from '../core/sw-ranking-router.ts';
import type { RouterDefinition } from '../core/registry.ts';
import type { TensorToPack } from '../core/router-tensors.ts';
import type { TrainingData, TrainingSourceName } from './dataset.ts';
import { trainKnnGain } from './train-knn-gain.ts';
import { trainMf } from './train-mf.ts';
import { trainSwRanking } from './train-sw-ranking.ts';

/** What a trainer hands to `npm run train`, which writes it as weights.bin + manifest.json. */
export interface TrainedRouter {
  /** The manifest's `parameters`: everything the router's definition reads besides tensors. */
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly tensors: Readonly<Record<string, TensorToPack>>;
  /** Training rows the weights were fitted on (prompts, battles, ... as the trainer counts them). */
  readonly rows: Readonly<Record<string, number>>;
  /** Anything worth recording about the fit (cross-validation table, final loss, ...). */
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface RouterTrainer {
  readonly definition: RouterDefinition;
  /** The training sources it uses by default. */
  readonly sources: readonly TrainingSourceName[];
  train(data: TrainingData, options: { seed: number; onProgress?: (stage: string, done: number, total: number) => void }): TrainedRouter | Promise<TrainedRouter>;
}

export const knnGainTrainer: RouterTrainer = {
  definition: knnGainRouterDefinition,
  sources: ['alpaca-eval', 'mmlu-gold', 'golden', 'gsm8k-train'],
  train(data, { seed, onProgress }) {
    const trained = trainKnnGain(data, seed, onProgress && ((done, total) => onProgress('cross-validating knn-gain', done, total)));
    return {
      parameters: trained.parameters,
      tensors: trained.tensors,
      rows: trained.rows,
      details: { embeddingCompression: trained.compression, crossValidation: { prior: trained.crossValidation.prior.slice(0, 8), difficulty: trained.crossValidation.difficulty } },
    };
  },
};

export const mfTrainer: RouterTrainer = {
  definition: mfRouterDefinition,
  sources: ['alpaca-eval', 'mmlu-gold', 'golden'],
  train: (data, { seed, onProgress }) => trainMf(data, seed, onProgress && ((done, total) => onProgress('training mf (epochs)', done, total))),
};

export const swRankingTrainer: RouterTrainer = {
  definition: swRankingRouterDefinition,
  sources: ['alpaca-eval', 'mmlu-gold', 'golden'],
  train: (data, { seed, onProgress }) => trainSwRanking(data, seed, onProgress && ((done, total) => onProgress('cross-validating sw-ranking', done, total))),
};

/** Routers `npm run train` can train, by registry name. */
export const TRAINERS: ReadonlyMap<string, RouterTrainer> = new Map(
  [knnGainTrainer, mfTrainer, swRankingTrainer].map((trainer) => [trainer.definition.name, trainer]),
);

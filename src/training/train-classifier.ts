/**
 * The classifier router's trainer, run by `npm run train -- --router classifier`: a small MLP head over the USE-lite
 * q8 embedding and the token statistics of each prompt (./classifier/), with hyperparameters chosen by k-fold
 * cross-validation on the training examples and an ensemble of seeded networks trained on all of them. The head
 * is written as head.bin (the format the ONNX model builder reads), and the classifier model is built from it.
 */
import path from 'node:path';
import {
  CLASSIFIER_LABEL_VALUES,
  classifierRouterDefinition,
  InvalidInputError,
  type TextClassifier,
} from '../core/index.ts';
import { DEFAULT_MODEL, CLASSIFIER_MODEL } from '../encoder/index.ts';
import {
  CLASSIFIER_LABELS,
  buildClassifierModel,
  DEFAULT_CLASSIFIER_HEAD_DIR,
  TOKEN_CLASSES,
  type ClassifierHead,
  decodeHead,
  encodeHead,
  HEAD_ENCODER_DTYPE,
  headLogOdds,
} from '../node/index.ts';
import { openPromptFeatures, type PromptFeatures, type PromptFeatureSource } from './classifier/prompt-features.ts';
import { crossValidateHead, type HeadExample, trainHead } from './classifier/train-head.ts';
import { PAIR_TRAINING_SOURCES, type TrainingData } from './dataset.ts';
import type { RouterTrainer } from './trainers.ts';

/**
 * AlpacaEval's judge labels are left out: GPT-4-Turbo judges prefer the strong model on open-ended writing where
 * both answers are good enough (and reward length), so they teach the opposite of where the strong model is needed.
 * Measured on the training data alone: adding them raises the cross-validated log loss on the golden families.
 */
const EXCLUDED_FAMILIES: ReadonlySet<string> = new Set(['chat']);

/** Chosen by cross-validation (3 folds, mean validation log loss); the grid is small so training stays within minutes. */
const GRID = { hidden: [32], l2: [1e-3, 1e-2], epochs: [10, 20, 30] } as const;
const FOLDS = 3;
/** Networks averaged into the shipped head. */
const ENSEMBLE_MEMBERS = 3;

const TOKEN_CLASS_NAMES = TOKEN_CLASSES.map((entry) => entry.name);

const LICENCE_EXTRA = `The routellm-classifier model built from this head carries the head's licence; the encoder inside it is
Universal Sentence Encoder lite (Apache-2.0).`;

/** Every family carries the same total weight, so 2,400 code-reasoning rows do not drown 710 math ones. */
function familyBalancedExamples(data: TrainingData, features: readonly PromptFeatures[]): HeadExample[] {
  const labelled = data.prompts.flatMap((prompt, index) =>
    prompt.strongWinRate !== undefined && !EXCLUDED_FAMILIES.has(prompt.family)
      ? [{ prompt, features: features[index]!, target: prompt.strongWinRate }]
      : [],
  );
  const perFamily = new Map<string, number>();
  for (const { prompt } of labelled) perFamily.set(prompt.family, (perFamily.get(prompt.family) ?? 0) + 1);
  return labelled.map(({ prompt, features: { embedding, statistics }, target }) => ({
    embedding,
    statistics,
    target,
    weight: 1 / perFamily.get(prompt.family)!,
  }));
}

/** The classifier model as the head computes it, on the trainer's features (the model itself is built later). */
function headClassifier(head: ClassifierHead, source: PromptFeatureSource): TextClassifier {
  return {
    id: `${CLASSIFIER_MODEL}-head@${source.encoderId}`,
    labels: CLASSIFIER_LABELS,
    async classify(texts) {
      return (await source.features(texts)).map(({ embedding, statistics }) => {
        const strongWinRate = 1 / (1 + Math.exp(-headLogOdds(head, embedding, statistics)));
        return [1 - strongWinRate, strongWinRate];
      });
    },
  };
}

/** The classifier's trainer over a source of prompt features, opened on first use and kept until dispose. */
export function createClassifierTrainer(openFeatures: () => Promise<PromptFeatureSource>): RouterTrainer {
  let opened: Promise<PromptFeatureSource> | undefined;
  const features = () => (opened ??= openFeatures());
  // Every seed of a run trains on the same examples; embedding and counting them once saves a pass per seed.
  const examplesOf = new WeakMap<TrainingData, Promise<HeadExample[]>>();
  const examples = (data: TrainingData, onProgress?: (stage: string, done: number, total: number) => void) => {
    let found = examplesOf.get(data);
    if (!found) {
      found = features().then(async (source) => {
        const texts = data.prompts.map((prompt) => prompt.text);
        const all = await source.features(
          texts,
          onProgress && ((done, total) => onProgress('classifier features of training prompts', done, total)),
        );
        const labelled = familyBalancedExamples(data, all);
        if (labelled.length === 0)
          throw new InvalidInputError('No labelled training prompts outside the excluded families.');
        return labelled;
      });
      examplesOf.set(data, found);
    }
    return found;
  };

  return {
    definition: classifierRouterDefinition,
    sources: PAIR_TRAINING_SOURCES,
    licenceExtra: LICENCE_EXTRA,
    async train(data, { seed, onProgress }) {
      const labelled = await examples(data, onProgress);
      const source = await features();
      const stage = (name: string) =>
        onProgress && ((done: number, total: number) => onProgress(`${name} classifier (seed ${seed})`, done, total));
      const crossValidation = crossValidateHead(labelled, GRID, {
        seed,
        folds: FOLDS,
        onProgress: stage('cross-validating'),
      });
      const head = trainHead(labelled, TOKEN_CLASS_NAMES, crossValidation.chosen, {
        seed,
        members: ENSEMBLE_MEMBERS,
        onProgress: stage('training'),
      });
      const { fields, files } = encodeHead(head);
      return {
        manifestFields: {
          model: CLASSIFIER_MODEL,
          labelValues: CLASSIFIER_LABEL_VALUES,
          encoder: { model: DEFAULT_MODEL, dtype: HEAD_ENCODER_DTYPE, overflow: 'chunk', id: source.encoderId },
          ...fields,
        },
        files,
        rows: { labelledExamples: labelled.length },
        details: {
          excludedFamilies: [...EXCLUDED_FAMILIES],
          weighting: 'each task family carries the same total weight',
          crossValidation: {
            folds: FOLDS,
            grid: GRID,
            candidates: crossValidation.candidates,
            chosen: crossValidation.chosen,
          },
          ensembleMembers: ENSEMBLE_MEMBERS,
        },
      };
    },
    async context(weights) {
      return { textClassifier: headClassifier(decodeHead(weights), await features()) };
    },
    async build(folder) {
      // The model folder has one fixed place, so only the committed head builds it (a trial run elsewhere would replace it).
      if (path.resolve(folder) !== DEFAULT_CLASSIFIER_HEAD_DIR) {
        return `Not built: ${CLASSIFIER_MODEL} is built from ${path.relative(process.cwd(), DEFAULT_CLASSIFIER_HEAD_DIR)} (npm run build:classifier).`;
      }
      const result = await buildClassifierModel({ headDir: folder });
      return `${result.built ? 'Built' : 'Kept'} ${path.relative(process.cwd(), result.outDir)}.`;
    },
    async dispose() {
      const source = opened;
      opened = undefined;
      if (source) await (await source).dispose();
    },
  };
}

/** The classifier's trainer over the encoder and tokenizer its model is built from. */
export const classifierTrainer: RouterTrainer = createClassifierTrainer(openPromptFeatures);

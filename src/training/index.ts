/**
 * Every trainer of `npm run train` (knn-gain, mf, sw-ranking, classifier) and the training data they share: sources,
 * labels, decontamination against the benchmarks, and the registry the command picks a trainer from.
 */
export {
  ALL_TRAINING_SOURCES,
  loadTrainingData,
  MANY_MODEL_SOURCES,
  PAIR_TRAINING_SOURCES,
  type TrainingData,
  type TrainingSourceName,
} from './dataset.ts';
export { isMultiModelTestPrompt, loadArenaHumanBattles, loadMmluPro, loadPassRates } from './many-models.ts';
export { canonicalModelName } from './model-names.ts';
export { TRAINERS, trainedFolder, type RouterTrainer } from './trainers.ts';
export { modelCard, weightsLicence } from './model-card.ts';
export {
  chooseUserPair,
  loadUserData,
  userPrompts,
  userTestBenchmark,
  withoutPrompts,
  type ModelPair,
  type UserData,
} from './user-data.ts';
export { loadModelPrices, type ModelPrice, type ModelPriceTable } from './model-prices.ts';
export {
  MULTI_MODEL_DATASETS,
  isMultiModelDatasetName,
  loadMultiModelDataset,
  pairBenchmarks,
  type MultiModelDataset,
  type MultiModelDatasetName,
} from './multi-model-datasets.ts';
export {
  formatMultiModelReport,
  formatMultiModelSummary,
  multiModelSummaryEntry,
  priorPredictorFactory,
  runMultiModelEval,
  type MultiModelReport,
  type PredictorFactory,
  type UnseenModelMapping,
} from './multi-model-eval.ts';

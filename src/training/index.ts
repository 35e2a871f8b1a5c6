/**
 * Every trainer of `npm run train` (knn-gain, mf, sw-ranking, classifier) and the training data they share: sources,
 * labels, decontamination against the benchmarks, and the registry the command picks a trainer from.
 */
export { ALL_TRAINING_SOURCES, loadTrainingData, type TrainingData, type TrainingSourceName } from './dataset.ts';
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

/**
 * routellm-web core: routers, thresholds, calibration, metrics and model strings. Pure TypeScript that runs
 * in the browser, a worker and Node alike (no DOM, no Node, no fetch).
 */
export type { Embedder, Router, ScoreOptions } from './router.ts';
export type { ModelQualityPredictor } from './model-quality.ts';
export * from './errors.ts';

export {
  ROUTELLM_MODEL_PAIR,
  benchmarkPrompts,
  createBenchmark,
  maxPromptLength,
  modelQuality,
  type Benchmark,
  type BenchmarkItem,
} from './benchmark.ts';
export { createMtBench, type MtBenchJudgement, type MtBenchQuestion, type MtBenchSource } from './mt-bench.ts';
export { createCorrectnessBenchmark, type CorrectnessRow, type CorrectnessSource } from './correctness-benchmark.ts';
export { MMLU_GOLD_SIZE, promptDigest, splitMmluGold, type MmluGoldSplit } from './mmlu-gold.ts';
export { createCustomBenchmark, type CustomBenchmarkFields, type CustomBenchmarkSource } from './custom-benchmark.ts';
export { isJudgeVerdict } from './judge.ts';

export { quantileSorted, quantiles, sortedAscending } from './quantile.ts';
export { interp } from './interp.ts';
export { trapezoid } from './trapezoid.ts';
export {
  DEFAULT_CURVE_STEPS,
  averageCurves,
  sortByStrongPercentage,
  thresholdCurve,
  type CurvePoint,
  type QualityPoint,
} from './curve.ts';
export { CPT_LEVELS, curveMetrics, performanceGapRecovered, type CptLevel, type CurveMetrics } from './metrics.ts';
export { oracleCurve } from './oracle.ts';
export {
  evaluateCurve,
  evaluateRouter,
  evaluateScores,
  scorePrompts,
  type EvaluateRouterOptions,
  type RouterEvaluation,
  type ScoringOptions,
} from './evaluate.ts';

export { createPrng } from './prng.ts';
export { LENGTH_HALF_SCORE, createLengthRouter, type LengthRouterOptions } from './length-router.ts';
export { createRandomRouter, type RandomRouterOptions } from './random-router.ts';
export {
  RouterRegistry,
  createFromDefinition,
  type RouterContext,
  type RouterDefinition,
  type RouterRequirement,
  type RouterWeights,
} from './registry.ts';
export {
  builtinRouters,
  DEFAULT_ROUTER,
  defaultRegistry,
  lengthRouterDefinition,
  randomRouterDefinition,
} from './routers.ts';
export type { TextClassifier } from './text-classifier.ts';
export type { ChatMessage, LabelQuery, LabelScorer } from './label-scorer.ts';
export {
  CLASSIFIER_LABEL_VALUES,
  classifierRouterDefinition,
  createClassifierRouter,
  type ClassifierRouterOptions,
} from './classifier-router.ts';
export {
  ROUTELLM_CLASSIFIER_MESSAGE,
  ROUTELLM_SYSTEM_MESSAGE,
  causalLlmRouterDefinition,
  createCausalLlmRouter,
  type CausalLlmRouterOptions,
} from './causal-llm-router.ts';
export {
  KNN_GAIN_ROUTER,
  createKnnGainRouter,
  difficultyAdjustment,
  gainToScore,
  knnGain,
  knnGainRouterDefinition,
  priorGain,
  type KnnGainModel,
} from './knn-gain-router.ts';
export {
  MF_ROUTER,
  createMfRouter,
  mfModelFromWeights,
  mfRouterDefinition,
  type MfModel,
  type MfRouterOptions,
} from './mf-router.ts';
export {
  SW_RANKING_ROUTER,
  createSwRankingRouter,
  solveTierStrengths,
  swRankingModelFromWeights,
  swRankingRouterDefinition,
  swRankingWinRate,
  type SwRankingModel,
  type SwRankingRouterOptions,
} from './sw-ranking-router.ts';
export { readLearnedRouterManifest, type LearnedRouterManifest } from './weights/learned-router-manifest.ts';
export {
  MANIFEST_FILE,
  describeWeightFiles,
  manifestCalibration,
  readRouterWeights,
  type ManifestCalibration,
  type WeightsFileReader,
  type WeightsProgressEvent,
} from './weights/router-weights.ts';
export { sha256Hex } from './weights/sha256.ts';
export {
  TENSOR_FILE,
  packTensors,
  readTensors,
  type Tensor,
  type TensorDtype,
  type TensorEntry,
} from './router-tensors.ts';
export {
  PROMPT_FEATURE_COUNT,
  PROMPT_FEATURE_NAMES,
  promptFeatures,
  type PromptFeatureName,
} from './prompt-features.ts';
export { bootstrapApgr, type BootstrapInterval } from './bootstrap.ts';
export { formatRouterModel, parseRouterModel, type RouterModelString } from './model-string.ts';
export {
  QUANTILE_TABLE_SIZE,
  scoreQuantileTable,
  thresholdForStrongPct,
  thresholdFromQuantileTable,
} from './calibration.ts';
export { BROWSER_ENCODER_FILES, ORT_BUILD_FILES, SERVED_FOLDERS, type OrtBuild } from './served-files.ts';
export { DEFAULT_BOOTSTRAP_RESAMPLES } from './bootstrap.ts';
export { dotRowsMany, maxDotProducts, packRows, projectRows, type ProjectedEmbeddings } from './similarity.ts';
export { topK } from './nearest-neighbours.ts';
export { TENSOR_FORMAT_VERSION, storedValues, type TensorToPack } from './router-tensors.ts';
export { fitSparseLogistic, sigmoid, type SparseLogisticRow } from './logistic.ts';
export { LENGTH_SPREAD_FLOOR } from './knn-gain-router.ts';
export { mfInputs, mfModelScore, mfProjectPrompt } from './mf-router.ts';
export {
  createIrtRouter,
  familyAdjustedGain,
  familyShares,
  IRT_ROUTER,
  irtGain,
  irtInputCount,
  irtInputs,
  type IrtModel,
  type IrtRouter,
  irtRouterDefinition,
  modelLogit,
  promptTraits,
} from './irt-router.ts';
export {
  CHARS_PER_TOKEN,
  DEFAULT_ANSWER_TOKENS,
  calibratePolicy,
  checkPolicy,
  checkPricedModels,
  chooseModelIndex,
  estimatePromptTokens,
  expectedCostUsd,
  expectedCosts,
  policyOutcome,
  selectModel,
  type CalibratedPolicyKind,
  type CalibrationPrediction,
  type CalibrationTarget,
  type ModelEstimate,
  type PricedModel,
  type SelectionDecision,
  type SelectionPolicy,
} from './model-selection.ts';
export {
  aiq,
  evaluateMultiModel,
  hullCostToReach,
  hullQualityAt,
  lambdaGrid,
  nonDecreasingConvexHull,
  oracleChoices,
  routedPoint,
  routerCurve,
  singleModelPoints,
  type CostQualityPoint,
  type ModelPoint,
  type MultiModelEvaluation,
  type MultiModelSet,
  type RouterCurvePoint,
} from './multi-model-metrics.ts';
export { PRIOR_PREDICTOR, createPriorQualityPredictor } from './prior-quality-predictor.ts';

/**
 * The Node-only library under the commands, trainers and build scripts: benchmark and training data loading,
 * records (CSV, JSONL), the embedding cache, router weights on disk, evaluation runs, plots, progress, and the ONNX
 * converters that build the offline encoder and the classifier model.
 */
export { CALIBRATION_SET, loadCalibrationPrompts } from './calibration-set.ts';
export { PROJECT_ROOT, ROUTELLM_EVALS_SUBDIR, resolveSharedDir } from './paths.ts';
export { readJsonl, readRecords, requireFields, type FileRecord } from './records.ts';
export { loadRouterResources, scoreWithRouter, weightsFolders } from './router-resources.ts';
export {
  DEFAULT_ROUTERS_DIR,
  readRouterFolder,
  replaceFolder,
  stageRouterFolder,
  stagingFolder,
  writeRouterFolder,
} from './router-weights.ts';
export { LOG_INTERVAL_MS, createProgressBar, type ProgressBar, type ProgressStream } from './progress.ts';
export {
  BENCHMARK_NAMES,
  BenchmarkLoader,
  isBenchmarkName,
  type BenchmarkName,
  type CustomBenchmarkFile,
} from './benchmarks.ts';
export { formatBenchmarkReport, formatPairsSummary } from './eval-table.ts';
export { benchmarkPlot } from './benchmark-plot.ts';
export { renderCurvePlot } from './plot.ts';
export { renderCostQualityPlot, type CostCurve, type CostQualityPlot } from './multi-model-plot.ts';
export { runEval, summaryEntry, toDetails, toSummary, type BenchmarkReport } from './run-eval.ts';
export {
  ROUTER_EMBEDDING_CACHE_DIR,
  ROUTER_ENCODER_OVERFLOW,
  createRouterEmbedder,
  ensureRouterEncoder,
  type RouterEmbedder,
} from './router-embedder.ts';
export { NULL_MODEL, RESERVED_DATASET, loadAlpacaEval, type JudgedBattle } from './alpaca-eval.ts';
export { CLASSIFIER_LABELS } from './onnx/classifier/classifier-graph.ts';
export {
  CLASSIFIER_MAX_TOKENS,
  DEFAULT_CLASSIFIER_HEAD_DIR,
  buildClassifierModel,
} from './onnx/classifier/build-classifier-model.ts';
export { TOKEN_CLASSES, promptStatistics, tokenClassTable } from './onnx/classifier/features.ts';
export {
  EMBEDDING_DIMENSIONS,
  HEAD_ENCODER_DTYPE,
  decodeHead,
  encodeHead,
  headLogOdds,
  type ClassifierHead,
} from './onnx/classifier/head.ts';
export { createCachedEmbedder, type CachedEmbedder } from './embedding-cache.ts';

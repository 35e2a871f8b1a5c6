/**
 * npm run train:classifier: trains the classifier router's head and builds its model.
 *
 *   tsx scripts/train-classifier.ts [--data DIR] [--seed N] [--seeds A,B,...] [--out DIR] [--no-build]
 *
 * --seeds also trains those seeds and records each one's APGR and the mean (MT-Bench's 72 questions make one
 * seed's number noisy); the head written is the --seed one.
 *
 * 1. Training data, labels and decontamination from src/cli/training (loadTrainingData).
 * 2. Every prompt embedded as the classifier model embeds it (USE-lite q8, 128-token windows pooled; cached on disk)
 *    and its token statistics counted (scripts/classifier/features.ts).
 * 3. Hyperparameters chosen by k-fold cross-validation on the training examples; an ensemble of seeded networks
 *    trained on all of them (scripts/classifier/train-head.ts).
 * 4. The head, with its manifest (data counts, seed, timing, benchmark results, calibration quantiles), written to
 *    public/routers/classifier/, and the ONNX model built from it (scripts/onnx/classifier/).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AutoTokenizer, type PreTrainedTokenizer } from '@huggingface/transformers';
import { DEFAULT_BOOTSTRAP_RESAMPLES } from '../core/bootstrap.ts';
import { scoreQuantileTable } from '../core/calibration.ts';
import { CLASSIFIER_LABEL_VALUES, classifierRouterDefinition } from '../core/classifier-router.ts';
import { InvalidInputError } from '../core/errors.ts';
import type { RouterDefinition } from '../core/registry.ts';
import { createCachedEmbedder, type CachedEmbedder } from '../node/embedding-cache.ts';
import { parseNumberFlag, splitList } from '../cli/command.ts';
import { resolveSharedDir } from '../node/paths.ts';
import { createProgressBar } from '../node/progress.ts';
import { ROUTER_EMBEDDING_CACHE_DIR, createRouterEmbedder } from '../node/router-embedder.ts';
import { writeRouterFolder } from '../node/router-weights.ts';
import { type BenchmarkReport, runEval, summaryEntry } from '../node/run-eval.ts';
import { CALIBRATION_SET, loadCalibrationPrompts } from '../node/calibration-set.ts';
import { loadTrainingData, type TrainingData } from './dataset.ts';
import { createEncoder, DEFAULT_MODEL } from '../encoder/index.ts';
import { CLASSIFIER_MODEL } from '../encoder/text-classifier.ts';
import { readModelFile, resolveModelLocation } from '../encoder/model-location.ts';
import { withLoadSettings } from '../encoder/transformers-env.ts';
import { TOKEN_CLASSES, promptStatistics, tokenClassTable } from './classifier/features.ts';
import { type ClassifierHead, encodeHead, HEAD_ENCODER_DTYPE, headLogOdds } from './classifier/head.ts';
import { type CrossValidationResult, crossValidateHead, type HeadExample, trainHead } from './classifier/train-head.ts';
import { CLASSIFIER_MAX_TOKENS, DEFAULT_CLASSIFIER_HEAD_DIR, buildClassifierModel } from '../node/onnx/classifier/build-classifier-model.ts';

const USAGE = 'usage: train-classifier [--data DIR] [--seed N] [--seeds A,B,...] [--out DIR] [--no-build]';

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
/** Benchmarks written into the manifest (MMLU on its held-out part: the gold split is training data). */
const EVALUATION_BENCHMARKS = ['mt-bench', 'mmlu-heldout', 'gsm8k'] as const;

const TOKEN_CLASS_NAMES = TOKEN_CLASSES.map((entry) => entry.name);

const LICENCE_NOTE = `# Licence of these router weights

The classifier head was trained on data that includes AlpacaEval (tatsu-lab/alpaca_eval; its instructions are the
calibration set), licensed CC BY-NC 4.0: the head, and the routellm-classifier model built from it, inherit the
non-commercial licence. Other training data: MMLU (MIT), MATH (MIT), CRUXEval (MIT), HumanEval (MIT), ZeroEval
(Apache-2.0), EvalPlus (Apache-2.0), GSM8K (MIT), RouteLLM's cached benchmark results (Apache-2.0). The encoder
inside the built model is Universal Sentence Encoder lite (Apache-2.0). See manifest.json for sources and row counts.
`;

type Progress = (stage: string) => (done: number, total: number) => void;

interface PromptFeatures {
  readonly embedding: Float32Array;
  readonly statistics: Float64Array;
}

/** Embeds and counts prompts exactly as the classifier model does. */
class FeatureExtractor {
  private constructor(
    private readonly cache: CachedEmbedder,
    private readonly tokenizer: PreTrainedTokenizer,
    private readonly table: Float32Array,
    readonly encoderId: string,
    private readonly release: () => Promise<void>,
  ) {}

  static async create(): Promise<FeatureExtractor> {
    const encoder = await createEncoder({ dtype: HEAD_ENCODER_DTYPE, overflow: 'chunk' });
    const cache = await createCachedEmbedder(encoder, ROUTER_EMBEDDING_CACHE_DIR);
    const location = resolveModelLocation(DEFAULT_MODEL, { allowRemoteModels: false });
    const tokenizer = await withLoadSettings({ localModelPath: location.localModelPath, allowRemoteModels: false }, () =>
      AutoTokenizer.from_pretrained(location.modelId),
    );
    const vocabulary = (JSON.parse(new TextDecoder().decode(await readModelFile(location, 'tokenizer.json'))) as { model: { vocab: [string, number][] } }).model.vocab.map(([piece]) => piece);
    return new FeatureExtractor(cache, tokenizer, tokenClassTable(vocabulary, TOKEN_CLASSES), encoder.id, () => encoder.dispose());
  }

  async features(texts: readonly string[], onProgress?: (done: number, total: number) => void): Promise<PromptFeatures[]> {
    const features: PromptFeatures[] = [];
    const batch = 256;
    for (let start = 0; start < texts.length; start += batch) {
      const part = texts.slice(start, start + batch);
      const embeddings = await this.cache.embed(part);
      part.forEach((text, index) => {
        // The pipeline's tokenizer truncates at model_max_length; the statistics see what the graph sees.
        const ids = this.tokenizer.encode(text).slice(0, CLASSIFIER_MAX_TOKENS);
        features.push({ embedding: embeddings[index]!, statistics: promptStatistics(ids, this.table, TOKEN_CLASSES.length) });
      });
      onProgress?.(features.length, texts.length);
    }
    return features;
  }

  dispose(): Promise<void> {
    return this.release();
  }
}

/** Every family carries the same total weight, so 2,400 code-reasoning rows do not drown 710 math ones. */
function familyBalancedExamples(data: TrainingData, features: readonly PromptFeatures[]): HeadExample[] {
  const labelled = data.prompts.flatMap((prompt, index) =>
    prompt.strongWinRate !== undefined && !EXCLUDED_FAMILIES.has(prompt.family) ? [{ prompt, features: features[index]!, target: prompt.strongWinRate }] : [],
  );
  const perFamily = new Map<string, number>();
  for (const { prompt } of labelled) perFamily.set(prompt.family, (perFamily.get(prompt.family) ?? 0) + 1);
  return labelled.map(({ prompt, features: { embedding, statistics }, target }) => ({ embedding, statistics, target, weight: 1 / perFamily.get(prompt.family)! }));
}

function strongWinRate(head: ClassifierHead, features: PromptFeatures): number {
  return 1 / (1 + Math.exp(-headLogOdds(head, features.embedding, features.statistics)));
}

/** One seed's head, its cross-validation, and its benchmark results (exactly what the shipped model computes). */
interface SeedRun {
  readonly seed: number;
  readonly head: ClassifierHead;
  readonly crossValidation: CrossValidationResult;
  readonly trainingSeconds: number;
  readonly reports: BenchmarkReport[];
}

async function trainSeed(
  seed: number,
  examples: readonly HeadExample[],
  extractor: FeatureExtractor,
  sharedDir: string,
  progress: Progress,
  bootstrapResamples: number,
): Promise<SeedRun> {
  const started = performance.now();
  const crossValidation = crossValidateHead(examples, GRID, { seed, folds: FOLDS, onProgress: progress(`cross-validating (seed ${seed})`) });
  const head = trainHead(examples, TOKEN_CLASS_NAMES, crossValidation.chosen, { seed, members: ENSEMBLE_MEMBERS, onProgress: progress(`training (seed ${seed})`) });
  const trainingSeconds = (performance.now() - started) / 1000;
  const reports = await runEval({
    routers: [headRouter(head, extractor), 'length'],
    benchmarks: EVALUATION_BENCHMARKS,
    sharedDir,
    bootstrapResamples,
    onProgress: ({ benchmark, router }, done, total) => progress(`scoring ${benchmark}/${router} (seed ${seed})`)(done, total),
  });
  return { seed, head, crossValidation, trainingSeconds, reports };
}

/** The classifier router as the shipped model computes it, on features the trainer has cached. */
function headRouter(head: ClassifierHead, extractor: FeatureExtractor): RouterDefinition {
  return {
    name: 'classifier',
    description: classifierRouterDefinition.description,
    requires: [],
    create: () => ({ name: 'classifier', score: async (prompts) => (await extractor.features(prompts)).map((entry) => strongWinRate(head, entry)) }),
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      seed: { type: 'string', default: '0' },
      seeds: { type: 'string' },
      out: { type: 'string' },
      'no-build': { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const sharedDir = resolveSharedDir(values.data);
  const seedOf = (value: string, flag: string) => parseNumberFlag(value, flag, { min: 0, max: 2 ** 31 - 1, integer: true });
  const seed = seedOf(values.seed, '--seed');
  const extraSeeds = values.seeds === undefined ? [] : splitList(values.seeds, '--seeds').map((value) => seedOf(value, '--seeds'));
  const outDir = path.resolve(values.out ?? DEFAULT_CLASSIFIER_HEAD_DIR);

  const bars = new Map<string, ReturnType<typeof createProgressBar>>();
  const progress: Progress = (stage) => (done, total) => {
    if (!bars.has(stage)) {
      for (const bar of bars.values()) bar.finish();
      bars.set(stage, createProgressBar(stage, process.stderr));
    }
    bars.get(stage)!.update(done, total);
  };

  const routerEmbedder = await createRouterEmbedder();
  let data: TrainingData;
  try {
    data = await loadTrainingData({ sharedDir, embedder: routerEmbedder, onProgress: (stage, done, total) => progress(stage)(done, total) });
  } finally {
    await routerEmbedder.dispose();
  }
  const extractor = await FeatureExtractor.create();
  try {
    const features = await extractor.features(
      data.prompts.map((prompt) => prompt.text),
      progress('classifier features of training prompts'),
    );
    const examples = familyBalancedExamples(data, features);
    if (examples.length === 0) throw new InvalidInputError('No labelled training prompts outside the excluded families.');
    const dataSeconds = (performance.now() - started) / 1000;

    const runs: SeedRun[] = [];
    for (const runSeed of [...new Set([...extraSeeds.filter((value) => value !== seed), seed])]) {
      // Only the shipped seed's results carry bootstrap intervals.
      runs.push(await trainSeed(runSeed, examples, extractor, sharedDir, progress, runSeed === seed ? DEFAULT_BOOTSTRAP_RESAMPLES : 0));
    }
    const final = runs.at(-1)!;
    const apgrOf = (run: SeedRun, benchmark: string, router = 'classifier') =>
      run.reports.find((report) => report.benchmark.name === benchmark)!.routers.find((evaluation) => evaluation.router === router)!.apgr;

    const calibrationPrompts = await loadCalibrationPrompts(sharedDir);
    const calibrationScores = (await extractor.features(calibrationPrompts)).map((entry) => strongWinRate(final.head, entry));
    for (const bar of bars.values()) bar.finish();

    const { fields, files } = encodeHead(final.head);
    const manifest = {
      router: 'classifier',
      description: classifierRouterDefinition.description,
      license: 'CC BY-NC 4.0 (inherited from AlpacaEval data; see LICENSE.md)',
      model: CLASSIFIER_MODEL,
      labelValues: CLASSIFIER_LABEL_VALUES,
      encoder: { model: DEFAULT_MODEL, dtype: HEAD_ENCODER_DTYPE, overflow: 'chunk', id: extractor.encoderId },
      data: { report: data.report, labelledExamples: examples.length, excludedFamilies: [...EXCLUDED_FAMILIES], weighting: 'each task family carries the same total weight' },
      seed,
      training: {
        crossValidation: { folds: FOLDS, grid: GRID, candidates: final.crossValidation.candidates, chosen: final.crossValidation.chosen },
        ensembleMembers: ENSEMBLE_MEMBERS,
      },
      trainingSeconds: Number(final.trainingSeconds.toFixed(1)),
      embeddingAndDataSeconds: Number(dataSeconds.toFixed(1)),
      totalSeconds: Number(((performance.now() - started) / 1000).toFixed(1)),
      benchmarks: {
        ...Object.fromEntries(
          final.reports.map((report) => {
            const { curve: _curve, ...entry } = summaryEntry(report.routers[0]!);
            return [report.benchmark.name, { ...entry, bootstrap: report.routers[0]!.interval, lengthAPGR: apgrOf(final, report.benchmark.name, 'length'), randomAPGR: report.random.apgr }];
          }),
        ),
        ...(runs.length > 1
          ? {
              seeds: {
                perSeed: Object.fromEntries(runs.map((run) => [String(run.seed), Object.fromEntries(EVALUATION_BENCHMARKS.map((name) => [name, apgrOf(run, name)]))])),
                mean: Object.fromEntries(EVALUATION_BENCHMARKS.map((name) => [name, runs.reduce((sum, run) => sum + apgrOf(run, name), 0) / runs.length])),
              },
            }
          : {}),
      },
      calibration: { prompts: CALIBRATION_SET, count: calibrationScores.length, quantiles: scoreQuantileTable(calibrationScores) },
      ...fields,
    };
    await writeRouterFolder(outDir, manifest, files);
    await writeFile(path.join(outDir, 'LICENSE.md'), LICENCE_NOTE);

    const where = path.relative(process.cwd(), outDir) || '.';
    console.log(`train-classifier: ${examples.length} labelled examples; chosen ${JSON.stringify(final.crossValidation.chosen)} by ${FOLDS}-fold CV; trained in ${final.trainingSeconds.toFixed(1)} s`);
    for (const name of EVALUATION_BENCHMARKS) {
      const mean = runs.length > 1 ? `, mean over seeds ${runs.map((run) => run.seed).join(',')} ${(runs.reduce((sum, run) => sum + apgrOf(run, name), 0) / runs.length).toFixed(3)}` : '';
      const { low, high } = final.reports.find((report) => report.benchmark.name === name)!.routers[0]!.interval!;
      console.log(
        `  ${name.padEnd(12)} classifier APGR ${apgrOf(final, name).toFixed(3)} (95% bootstrap ${low.toFixed(3)}-${high.toFixed(3)}; ` +
          `length ${apgrOf(final, name, 'length').toFixed(3)})${mean}`,
      );
    }
    console.log(`train-classifier: wrote ${where} in ${manifest.totalSeconds} s`);
  } finally {
    await extractor.dispose();
  }
  if (!values['no-build'] && values.out === undefined) {
    const result = await buildClassifierModel();
    console.log(`train-classifier: ${result.built ? 'built' : 'kept'} ${path.relative(process.cwd(), result.outDir)}`);
  }
}

try {
  await main();
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  const badArguments = error instanceof TypeError && String((error as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS');
  console.error(`train-classifier: ${message}${badArguments ? `\n${USAGE}` : ''}`);
  process.exit(1);
}

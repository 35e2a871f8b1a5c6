/**
 * npm run train:classifier: trains the classifier router's head and builds its model.
 *
 *   tsx scripts/train-classifier.ts [--data DIR] [--seed N] [--out DIR] [--no-build]
 *
 * 1. Training data, labels and decontamination from src/cli/training (loadTrainingData).
 * 2. Every prompt embedded as the classifier model embeds it (USE-lite q8, 128-token windows pooled; cached on disk)
 *    and its token statistics counted (scripts/classifier/features.ts).
 * 3. Hyperparameters chosen by k-fold cross-validation on the training examples; an ensemble of seeded networks
 *    trained on all of them (scripts/classifier/train-head.ts).
 * 4. The head, with its manifest (data counts, seed, timing, benchmark results, calibration quantiles), written to
 *    public/routers/classifier/, and the ONNX model built from it (scripts/onnx/classifier/).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AutoTokenizer, type PreTrainedTokenizer } from '@huggingface/transformers';
import { scoreQuantileTable } from '../src/core/calibration.ts';
import { CLASSIFIER_LABEL_VALUES } from '../src/core/classifier-router.ts';
import { InvalidInputError } from '../src/core/errors.ts';
import type { RouterDefinition } from '../src/core/registry.ts';
import { createCachedEmbedder, type CachedEmbedder } from '../src/cli/embedding-cache.ts';
import { parseNumberFlag } from '../src/cli/command.ts';
import { resolveSharedDir } from '../src/cli/paths.ts';
import { createProgressBar } from '../src/cli/progress.ts';
import { ROUTER_EMBEDDING_CACHE_DIR, createRouterEmbedder } from '../src/cli/router-embedder.ts';
import { writeRouterFolder } from '../src/cli/router-weights.ts';
import { runEval, toSummary } from '../src/cli/run-eval.ts';
import { loadTrainingData, type TrainingData } from '../src/cli/training/dataset.ts';
import { createEncoder, DEFAULT_MODEL } from '../src/encoder/index.ts';
import { readModelFile, resolveModelLocation } from '../src/encoder/model-location.ts';
import { withLoadSettings } from '../src/encoder/transformers-env.ts';
import { TOKEN_CLASSES, promptStatistics, tokenClassTable } from './classifier/features.ts';
import { type ClassifierHead, encodeHead, HEAD_ENCODER_DTYPE, headLogOdds } from './classifier/head.ts';
import { crossValidateHead, type HeadExample, trainHead } from './classifier/train-head.ts';
import { CLASSIFIER_MAX_TOKENS, DEFAULT_CLASSIFIER_HEAD_DIR, buildClassifierModel } from './onnx/classifier/build-classifier-model.ts';

const USAGE = 'usage: train-classifier [--data DIR] [--seed N] [--out DIR] [--no-build]';

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

const CALIBRATION_PROMPT_SET =
  'every decontaminated training prompt of every source (AlpacaEval instructions, MMLU gold split, golden task families, GSM8K train questions)';

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
    const tokenizer = await withLoadSettings({ localModelPath: location.localModelPath, allowRemoteModels: false, wasmPaths: { mjs: '', wasm: '' } }, () =>
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

async function main(): Promise<void> {
  const started = performance.now();
  const { values } = parseArgs({
    options: { data: { type: 'string' }, seed: { type: 'string', default: '0' }, out: { type: 'string' }, 'no-build': { type: 'boolean', default: false } },
    strict: true,
    allowPositionals: false,
  });
  const sharedDir = resolveSharedDir(values.data);
  const seed = parseNumberFlag(values.seed, '--seed', { min: 0, max: 2 ** 31 - 1, integer: true });
  const outDir = path.resolve(values.out ?? DEFAULT_CLASSIFIER_HEAD_DIR);

  const bars = new Map<string, ReturnType<typeof createProgressBar>>();
  const progress = (stage: string) => (done: number, total: number) => {
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
    const tokenClasses = TOKEN_CLASSES.map((entry) => entry.name);

    const trainingStarted = performance.now();
    const crossValidation = crossValidateHead(examples, GRID, { seed, folds: FOLDS, onProgress: progress('cross-validating') });
    const head = trainHead(examples, tokenClasses, crossValidation.chosen, { seed, members: ENSEMBLE_MEMBERS, onProgress: progress('training') });
    const trainingSeconds = (performance.now() - trainingStarted) / 1000;

    const calibrationScores = features.map((entry) => strongWinRate(head, entry));
    const headRouter: RouterDefinition = {
      name: 'classifier',
      description: 'the trained head over the classifier model’s own features',
      requires: [],
      create: () => ({ name: 'classifier', score: async (prompts) => (await extractor.features(prompts)).map((entry) => strongWinRate(head, entry)) }),
    };
    const reports = await runEval({
      routers: [headRouter, 'length'],
      benchmarks: EVALUATION_BENCHMARKS,
      sharedDir,
      onProgress: ({ benchmark, router }, done, total) => progress(`scoring ${benchmark}/${router}`)(done, total),
    });
    for (const bar of bars.values()) bar.finish();
    const summary = toSummary(reports);

    const { fields, files } = encodeHead(head);
    const manifest = {
      router: 'classifier',
      description: headRouter.description,
      licence:
        'CC BY-NC 4.0 (non-commercial): trained on data that includes AlpacaEval (CC BY-NC 4.0), whose instructions are part of the calibration set; MMLU (MIT), MATH (MIT), CRUXEval (MIT), ZeroEval (Apache-2.0), EvalPlus/HumanEval (Apache-2.0/MIT), GSM8K (MIT).',
      model: 'routellm-classifier',
      labelValues: CLASSIFIER_LABEL_VALUES,
      encoder: { model: DEFAULT_MODEL, dtype: HEAD_ENCODER_DTYPE, overflow: 'chunk', id: extractor.encoderId },
      training: {
        seed,
        data: data.report,
        labelledExamples: examples.length,
        excludedFamilies: [...EXCLUDED_FAMILIES],
        weighting: 'each task family carries the same total weight',
        crossValidation: { folds: FOLDS, grid: GRID, candidates: crossValidation.candidates, chosen: crossValidation.chosen },
        ensembleMembers: ENSEMBLE_MEMBERS,
        trainingSeconds: Number(trainingSeconds.toFixed(1)),
        totalSeconds: Number(((performance.now() - started) / 1000).toFixed(1)),
      },
      evaluation: Object.fromEntries(
        Object.entries(summary).map(([benchmark, routers]) => [
          benchmark,
          Object.fromEntries(Object.entries(routers).map(([router, entry]) => [router, { APGR: entry.APGR, 'CPT(50%)': entry['CPT(50%)'], 'CPT(80%)': entry['CPT(80%)'], n: entry.n }])),
        ]),
      ),
      calibration: { promptSet: CALIBRATION_PROMPT_SET, prompts: calibrationScores.length, quantiles: scoreQuantileTable(calibrationScores) },
      ...fields,
    };
    await writeRouterFolder(outDir, manifest, files);

    const where = path.relative(process.cwd(), outDir) || '.';
    console.log(`train-classifier: ${examples.length} labelled examples; chosen ${JSON.stringify(crossValidation.chosen)} by ${FOLDS}-fold CV; trained in ${trainingSeconds.toFixed(1)} s`);
    for (const report of reports) {
      const apgr = (router: string) => report.routers.find((evaluation) => evaluation.router === router)!.apgr.toFixed(3);
      console.log(`  ${report.benchmark.name}: classifier APGR ${apgr('classifier')}, length ${apgr('length')}, random ${report.random.apgr.toFixed(3)}`);
    }
    console.log(`train-classifier: wrote ${where} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
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

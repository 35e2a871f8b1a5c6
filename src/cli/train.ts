import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  type Benchmark,
  createPrng,
  DEFAULT_BOOTSTRAP_RESAMPLES,
  type BootstrapInterval,
  InvalidInputError,
  scorePrompts,
  createFromDefinition,
  type RouterContext,
  type RouterDefinition,
  type RouterWeights,
  scoreQuantileTable,
  sha256Hex,
} from '../core/index.ts';
import { DTYPE_FILE_SUFFIX } from '../encoder/index.ts';
import {
  CALIBRATION_SET,
  loadCalibrationPrompts,
  PROJECT_ROOT,
  resolveSharedDir,
  createProgressBar,
  type ProgressBar,
  createRouterEmbedder,
  ROUTER_ENCODER_OVERFLOW,
  type RouterEmbedder,
  readRouterFolder,
  replaceFolder,
  stageRouterFolder,
  stagingFolder,
  benchmarkPlot,
  runEval,
  summaryEntry,
  type BenchmarkReport,
} from '../node/index.ts';
import {
  isEntryPoint,
  parseCommandArgs,
  parseNumberFlag,
  processIO,
  runCommand,
  splitList,
  type CommandIO,
} from './command.ts';
import {
  ALL_TRAINING_SOURCES,
  loadTrainingData,
  type TrainingData,
  type TrainingSourceName,
  TRAINERS,
  trainedFolder,
  type RouterTrainer,
  chooseUserPair,
  loadUserData,
  modelCard,
  userPrompts,
  userTestBenchmark,
  weightsLicence,
  withoutPrompts,
  type ModelPair,
  type UserData,
} from '../training/index.ts';

const BENCHMARKS = ['mt-bench', 'mmlu', 'mmlu-heldout', 'gsm8k'] as const;

const USAGE = `Usage: npm run train -- --router <name> --out <folder> [options]
  --router <name>        router to train (${[...TRAINERS.keys()].join(', ')})
  --out <folder>         the router folder to write: weights, manifest.json, LICENSE.md, README.md (model card)
                         (written beside it and renamed at the end: an existing folder is replaced only by a complete one)
  --seed <n>             training seed (default 0); the run is deterministic for a seed
  --seeds <a,b,...>      also train these seeds in memory and record each one's benchmark APGR and their mean
  --exclude-models <a,..> leave these models' labels out (canonical names), to test placing a model never trained on
  --sources <a,b,...>    built-in training sources, or none for your files alone (default: the router's;
                         known: ${ALL_TRAINING_SOURCES.join(', ')})
  --battles <file>       your Arena-style battles (.csv/.jsonl: model_a, model_b, prompt, winner_model_a, winner_model_b, winner_tie)
  --golden <file>        your golden labels (.csv/.jsonl: prompt + one correctness column per model, true/false or 0..1)
  --strong <model>       the strong model, as your data names it (a column of --golden, a model of --battles)
  --weak <model>         the weak model (with a file of exactly two models, both default to them, the better one strong)
  --models <a,b,...>     more correctness columns of --golden for the many-model routers (mf, sw-ranking)
  --test <file>          your test prompts, in the format of your training file: evaluated next to length, random and
                         the oracle (bootstrap intervals, test.svg); they and near-duplicates never enter training
  --holdout <share>      instead of --test, hold out this share of your file's prompts (seeded by --seed), e.g. 0.2
  --license <text>       the licence of your data files, recorded in the manifest, LICENSE.md and the model card
  --data <folder>        the shared data folder (default $ROUTELLM_DATA, else ../shared; optional with --sources none)
  --no-eval              skip the evaluations and report-only diagnostics (the manifest then has no results)
  --no-build             do not build the model the router ships from its weights (classifier: public/models/routellm-classifier)`;

const OPTIONS = {
  router: { type: 'string' },
  out: { type: 'string' },
  seed: { type: 'string', default: '0' },
  seeds: { type: 'string' },
  'exclude-models': { type: 'string' },
  sources: { type: 'string' },
  battles: { type: 'string' },
  golden: { type: 'string' },
  strong: { type: 'string' },
  weak: { type: 'string' },
  models: { type: 'string' },
  test: { type: 'string' },
  holdout: { type: 'string' },
  license: { type: 'string' },
  data: { type: 'string' },
  'no-eval': { type: 'boolean', default: false },
  'no-build': { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

function stageBars(io: CommandIO) {
  let bar: ProgressBar | undefined;
  let current = '';
  return {
    update(stage: string, done: number, total: number) {
      if (stage !== current) {
        bar?.finish();
        current = stage;
        bar = createProgressBar(stage, io.stderr);
      }
      bar!.update(done, total);
    },
    finish: () => bar?.finish(),
  };
}

async function encoderFileSha256(embedder: RouterEmbedder): Promise<string> {
  const file = path.join(
    PROJECT_ROOT,
    'public',
    'models',
    embedder.encoder.model,
    'onnx',
    `model${DTYPE_FILE_SUFFIX[embedder.encoder.dtype as keyof typeof DTYPE_FILE_SUFFIX]}.onnx`,
  );
  return sha256Hex(await readFile(file));
}

/**
 * The definition with scores remembered by prompt text for the life of one evaluation: mmlu-heldout is a subset of
 * mmlu, so its prompts are scored once. Routers here are deterministic functions of the prompt, so this is exact.
 */
function rememberingScores(definition: RouterDefinition): RouterDefinition {
  const remembered = new Map<string, number>();
  return {
    ...definition,
    async create(context) {
      const router = await definition.create(context);
      return {
        name: router.name,
        async score(prompts, options) {
          const missing = [...new Set(prompts.filter((prompt) => !remembered.has(prompt)))];
          if (missing.length > 0) {
            const scores = await router.score(missing, options);
            missing.forEach((prompt, index) => remembered.set(prompt, scores[index]!));
          }
          return prompts.map((prompt) => remembered.get(prompt)!);
        },
      };
    },
  };
}

interface SeedRun {
  readonly seed: number;
  readonly folder: RouterWeights;
  readonly manifest: Record<string, unknown>;
}

/**
 * Trains one seed into the staging folder and reads the weights back (so evaluation uses exactly the bytes that
 * ship); the real folder is not touched until the whole run is done.
 */
async function trainSeed(
  trainer: RouterTrainer,
  data: TrainingData,
  seed: number,
  staging: string,
  base: Record<string, unknown>,
  bars: ReturnType<typeof stageBars>,
  shipped: boolean,
): Promise<SeedRun> {
  const started = performance.now();
  const trained = await trainer.train(data, { seed, onProgress: bars.update, report: shipped });
  const { fields, files } = trainedFolder(trained);
  const manifest = {
    ...base,
    seed,
    ...fields,
    data: { ...(base['data'] as object), rows: trained.rows },
    trainingSeconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    ...(trained.details ? { training: trained.details } : {}),
  };
  await stageRouterFolder(staging, manifest, files);
  return { seed, folder: await readRouterFolder(staging), manifest };
}

/** The shared data folder, or none when only the user's files are used and the folder is not there. */
function sharedDirFor(flag: string | undefined, env: NodeJS.ProcessEnv, required: boolean): string | undefined {
  try {
    return resolveSharedDir(flag, env);
  } catch (error) {
    if (required || flag !== undefined) throw error;
    return undefined;
  }
}

/** The user's test: a file of their own, or a seeded share of their training file's prompts. */
interface UserTest {
  readonly benchmark: Benchmark;
  /** Every test prompt (with or without a judgement of the pair): none of them is trained on. */
  readonly prompts: readonly string[];
  readonly file: string;
  readonly split: string;
}

function holdOut(data: UserData, share: number, seed: number): { train: UserData; test: UserData } {
  const prompts = userPrompts(data);
  const next = createPrng(seed);
  for (let index = prompts.length - 1; index > 0; index--) {
    const other = Math.floor(next() * (index + 1));
    [prompts[index], prompts[other]] = [prompts[other]!, prompts[index]!];
  }
  const held = new Set(prompts.slice(0, Math.round(prompts.length * share)));
  const rest = new Set(prompts.filter((prompt) => !held.has(prompt)));
  return { train: withoutPrompts(data, held), test: withoutPrompts(data, rest) };
}

/** `npm run train`: train a router, evaluate it, calibrate it, and write its folder. */
export async function trainCommand(argv: readonly string[], io: CommandIO): Promise<void> {
  const args = parseCommandArgs(argv, OPTIONS);
  if (args.help) {
    io.stdout.write(`${USAGE}\n`);
    return;
  }
  if (args.router === undefined || args.out === undefined)
    throw new InvalidInputError('Missing --router or --out (see --help).');
  const trainer = TRAINERS.get(args.router);
  if (!trainer)
    throw new InvalidInputError(
      `Router '${args.router}' cannot be trained here. Trainable routers: ${[...TRAINERS.keys()].join(', ')}.`,
    );
  const seed = parseNumberFlag(args.seed, '--seed', { min: 0, max: 2 ** 31 - 1, integer: true });
  const extraSeeds =
    args.seeds === undefined
      ? []
      : splitList(args.seeds, '--seeds').map((value) =>
          parseNumberFlag(value, '--seeds', { min: 0, max: 2 ** 31 - 1, integer: true }),
        );
  const sources: readonly TrainingSourceName[] =
    args.sources === undefined
      ? trainer.sources
      : args.sources === 'none'
        ? []
        : splitList(args.sources, '--sources').map((name) => {
            if (!(ALL_TRAINING_SOURCES as readonly string[]).includes(name))
              throw new InvalidInputError(
                `Unknown source '${name}'. Known sources: ${ALL_TRAINING_SOURCES.join(', ')}, or none.`,
              );
            return name as TrainingSourceName;
          });
  const userFiles = [args.golden, args.battles].filter((file): file is string => file !== undefined);
  if (sources.length === 0 && userFiles.length === 0)
    throw new InvalidInputError('--sources none trains on your files alone: pass --golden or --battles.');
  if (args.test !== undefined && args.holdout !== undefined)
    throw new InvalidInputError('--test and --holdout are two ways to test: choose one.');
  const holdout =
    args.holdout === undefined ? undefined : parseNumberFlag(args.holdout, '--holdout', { min: 0.01, max: 0.9 });
  if (holdout !== undefined && userFiles.length !== 1)
    throw new InvalidInputError('--holdout splits your training file: pass exactly one of --golden or --battles.');
  if (args.models !== undefined && args.golden === undefined)
    throw new InvalidInputError('--models names more columns of --golden.');
  const extraModels = args.models === undefined ? [] : splitList(args.models, '--models');
  const builtInEval = sources.length > 0 && !args['no-eval'];
  const sharedDir = sharedDirFor(args.data, io.env, sources.length > 0);
  const out = path.resolve(args.out);
  const staging = stagingFolder(out);

  // Your files: read (UTF-8, columns, values) before anything is loaded, and the pair chosen from their models.
  const goldenModels =
    args.strong !== undefined && args.weak !== undefined ? [args.strong, args.weak, ...extraModels] : undefined;
  let golden =
    args.golden === undefined
      ? undefined
      : await loadUserData(path.resolve(args.golden), {
          kind: 'golden',
          ...(goldenModels ? { models: goldenModels } : {}),
        });
  let battles =
    args.battles === undefined ? undefined : await loadUserData(path.resolve(args.battles), { kind: 'battles' });
  const testFile =
    args.test === undefined
      ? undefined
      : await loadUserData(path.resolve(args.test), goldenModels ? { models: goldenModels.slice(0, 2) } : {});
  const pairSource = golden ?? battles ?? testFile;
  const pair: ModelPair | undefined = pairSource ? chooseUserPair(pairSource, args.strong, args.weak) : undefined;
  let userTest: UserTest | undefined;
  if (testFile) {
    userTest = {
      benchmark: userTestBenchmark(testFile, pair!, 'test'),
      prompts: userPrompts(testFile),
      file: path.basename(testFile.file),
      split: 'the test file',
    };
  } else if (holdout !== undefined) {
    const whole = (golden ?? battles)!;
    const { train, test } = holdOut(whole, holdout, seed);
    if (golden) golden = train;
    else battles = train;
    userTest = {
      benchmark: userTestBenchmark(test, pair!, 'test'),
      prompts: userPrompts(test),
      file: path.basename(whole.file),
      split: `a ${Math.round(holdout * 100)}% holdout (seed ${seed})`,
    };
  }
  const licence = weightsLicence(
    sources,
    userFiles.map((file) => path.basename(file)),
    args.license,
    trainer.licenceExtra,
  );

  const started = performance.now();
  const bars = stageBars(io);
  const embedder = await createRouterEmbedder(undefined, (message) => io.stderr.write(`${message}\n`));
  try {
    const dataStarted = performance.now();
    const data = await loadTrainingData({
      ...(sharedDir ? { sharedDir } : {}),
      embedder,
      sources,
      ...(golden?.kind === 'golden' ? { userGolden: { file: golden.file, rows: golden.rows } } : {}),
      ...(battles?.kind === 'battles' ? { userBattles: { file: battles.file, battles: battles.battles } } : {}),
      ...(pair && userFiles.length > 0 ? { userPair: pair } : {}),
      ...(userTest ? { heldOut: userTest.prompts } : {}),
      ...(args['exclude-models'] ? { excludeModels: splitList(args['exclude-models'], '--exclude-models') } : {}),
      onProgress: bars.update,
    });
    const dataSeconds = (performance.now() - dataStarted) / 1000;
    const base = {
      router: trainer.definition.name,
      description: trainer.definition.description,
      encoder: { id: embedder.id, overflow: ROUTER_ENCODER_OVERFLOW, onnxSha256: await encoderFileSha256(embedder) },
      pair: data.pair,
      data: {
        sources,
        ...(userFiles.length > 0
          ? {
              files: Object.fromEntries([
                ...(args.golden ? [['golden', path.basename(args.golden)]] : []),
                ...(args.battles ? [['battles', path.basename(args.battles)]] : []),
              ]),
            }
          : {}),
        ...(pair && sources.length > 0 && userFiles.length > 0 ? { userPair: pair } : {}),
        report: data.report,
      },
      license: licence.license,
      dataLicenses: licence.dataLicences,
    };

    const runs: SeedRun[] = [];
    for (const runSeed of [...new Set([...extraSeeds.filter((value) => value !== seed), seed])]) {
      runs.push(await trainSeed(trainer, data, runSeed, staging, base, bars, runSeed === seed && !args['no-eval']));
    }
    const final = runs.at(-1)!;
    const contextFor = async (weights: RouterWeights): Promise<RouterContext> => ({
      embedder,
      ...(await trainer.context?.(weights)),
      weights,
    });
    const scoringProgress = (
      { benchmark, router }: { benchmark: string; router: string },
      done: number,
      total: number,
    ) => bars.update(`scoring ${benchmark}/${router}`, done, total);

    let test: Record<string, unknown> | undefined;
    let testReport: BenchmarkReport | undefined;
    if (userTest && !args['no-eval']) {
      [testReport] = await runEval({
        routers: [trainer.definition, 'length', 'random'],
        benchmarks: [userTest.benchmark],
        context: await contextFor(final.folder),
        bootstrapResamples: DEFAULT_BOOTSTRAP_RESAMPLES,
        onProgress: scoringProgress,
      });
      test = {
        file: userTest.file,
        split: userTest.split,
        prompts: userTest.benchmark.items.length,
        heldOutPrompts: userTest.prompts.length,
        qualityUnit: userTest.benchmark.qualityUnit,
        results: Object.fromEntries(
          testReport!.routers.map((evaluation) => {
            const { curve: _curve, ...entry } = summaryEntry(evaluation);
            return [
              evaluation.router,
              { ...entry, ...(evaluation.interval ? { bootstrap: evaluation.interval } : {}) },
            ];
          }),
        ),
        oracle: testReport!.oracle.apgr,
        plot: 'test.svg',
      };
    }

    const results: Record<string, unknown> = {};
    if (builtInEval) {
      const perSeed: Record<string, Record<string, number>> = {};
      for (const run of runs) {
        const definition = rememberingScores(trainer.definition);
        const reports = await runEval({
          routers: [definition],
          benchmarks: BENCHMARKS,
          sharedDir: sharedDir!,
          context: await contextFor(run.folder),
          bootstrapResamples: run === final ? DEFAULT_BOOTSTRAP_RESAMPLES : 0,
          onProgress: scoringProgress,
        });
        perSeed[String(run.seed)] = Object.fromEntries(
          reports.map((report) => [report.benchmark.name, report.routers[0]!.apgr]),
        );
        if (run === final) {
          for (const report of reports) {
            const { curve: _curve, ...entry } = summaryEntry(report.routers[0]!);
            results[report.benchmark.name] = {
              ...entry,
              randomAPGR: report.random.apgr,
              bootstrap: report.routers[0]!.interval,
            };
          }
        }
      }
      if (runs.length > 1) {
        const mean = Object.fromEntries(
          BENCHMARKS.map((name) => [
            name,
            Object.values(perSeed).reduce((sum, apgr) => sum + apgr[name]!, 0) / runs.length,
          ]),
        );
        results['seeds'] = { perSeed, mean };
      }
    }

    const router = await createFromDefinition(trainer.definition, await contextFor(final.folder));
    // The calibration set is AlpacaEval's (CC BY-NC): it is used only when the weights carry that licence anyway.
    const calibration =
      sources.includes('alpaca-eval') && sharedDir
        ? { prompts: await loadCalibrationPrompts(sharedDir), name: CALIBRATION_SET }
        : {
            prompts: [...new Set(data.prompts.map((prompt) => prompt.text))],
            name: `the training prompts (${[...sources, ...userFiles.map((file) => path.basename(file))].join(', ')})`,
          };
    await embedder.embedAll(calibration.prompts, (done, total) =>
      bars.update('embedding calibration prompts', done, total),
    );
    // Embeddings are cached by now, so this times the router's own work per prompt (what it adds to the encoder).
    const routingStarted = performance.now();
    const calibrationScores = await scorePrompts(router, calibration.prompts, {
      onProgress: (done, total) => bars.update('scoring calibration prompts', done, total),
    });
    const routingMsPerPrompt = (performance.now() - routingStarted) / calibration.prompts.length;
    const manifest = {
      ...final.manifest,
      embeddingAndDataSeconds: Number(dataSeconds.toFixed(1)),
      totalSeconds: Number(((performance.now() - started) / 1000).toFixed(1)),
      ...(test ? { test } : {}),
      ...(builtInEval ? { benchmarks: results } : {}),
      routingMsPerPrompt: Number(routingMsPerPrompt.toFixed(3)),
      calibration: {
        prompts: calibration.name,
        count: calibrationScores.length,
        quantiles: scoreQuantileTable(calibrationScores),
      },
    };
    const extras = new Map([
      ['LICENSE.md', licence.note],
      ['README.md', modelCard(manifest)],
      ...(testReport ? [['test.svg', benchmarkPlot(testReport)] as const] : []),
    ]);
    bars.update('writing the router folder', 0, 1);
    await stageRouterFolder(staging, manifest, final.folder.files, extras);
    await replaceFolder(staging, out);
    bars.update('writing the router folder', 1, 1);
    bars.finish();

    io.stdout.write(
      `Trained '${trainer.definition.name}' (seed ${seed}) for ${data.pair.strong} vs ${data.pair.weak} into ${out} in ${manifest.totalSeconds}s (data and embeddings ${manifest.embeddingAndDataSeconds}s).\n`,
    );
    io.stdout.write(
      `Routing cost on top of the encoder: ${manifest.routingMsPerPrompt} ms per prompt (Node, cached embeddings).\n`,
    );
    if (data.report.heldOut) {
      io.stdout.write(
        `Held out: ${userTest!.prompts.length} test prompts; removed from training: ${data.report.heldOut.exact} exact copies, ${data.report.heldOut.nearDuplicate} near-duplicates (cosine >= 0.95).\n`,
      );
    }
    if (sharedDir)
      io.stdout.write(
        `Decontaminated: ${JSON.stringify(data.report.decontaminated.byBenchmark)} by benchmark, ${JSON.stringify(data.report.decontaminated.bySource)} by source.\n`,
      );
    else io.stdout.write('Not checked against the benchmarks: no shared data folder (--data).\n');
    if (testReport) {
      io.stdout.write(
        `On your test (${userTest!.split}, ${testReport.benchmark.items.length} prompts of ${userTest!.file}):\n`,
      );
      for (const evaluation of testReport.routers) {
        const interval = evaluation.interval
          ? `  (95% bootstrap ${evaluation.interval.low.toFixed(3)}-${evaluation.interval.high.toFixed(3)})`
          : '';
        io.stdout.write(`  ${evaluation.router.padEnd(13)} APGR ${evaluation.apgr.toFixed(3)}${interval}\n`);
      }
      io.stdout.write(`  ${'oracle'.padEnd(13)} APGR ${testReport.oracle.apgr.toFixed(3)}\n`);
    }
    for (const name of BENCHMARKS) {
      const entry = results[name] as { APGR: number; randomAPGR: number; bootstrap: BootstrapInterval } | undefined;
      if (entry) {
        const { low, high } = entry.bootstrap;
        io.stdout.write(
          `  ${name.padEnd(13)} APGR ${entry.APGR.toFixed(3)}  (95% bootstrap ${low.toFixed(3)}-${high.toFixed(3)}; random ${entry.randomAPGR.toFixed(3)})\n`,
        );
      }
    }
    const seeds = results['seeds'] as { mean: Record<string, number> } | undefined;
    if (seeds)
      io.stdout.write(
        `  mean over seeds ${runs.map((run) => run.seed).join(',')}: ${BENCHMARKS.map((name) => `${name} ${seeds.mean[name]!.toFixed(3)}`).join(', ')}\n`,
      );
    if (trainer.build && !args['no-build']) io.stdout.write(`${await trainer.build(out)}\n`);
  } finally {
    bars.finish();
    await trainer.dispose?.();
    await embedder.dispose();
  }
}

export function main(argv: readonly string[], io: CommandIO = processIO): Promise<number> {
  return runCommand(trainCommand, argv, io);
}

if (isEntryPoint(import.meta.url)) process.exitCode = await main(process.argv.slice(2));

import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_BOOTSTRAP_RESAMPLES, type BootstrapInterval } from '../core/index.ts';
import { InvalidInputError } from '../core/index.ts';
import { scorePrompts } from '../core/index.ts';
import { createFromDefinition, type RouterContext, type RouterDefinition, type RouterWeights } from '../core/index.ts';
import { scoreQuantileTable } from '../core/index.ts';
import { sha256Hex } from '../core/index.ts';
import { DTYPE_FILE_SUFFIX } from '../encoder/index.ts';
import { BenchmarkLoader } from '../node/index.ts';
import { CALIBRATION_SET, loadCalibrationPrompts } from '../node/index.ts';
import { isEntryPoint, parseCommandArgs, parseNumberFlag, processIO, runCommand, splitList, type CommandIO } from './command.ts';
import { PROJECT_ROOT, resolveSharedDir } from '../node/index.ts';
import { createProgressBar, type ProgressBar } from '../node/index.ts';
import { createRouterEmbedder, ROUTER_ENCODER_OVERFLOW, type RouterEmbedder } from '../node/index.ts';
import { readRouterFolder, writeRouterFolder } from '../node/index.ts';
import { runEval, summaryEntry } from '../node/index.ts';
import { ALL_TRAINING_SOURCES, loadTrainingData, type TrainingData, type TrainingSourceName } from '../training/index.ts';
import { TRAINERS, trainedFolder, type RouterTrainer } from '../training/index.ts';

const BENCHMARKS = ['mt-bench', 'mmlu', 'mmlu-heldout', 'gsm8k'] as const;

const USAGE = `Usage: npm run train -- --router <name> --out <folder> [options]
  --router <name>        router to train (${[...TRAINERS.keys()].join(', ')})
  --out <folder>         where weights.bin, manifest.json and LICENSE.md go (e.g. public/routers/<name>)
  --seed <n>             training seed (default 0); the run is deterministic for a seed
  --seeds <a,b,...>      also train these seeds in memory and record each one's benchmark APGR and their mean
  --sources <a,b,...>    training sources (default: the router's; known: ${ALL_TRAINING_SOURCES.join(', ')})
  --battles <file>       add a user's Arena-style battles (.csv/.jsonl: model_a, model_b, prompt, winner_model_a, winner_model_b, winner_tie)
  --golden <file>        add a user's golden-label file (.csv/.jsonl: prompt + one correctness column per model)
  --golden-strong <col>  its strong model's column (with --golden)
  --golden-weak <col>    its weak model's column (with --golden)
  --data <folder>        the shared data folder (default $ROUTELLM_DATA, else ../shared)
  --no-eval              skip the benchmark evaluation (the manifest then has no results)
  --no-build             do not build the model the router ships from its weights (classifier: public/models/routellm-classifier)`;

const OPTIONS = {
  router: { type: 'string' },
  out: { type: 'string' },
  seed: { type: 'string', default: '0' },
  seeds: { type: 'string' },
  sources: { type: 'string' },
  battles: { type: 'string' },
  golden: { type: 'string' },
  'golden-strong': { type: 'string' },
  'golden-weak': { type: 'string' },
  data: { type: 'string' },
  'no-eval': { type: 'boolean', default: false },
  'no-build': { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

const LICENCE_NOTE = `# Licence of these router weights

These weights were trained on data that includes AlpacaEval (tatsu-lab/alpaca_eval), whose data is licensed
CC BY-NC 4.0: the weights inherit the non-commercial licence. Other training data: MMLU (MIT), MATH (MIT),
CRUXEval (MIT), HumanEval (MIT), ZeroEval (Apache-2.0), EvalPlus (Apache-2.0), GSM8K (MIT), RouteLLM's cached
benchmark results (Apache-2.0). See manifest.json for the exact sources and row counts.
`;

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
  const file = path.join(PROJECT_ROOT, 'public', 'models', embedder.encoder.model, 'onnx', `model${DTYPE_FILE_SUFFIX[embedder.encoder.dtype as keyof typeof DTYPE_FILE_SUFFIX]}.onnx`);
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
  readonly folder: Awaited<ReturnType<typeof readRouterFolder>>;
  readonly manifest: Record<string, unknown>;
}

/** Trains one seed into `out` and reads the weights back (so evaluation uses exactly the bytes that ship). */
async function trainSeed(trainer: RouterTrainer, data: TrainingData, seed: number, out: string, base: Record<string, unknown>, bars: ReturnType<typeof stageBars>): Promise<SeedRun> {
  const started = performance.now();
  const trained = await trainer.train(data, { seed, onProgress: bars.update });
  const { fields, files } = trainedFolder(trained);
  const manifest = {
    ...base,
    seed,
    ...fields,
    data: { ...(base['data'] as object), rows: trained.rows },
    trainingSeconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    ...(trained.details ? { training: trained.details } : {}),
  };
  await writeRouterFolder(out, manifest, files);
  return { seed, folder: await readRouterFolder(out), manifest };
}

/** `npm run train`: train a router, evaluate it, calibrate it, and write its folder. */
export async function trainCommand(argv: readonly string[], io: CommandIO): Promise<void> {
  const args = parseCommandArgs(argv, OPTIONS);
  if (args.help) {
    io.stdout.write(`${USAGE}\n`);
    return;
  }
  if (args.router === undefined || args.out === undefined) throw new InvalidInputError('Missing --router or --out (see --help).');
  const trainer = TRAINERS.get(args.router);
  if (!trainer) throw new InvalidInputError(`Router '${args.router}' cannot be trained here. Trainable routers: ${[...TRAINERS.keys()].join(', ')}.`);
  const seed = parseNumberFlag(args.seed, '--seed', { min: 0, max: 2 ** 31 - 1, integer: true });
  const extraSeeds = args.seeds === undefined ? [] : splitList(args.seeds, '--seeds').map((value) => parseNumberFlag(value, '--seeds', { min: 0, max: 2 ** 31 - 1, integer: true }));
  const sources = args.sources === undefined ? trainer.sources : splitList(args.sources, '--sources').map((name) => {
    if (!(ALL_TRAINING_SOURCES as readonly string[]).includes(name)) throw new InvalidInputError(`Unknown source '${name}'. Known sources: ${ALL_TRAINING_SOURCES.join(', ')}.`);
    return name as TrainingSourceName;
  });
  if (args.golden !== undefined && (args['golden-strong'] === undefined || args['golden-weak'] === undefined)) {
    throw new InvalidInputError('--golden needs --golden-strong and --golden-weak (the columns of the strong and the weak model).');
  }
  const sharedDir = resolveSharedDir(args.data, io.env);
  const out = path.resolve(args.out);

  const started = performance.now();
  const bars = stageBars(io);
  const embedder = await createRouterEmbedder();
  try {
    const dataStarted = performance.now();
    const data = await loadTrainingData({
      sharedDir,
      embedder,
      sources,
      ...(args.battles ? { battlesFile: path.resolve(args.battles) } : {}),
      ...(args.golden ? { goldenFile: { file: path.resolve(args.golden), strong: args['golden-strong']!, weak: args['golden-weak']! } } : {}),
      onProgress: bars.update,
    });
    const dataSeconds = (performance.now() - dataStarted) / 1000;
    const base = {
      router: trainer.definition.name,
      description: trainer.definition.description,
      encoder: { id: embedder.id, overflow: ROUTER_ENCODER_OVERFLOW, onnxSha256: await encoderFileSha256(embedder) },
      data: { sources, ...(args.battles ? { battles: path.basename(args.battles) } : {}), ...(args.golden ? { golden: path.basename(args.golden) } : {}), report: data.report },
      license: 'CC BY-NC 4.0 (inherited from AlpacaEval data; see LICENSE.md)',
    };

    const runs: SeedRun[] = [];
    for (const runSeed of [...new Set([...extraSeeds.filter((value) => value !== seed), seed])]) {
      runs.push(await trainSeed(trainer, data, runSeed, out, base, bars));
    }
    const final = runs.at(-1)!;
    const contextFor = async (weights: RouterWeights): Promise<RouterContext> => ({ embedder, ...(await trainer.context?.(weights)), weights });

    const results: Record<string, unknown> = {};
    if (!args['no-eval']) {
      const perSeed: Record<string, Record<string, number>> = {};
      for (const run of runs) {
        const definition = rememberingScores(trainer.definition);
        const reports = await runEval({
          routers: [definition],
          benchmarks: BENCHMARKS,
          sharedDir,
          context: await contextFor(run.folder),
          bootstrapResamples: run === final ? DEFAULT_BOOTSTRAP_RESAMPLES : 0,
        });
        perSeed[String(run.seed)] = Object.fromEntries(reports.map((report) => [report.benchmark.name, report.routers[0]!.apgr]));
        if (run === final) {
          for (const report of reports) {
            const { curve: _curve, ...entry } = summaryEntry(report.routers[0]!);
            results[report.benchmark.name] = { ...entry, randomAPGR: report.random.apgr, bootstrap: report.routers[0]!.interval };
          }
        }
      }
      if (runs.length > 1) {
        const mean = Object.fromEntries(BENCHMARKS.map((name) => [name, Object.values(perSeed).reduce((sum, apgr) => sum + apgr[name]!, 0) / runs.length]));
        results['seeds'] = { perSeed, mean };
      }
    }

    const router = await createFromDefinition(trainer.definition, await contextFor(final.folder));
    const calibrationPrompts = await loadCalibrationPrompts(sharedDir);
    await embedder.embedAll(calibrationPrompts);
    // Embeddings are cached by now, so this times the router's own work per prompt (what it adds to the encoder).
    const routingStarted = performance.now();
    const calibrationScores = await scorePrompts(router, calibrationPrompts);
    const routingMsPerPrompt = (performance.now() - routingStarted) / calibrationPrompts.length;
    const manifest = {
      ...final.manifest,
      embeddingAndDataSeconds: Number(dataSeconds.toFixed(1)),
      totalSeconds: Number(((performance.now() - started) / 1000).toFixed(1)),
      ...(args['no-eval'] ? {} : { benchmarks: results }),
      routingMsPerPrompt: Number(routingMsPerPrompt.toFixed(3)),
      calibration: { prompts: CALIBRATION_SET, count: calibrationScores.length, quantiles: scoreQuantileTable(calibrationScores) },
    };
    await writeRouterFolder(out, manifest, final.folder.files);
    await writeFile(path.join(out, 'LICENSE.md'), trainer.licenceNote ?? LICENCE_NOTE);
    bars.finish();

    io.stdout.write(`Trained '${trainer.definition.name}' (seed ${seed}) into ${out} in ${manifest.totalSeconds}s (data and embeddings ${manifest.embeddingAndDataSeconds}s).\n`);
    io.stdout.write(`Routing cost on top of the encoder: ${manifest.routingMsPerPrompt} ms per prompt (Node, cached embeddings).\n`);
    io.stdout.write(`Decontaminated: ${JSON.stringify(data.report.decontaminated.byBenchmark)} by benchmark, ${JSON.stringify(data.report.decontaminated.bySource)} by source.\n`);
    for (const name of BENCHMARKS) {
      const entry = results[name] as { APGR: number; randomAPGR: number; bootstrap: BootstrapInterval } | undefined;
      if (entry) {
        const { low, high } = entry.bootstrap;
        io.stdout.write(`  ${name.padEnd(13)} APGR ${entry.APGR.toFixed(3)}  (95% bootstrap ${low.toFixed(3)}-${high.toFixed(3)}; random ${entry.randomAPGR.toFixed(3)})\n`);
      }
    }
    const seeds = results['seeds'] as { mean: Record<string, number> } | undefined;
    if (seeds) io.stdout.write(`  mean over seeds ${runs.map((run) => run.seed).join(',')}: ${BENCHMARKS.map((name) => `${name} ${seeds.mean[name]!.toFixed(3)}`).join(', ')}\n`);
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

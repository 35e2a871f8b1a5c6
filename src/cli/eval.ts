import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  type Benchmark,
  DEFAULT_BOOTSTRAP_RESAMPLES,
  InvalidInputError,
  PRIOR_PREDICTOR,
  createFromDefinition,
  defaultRegistry,
  type ModelQualityPredictor,
} from '../core/index.ts';
import {
  isBenchmarkName,
  BENCHMARK_NAMES,
  type BenchmarkName,
  type CustomBenchmarkFile,
  formatBenchmarkReport,
  formatPairsSummary,
  benchmarkPlot,
  createProgressBar,
  resolveSharedDir,
  loadRouterResources,
  weightsFolders,
  DEFAULT_ROUTERS_DIR,
  renderCostQualityPlot,
  runEval,
  toDetails,
  toSummary,
} from '../node/index.ts';
import {
  MULTI_MODEL_DATASETS,
  formatMultiModelReport,
  formatMultiModelSummary,
  isMultiModelDatasetName,
  loadModelPrices,
  loadMultiModelDataset,
  multiModelSummaryEntry,
  pairBenchmarks,
  priorPredictorFactory,
  runMultiModelEval,
  type MultiModelDatasetName,
  type MultiModelReport,
  type PredictorFactory,
  type UnseenModelMapping,
} from '../training/index.ts';
import {
  isEntryPoint,
  parseCommandArgs,
  parseNumberFlag,
  processIO,
  runCommand,
  splitList,
  type CommandIO,
} from './command.ts';

const DEFAULT_BENCHMARKS = 'mt-bench,mmlu,gsm8k';

const USAGE = `Usage: npm run eval -- [options]
  --routers <a,b,...>     routers to evaluate (default length,random; known: ${defaultRegistry.names().join(', ')})
  --benchmarks <a,b,...>  benchmarks (default ${DEFAULT_BENCHMARKS}; known: ${BENCHMARK_NAMES.join(', ')})
  --out <folder>          where summary.json, details.json and <benchmark>.svg go (default eval-results)
  --data <folder>         the shared data folder (default $ROUTELLM_DATA, else ../shared)
  --weights <folder>      a trained router folder (npm run train --out): its router is evaluated with these weights
                          (added to --routers when not listed; repeat the flag for more routers)
  --routers-dir <folder>  where trained routers' weights are, one folder per router (default public/routers)
  --causal-model <model>  causal-llm's LM: a Hub id or a model folder (default onnx-community/Qwen2.5-0.5B-Instruct)
  --allow-remote          let a model missing locally download from the Hugging Face Hub
  --bootstrap <n>         resamples for each router's bootstrap 95% APGR interval (default ${DEFAULT_BOOTSTRAP_RESAMPLES}; 0: none)
  --input <file>          custom benchmark file, .csv or .jsonl (with --benchmarks custom)
  --prompt-field <name>   its prompt field (default prompt)
  --weak-field <name>     its weak model's quality field: true/false or a number
  --strong-field <name>   its strong model's quality field

Two-model routers on pairs of models they were not trained for, on the multi-model test split:
  --pairs                 each dataset's best priced model against the ones a quarter, half and three quarters down
                          its ranking, as two-model benchmarks for --routers (--datasets chooses; a result on prompts
                          a router trained on is marked *)

Routing among N priced models (issue 14), on the multi-model test split:
  --multi                 evaluate quality against cost on datasets with many models' labels (prices from
                          <data>/data/prices/model-prices.json); writes summary.json and <dataset>.svg into --out
  --datasets <a,b,...>    (default all: ${MULTI_MODEL_DATASETS.join(', ')})
  --predictor <name>      per-model quality: prior (each model's training-split mean; default) or a router that
                          predicts every model's quality (its weights from --routers-dir or --weights)
  --hold-out-model <name> also evaluate with this model held out of the predictor, mapped in by its published score
  --hold-out-weights <folder>  for a learned predictor: its weights trained without that model
                          (npm run train -- --exclude-models <name>)`;

const OPTIONS = {
  routers: { type: 'string', default: 'length,random' },
  benchmarks: { type: 'string' },
  out: { type: 'string', default: 'eval-results' },
  data: { type: 'string' },
  weights: { type: 'string', multiple: true },
  'routers-dir': { type: 'string' },
  'causal-model': { type: 'string' },
  'allow-remote': { type: 'boolean', default: false },
  bootstrap: { type: 'string', default: String(DEFAULT_BOOTSTRAP_RESAMPLES) },
  input: { type: 'string' },
  'prompt-field': { type: 'string', default: 'prompt' },
  'weak-field': { type: 'string' },
  'strong-field': { type: 'string' },
  multi: { type: 'boolean', default: false },
  pairs: { type: 'boolean', default: false },
  datasets: { type: 'string' },
  predictor: { type: 'string', default: PRIOR_PREDICTOR },
  'hold-out-model': { type: 'string' },
  'hold-out-weights': { type: 'string' },
  help: { type: 'boolean', default: false },
} as const;

function customBenchmarkFile(
  args: ReturnType<typeof parseCommandArgs<typeof OPTIONS>>,
  wanted: boolean,
): CustomBenchmarkFile | undefined {
  const customFlags = ['input', 'weak-field', 'strong-field'] as const;
  if (!wanted) {
    const stray = customFlags.find((flag) => args[flag] !== undefined);
    if (stray) throw new InvalidInputError(`--${stray} is only used with --benchmarks custom.`);
    return undefined;
  }
  const missing = customFlags.filter((flag) => args[flag] === undefined);
  if (missing.length > 0) {
    throw new InvalidInputError(`--benchmarks custom needs ${missing.map((flag) => `--${flag}`).join(', ')}.`);
  }
  return {
    file: path.resolve(args.input!),
    fields: { prompt: args['prompt-field'], weak: args['weak-field']!, strong: args['strong-field']! },
  };
}

/** `npm run eval`: evaluate routers on benchmarks, print a table per benchmark, write results and plots. */
export async function evalCommand(argv: readonly string[], io: CommandIO): Promise<void> {
  const args = parseCommandArgs(argv, OPTIONS);
  if (args.help) {
    io.stdout.write(`${USAGE}\n`);
    return;
  }
  if (args.multi && args.pairs) throw new InvalidInputError('Use either --multi or --pairs.');
  if (args.multi) {
    await multiModelEval(args, io);
    return;
  }
  const multiOnly = (['hold-out-model', 'hold-out-weights'] as const).find((flag) => args[flag] !== undefined);
  if (multiOnly) throw new InvalidInputError(`--${multiOnly} is only used with --multi.`);
  if (args.datasets !== undefined && !args.pairs)
    throw new InvalidInputError('--datasets is only used with --multi or --pairs.');
  const weightsDirs = await weightsFolders(args.weights ?? []);
  const listed = splitList(args.routers, '--routers');
  const routers = [...listed, ...[...weightsDirs.keys()].filter((name) => !listed.includes(name))];
  const definitions = routers.map((name) => defaultRegistry.get(name));
  const bootstrapResamples = parseNumberFlag(args.bootstrap, '--bootstrap', { min: 0, max: 100_000, integer: true });
  const outDir = path.resolve(args.out);
  let benchmarks: (BenchmarkName | Benchmark)[];
  let custom: CustomBenchmarkFile | undefined;
  let sharedDir: string | undefined;
  /** Per pair benchmark, where a router's manifest counts the rows of its dataset's source (--pairs). */
  const pairSources = new Map<string, string>();
  if (args.pairs) {
    if (args.benchmarks !== undefined)
      throw new InvalidInputError('--benchmarks is not used with --pairs: choose --datasets.');
    customBenchmarkFile(args, false); // refuses --input and the custom fields
    sharedDir = resolveSharedDir(args.data, io.env);
    const prices = await loadModelPrices(sharedDir);
    benchmarks = [];
    for (const name of datasetNames(args)) {
      const dataset = await loadMultiModelDataset(name, sharedDir, prices);
      for (const pair of pairBenchmarks(dataset)) {
        benchmarks.push(pair);
        pairSources.set(pair.name, dataset.keptAs);
      }
    }
  } else {
    const names = splitList(args.benchmarks ?? DEFAULT_BENCHMARKS, '--benchmarks').map((name): BenchmarkName => {
      if (!isBenchmarkName(name)) {
        throw new InvalidInputError(`Unknown benchmark '${name}'. Known benchmarks: ${BENCHMARK_NAMES.join(', ')}.`);
      }
      return name;
    });
    benchmarks = names;
    custom = customBenchmarkFile(args, names.includes('custom'));
    if (names.some((name) => name !== 'custom')) sharedDir = resolveSharedDir(args.data, io.env);
  }

  let bar: ReturnType<typeof createProgressBar> | undefined;
  let task = '';
  const started = performance.now();
  const resources = await loadRouterResources(definitions, {
    routersDir: path.resolve(args['routers-dir'] ?? DEFAULT_ROUTERS_DIR),
    weightsDirs,
    causalLm: {
      ...(args['causal-model'] === undefined ? {} : { model: args['causal-model'] }),
      allowRemoteModels: args['allow-remote'],
    },
  });
  /** Per learned router, the sources whose test-split prompts it trained on (--pairs marks those results). */
  const trainingSources = new Map<string, readonly string[]>();
  const reports = await runEval({
    routers,
    benchmarks,
    ...(sharedDir ? { sharedDir } : {}),
    ...(custom ? { custom } : {}),
    context: resources.context,
    weightsFor: async (router) => {
      const weights = await resources.weightsFor(router);
      trainingSources.set(router, testPromptSources(weights.manifest));
      return weights;
    },
    bootstrapResamples,
    onProgress: ({ benchmark, router }, done, total) => {
      if (`${benchmark}/${router}` !== task) {
        bar?.finish();
        task = `${benchmark}/${router}`;
        bar = createProgressBar(`scoring ${task}`, io.stderr);
      }
      bar!.update(done, total);
    },
  }).finally(async () => {
    bar?.finish();
    await resources.dispose();
  });

  await mkdir(outDir, { recursive: true });
  await writeFile(path.join(outDir, 'summary.json'), `${JSON.stringify(toSummary(reports), null, 1)}\n`);
  await writeFile(path.join(outDir, 'details.json'), `${JSON.stringify(toDetails(reports), null, 1)}\n`);
  for (const report of reports)
    await writeFile(path.join(outDir, `${report.benchmark.name}.svg`), benchmarkPlot(report));

  if (args.pairs) {
    const trainedOn = (router: string, benchmark: string) =>
      trainingSources.get(router)?.includes(pairSources.get(benchmark)!) ?? false;
    io.stdout.write(
      `\nTwo-model routers on pairs of models they were not trained for (the multi-model test split):\n${formatPairsSummary(reports, trainedOn)}\n`,
    );
  } else for (const report of reports) io.stdout.write(`\n${formatBenchmarkReport(report)}\n`);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  io.stdout.write(
    `\nWrote ${path.join(outDir, 'summary.json')}, details.json and ${reports.length} plots in ${seconds}s.\n`,
  );
}

/**
 * The sources whose multi-model test-split prompts a router was trained on, from its manifest: every source it kept
 * rows of, unless it left that split out (the irt router does).
 */
function testPromptSources(manifest: Readonly<Record<string, unknown>>): string[] {
  const data = manifest['data'] as
    | { report?: { kept?: Record<string, number> }; rows?: Record<string, number> }
    | undefined;
  if ((data?.rows?.['multiModelTestPromptsLeftOut'] ?? 0) > 0) return [];
  return Object.entries(data?.report?.kept ?? {}).flatMap(([source, count]) => (count > 0 ? [source] : []));
}

function datasetNames(args: ReturnType<typeof parseCommandArgs<typeof OPTIONS>>): MultiModelDatasetName[] {
  return splitList(args.datasets ?? MULTI_MODEL_DATASETS.join(','), '--datasets').map((name) => {
    if (!isMultiModelDatasetName(name)) {
      throw new InvalidInputError(`Unknown dataset '${name}'. Known datasets: ${MULTI_MODEL_DATASETS.join(', ')}.`);
    }
    return name;
  });
}

/**
 * A learned predictor by router name: its weights from --weights or --routers-dir, and it must predict every model's
 * quality (a ModelQualityPredictor). It is built once and used for every dataset. Holding a model out needs weights
 * trained without it (--hold-out-weights); a router that can place a model by published scores (`withModel`) then
 * maps the held-out model in.
 */
async function learnedPredictorFactory(
  name: string,
  args: ReturnType<typeof parseCommandArgs<typeof OPTIONS>>,
): Promise<{ factory: PredictorFactory; dispose: () => Promise<void> }> {
  const definition = defaultRegistry.get(name);
  const load = async (weightsDirs: ReadonlyMap<string, string>) => {
    const resources = await loadRouterResources([definition], {
      routersDir: path.resolve(args['routers-dir'] ?? DEFAULT_ROUTERS_DIR),
      weightsDirs,
    });
    try {
      const context = definition.requires.includes('weights')
        ? { ...resources.context, weights: await resources.weightsFor(name) }
        : resources.context;
      const router = (await createFromDefinition(definition, context)) as Partial<ModelQualityPredictor> & {
        withModel?: (model: string, placement: { scores: Record<string, number> }) => Promise<ModelQualityPredictor>;
      };
      if (typeof router.predictQuality !== 'function' || !Array.isArray(router.models)) {
        throw new InvalidInputError(
          `Router '${name}' does not predict each model's quality: use --predictor ${PRIOR_PREDICTOR} or a many-model router.`,
        );
      }
      const predictor = router as ModelQualityPredictor & Partial<UnseenModelMapping>;
      if (router.withModel) {
        const withModel = router.withModel.bind(router);
        predictor.withUnseenModel = (model, scores) => withModel(model, { scores: { ...scores } });
      }
      return { predictor, dispose: resources.dispose };
    } catch (error) {
      await resources.dispose();
      throw error;
    }
  };
  const main = await load(await weightsFolders(args.weights ?? []));
  let without: Awaited<ReturnType<typeof load>> | undefined;
  try {
    if (args['hold-out-weights'] !== undefined) without = await load(await weightsFolders([args['hold-out-weights']]));
  } catch (error) {
    await main.dispose();
    throw error;
  }
  return {
    factory: async (_dataset, { withoutModel }) => {
      if (withoutModel === undefined || !main.predictor.models.includes(withoutModel)) return main.predictor;
      if (without === undefined || without.predictor.models.includes(withoutModel)) {
        throw new InvalidInputError(
          `--hold-out-model '${withoutModel}': router '${name}' was trained with it; pass --hold-out-weights of a router trained without it (npm run train -- --exclude-models ${withoutModel}).`,
        );
      }
      return without.predictor;
    },
    dispose: async () => {
      await main.dispose();
      await without?.dispose();
    },
  };
}

/** `npm run eval -- --multi`: quality against cost among N priced models, per dataset, with a table, JSON and plots. */
async function multiModelEval(args: ReturnType<typeof parseCommandArgs<typeof OPTIONS>>, io: CommandIO): Promise<void> {
  const datasets = datasetNames(args);
  const sharedDir = resolveSharedDir(args.data, io.env);
  const outDir = path.resolve(args.out);
  const started = performance.now();
  const prices = await loadModelPrices(sharedDir);
  const { factory, dispose } =
    args.predictor === PRIOR_PREDICTOR
      ? { factory: priorPredictorFactory, dispose: async () => {} }
      : await learnedPredictorFactory(args.predictor, args);
  const reports: MultiModelReport[] = [];
  try {
    for (const name of datasets) {
      const dataset = await loadMultiModelDataset(name, sharedDir, prices);
      const holdOut = args['hold-out-model'];
      const inDataset = holdOut === undefined || dataset.models.some((model) => model.name === holdOut);
      if (!inDataset)
        io.stderr.write(
          `${name}: --hold-out-model '${holdOut}' is not among its priced models; evaluated without holding out.\n`,
        );
      reports.push(await runMultiModelEval(dataset, factory, inDataset ? holdOut : undefined));
    }
  } finally {
    await dispose();
  }

  await mkdir(outDir, { recursive: true });
  await writeFile(
    path.join(outDir, 'summary.json'),
    `${JSON.stringify({ pricesAsOf: prices.asOf, datasets: reports.map(multiModelSummaryEntry) }, null, 1)}\n`,
  );
  for (const { dataset, run, heldOut } of reports) {
    const curve = (label: string, evaluation: typeof run.evaluation) => ({
      label: `${label} (AIQ ${evaluation.aiq.toFixed(3)})`,
      points: evaluation.curve,
      hull: evaluation.hull,
    });
    const plot = renderCostQualityPlot({
      title: `${dataset.title}: quality vs cost (n = ${dataset.prompts.length.toLocaleString('en-US')})`,
      qualityUnit: dataset.qualityUnit,
      models: run.evaluation.models,
      singleModelHull: run.evaluation.singleModelHull,
      routers: [
        curve(`router, ${run.predictor}`, run.evaluation),
        ...(heldOut ? [curve(`${heldOut.model} held out`, heldOut.evaluation)] : []),
      ],
      oracle: run.evaluation.oracle,
    });
    await writeFile(path.join(outDir, `${dataset.name}.svg`), plot);
  }
  for (const report of reports) io.stdout.write(`\n${formatMultiModelReport(report)}\n`);
  io.stdout.write(`\n${formatMultiModelSummary(reports)}\n`);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  io.stdout.write(`\nWrote ${path.join(outDir, 'summary.json')} and ${reports.length} plots in ${seconds}s.\n`);
}

/** Entry for tests and tools: runs `npm run eval` with these arguments and returns its exit code. */
export function main(argv: readonly string[], io: CommandIO = processIO): Promise<number> {
  return runCommand(evalCommand, argv, io);
}

if (isEntryPoint(import.meta.url)) process.exitCode = await main(process.argv.slice(2));

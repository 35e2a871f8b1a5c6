/**
 * `npm run build:demo-data`: derives the benchmark explorer's data from the shared RouteLLM benchmark results into
 * public/demo-data/ (git-ignored; never committed: the data keeps its own licences, AlpacaEval's is CC BY-NC).
 *
 *   npm run build:demo-data -- [--data <shared folder>] [--out <folder>] [--routers-dir <folder>] [--routers a,b] [--force]
 *
 * Writes index.json (what exists, where it came from) and one file per benchmark: its items (prompt, each model's
 * quality, the recorded answers where the data has them) and the scores of every learned router whose weights are
 * present. Routers that need no model (length, random) are scored by the page itself with the same core code.
 * A fingerprint of every input (data files, router manifests, this script) is kept in index.json, so a rerun with
 * nothing changed returns at once (`npm start` runs it every time), and learned routers' scores are cached in
 * .cache/demo-scores/ per weights and prompt set, so only a retrained router is scored again (the slowest, the
 * classifier, takes minutes on MMLU's 12,537 prompts).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Benchmark, createBenchmark } from '../src/core/benchmark.ts';
import { errorMessage, InvalidInputError } from '../src/core/errors.ts';
import { scorePrompts } from '../src/core/evaluate.ts';
import { createFromDefinition, type RouterDefinition } from '../src/core/registry.ts';
import type { Router } from '../src/core/router.ts';
import { defaultRegistry } from '../src/core/routers.ts';
import { MANIFEST_FILE } from '../src/core/weights/router-weights.ts';
import { BenchmarkLoader, loadMtBenchQuestions } from '../src/node/benchmarks.ts';
import {
  isEntryPoint,
  parseCommandArgs,
  processIO,
  runCommand,
  splitList,
  type CommandIO,
} from '../src/cli/command.ts';
import { DATA_ENV_VARIABLE, PROJECT_ROOT, ROUTELLM_EVALS_SUBDIR, resolveSharedDir } from '../src/node/paths.ts';
import { LOG_INTERVAL_MS } from '../src/node/progress.ts';
import { readCsv, readJsonl } from '../src/node/records.ts';
import { loadRouterResources } from '../src/node/router-resources.ts';
import { DEFAULT_ROUTERS_DIR } from '../src/node/router-weights.ts';
import {
  type DemoBenchmarkFile,
  type DemoIndex,
  type DemoItem,
  type DemoProgress,
  type DemoRouter,
  DEMO_DATA_VERSION,
  formatScoringProgress,
} from '../src/elements/demo-data.ts';

export const DEFAULT_DEMO_DATA_DIR = path.join(PROJECT_ROOT, 'public', 'demo-data');
/**
 * Learned routers' scores, kept per router weights (manifest) and prompt set: scoring MMLU takes minutes for some
 * routers, and a rebuild after one router is retrained should only rescore that one.
 */
const SCORE_CACHE_DIR = path.join(PROJECT_ROOT, '.cache', 'demo-scores');

const USAGE = `Usage: npm run build:demo-data -- [options]
  --data <folder>         the shared data folder (default $${DATA_ENV_VARIABLE}, else ../shared)
  --out <folder>          where the explorer's data goes (default public/demo-data)
  --routers-dir <folder>  trained router weights (default public/routers)
  --routers <a,b,...>     routers to include (default: every registered router)
  --force                 rebuild even when no input changed`;

const OPTIONS = {
  data: { type: 'string' },
  out: { type: 'string' },
  'routers-dir': { type: 'string' },
  routers: { type: 'string' },
  force: { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

/** The AlpacaEval models and judge whose verdicts the explorer shows (the RouteLLM pair's nearest counterparts). */
const ALPACA = {
  strong: 'gpt4_1106_preview',
  weak: 'Mixtral-8x7B-Instruct-v0.1',
  annotator: 'alpaca_eval_gpt4_turbo_fn',
  /** Reserved for evaluation: no router is trained on these (see ../shared/README.md). */
  dataset: 'vicuna',
} as const;

interface BenchmarkSource {
  name: string;
  label: string;
  description: string;
  benchmark: Benchmark;
  /** Per item id: the recorded answers of the weak and strong model, and a category. */
  extras: Map<string, Pick<DemoItem, 'answers' | 'category'>>;
  qualityKind: DemoBenchmarkFile['qualityKind'];
}

/** The files this build reads, for the fingerprint. */
function inputFiles(sharedDir: string): string[] {
  const evals = path.join(sharedDir, ROUTELLM_EVALS_SUBDIR);
  const alpaca = path.join(sharedDir, 'data', 'alpaca-eval');
  return [
    path.join(evals, 'mt_bench', 'question.jsonl'),
    path.join(evals, 'mt_bench', 'judgements.jsonl'),
    path.join(evals, 'mt_bench', 'contaminated_prompts.jsonl'),
    path.join(evals, 'mmlu', 'responses'),
    path.join(evals, 'mmlu', 'contaminated_prompts.jsonl'),
    path.join(evals, 'gsm8k', 'gsm8k_responses.csv'),
    path.join(evals, 'gsm8k', 'contaminated_prompts.jsonl'),
    path.join(alpaca, 'instructions.jsonl'),
    path.join(alpaca, 'raw', 'results', ALPACA.strong, 'model_outputs.json'),
    path.join(alpaca, 'raw', 'results', ALPACA.weak, 'model_outputs.json'),
    path.join(alpaca, 'raw', 'results', ALPACA.weak, ALPACA.annotator, 'annotations.json'),
  ];
}

async function fingerprintOf(sharedDir: string, routersDir: string, routerNames: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  hash.update(String(DEMO_DATA_VERSION));
  hash.update(await readFile(fileURLToPath(import.meta.url)));
  hash.update(routerNames.join(','));
  for (const file of inputFiles(sharedDir)) {
    const info = await stat(file).catch(() => undefined);
    hash.update(`${file}:${info?.size ?? 'missing'}:${info?.mtimeMs ?? ''}`);
  }
  for (const name of routerNames) {
    const manifest = path.join(routersDir, name, MANIFEST_FILE);
    hash.update(`${name}:${existsSync(manifest) ? await readFile(manifest, 'utf8') : 'none'}`);
  }
  return hash.digest('hex');
}

async function mtBenchSource(loader: BenchmarkLoader, sharedDir: string): Promise<BenchmarkSource> {
  const benchmark = await loader.load('mt-bench');
  const categories = new Map(
    (await loadMtBenchQuestions(sharedDir)).map((question) => [String(question.questionId), question.category]),
  );
  return {
    name: 'mt-bench',
    label: 'MT-Bench',
    description:
      'Multi-turn chat questions, judged 1-10 by GPT-4 (mean of both turns); the router sees turn 1. 72 questions after decontamination.',
    benchmark,
    extras: new Map(benchmark.items.map((item) => [item.id, { category: categories.get(item.id) }])),
    qualityKind: 'score',
  };
}

async function mmluSource(loader: BenchmarkLoader): Promise<BenchmarkSource> {
  return {
    name: 'mmlu',
    label: 'MMLU (held out)',
    description:
      'Multiple-choice questions in 57 subjects (5-shot), each answered right or wrong. The held-out split: the 1,500 gold rows learned routers may train on are left out.',
    benchmark: await loader.load('mmlu-heldout'),
    extras: new Map(),
    qualityKind: 'correct',
  };
}

async function gsm8kSource(loader: BenchmarkLoader, sharedDir: string): Promise<BenchmarkSource> {
  const benchmark = await loader.load('gsm8k');
  const file = path.join(sharedDir, ROUTELLM_EVALS_SUBDIR, 'gsm8k', 'gsm8k_responses.csv');
  const rows = await readCsv(file);
  const weakColumn = `${benchmark.weakModel}_response`;
  const strongColumn = `${benchmark.strongModel}_response`;
  const extras = new Map<string, Pick<DemoItem, 'answers'>>();
  rows.forEach((row, index) => {
    const weak = row[weakColumn];
    const strong = row[strongColumn];
    if (typeof weak === 'string' && typeof strong === 'string')
      extras.set(`gsm8k#${index + 1}`, { answers: [weak.trim(), strong.trim()] });
  });
  return {
    name: 'gsm8k',
    label: 'GSM8K',
    description:
      'Grade-school math word problems (8-shot), each answered right or wrong, with both models’ recorded answers.',
    benchmark,
    extras,
    qualityKind: 'correct',
  };
}

/**
 * AlpacaEval's reserved instructions as a routing benchmark: quality is the judge's preference against GPT-4 Turbo's
 * own answer (the AlpacaEval win rate), so GPT-4 Turbo answering is 50 by definition and Mixtral answering is how
 * often the judge preferred Mixtral's answer.
 */
async function alpacaSource(sharedDir: string): Promise<BenchmarkSource> {
  const dir = path.join(sharedDir, 'data', 'alpaca-eval');
  const readJson = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>[];
  const instructions = (await readJsonl(path.join(dir, 'instructions.jsonl'))).filter(
    (record) => record['dataset'] === ALPACA.dataset,
  );
  const outputsOf = async (model: string) =>
    new Map(
      (await readJson(path.join(dir, 'raw', 'results', model, 'model_outputs.json'))).map((record) => [
        record['instruction'],
        record['output'],
      ]),
    );
  const strongOutputs = await outputsOf(ALPACA.strong);
  const weakOutputs = await outputsOf(ALPACA.weak);
  const annotations = await readJson(
    path.join(dir, 'raw', 'results', ALPACA.weak, ALPACA.annotator, 'annotations.json'),
  );
  const preference = new Map<unknown, number>();
  for (const annotation of annotations) {
    // preference 1: generator_1 (GPT-4 Turbo) better, 2: Mixtral better, in between for weighted verdicts.
    const value = Number(annotation['preference']);
    if (annotation['generator_1'] === ALPACA.strong && Number.isFinite(value) && value >= 1 && value <= 2)
      preference.set(annotation['instruction'], value);
  }
  const extras = new Map<string, Pick<DemoItem, 'answers'>>();
  const items = instructions.flatMap((record) => {
    const instruction = record['instruction'];
    const weak = weakOutputs.get(instruction);
    const strong = strongOutputs.get(instruction);
    const judged = preference.get(instruction);
    if (
      typeof instruction !== 'string' ||
      typeof weak !== 'string' ||
      typeof strong !== 'string' ||
      judged === undefined
    )
      return [];
    const id = `alpaca#${String(record['id'])}`;
    extras.set(id, { answers: [weak.trim(), strong.trim()] });
    return [{ id, prompt: instruction, weakQuality: (judged - 1) * 100, strongQuality: 50 }];
  });
  if (items.length === 0)
    throw new InvalidInputError(`No judged AlpacaEval '${ALPACA.dataset}' instructions in ${dir}.`);
  return {
    name: 'alpaca-eval',
    label: 'AlpacaEval (vicuna)',
    description: `The ${items.length} AlpacaEval instructions reserved for evaluation, with both models’ real answers; quality is how often GPT-4 Turbo (as judge) preferred the answer to GPT-4 Turbo’s own (50 = as good).`,
    benchmark: createBenchmark({
      name: 'alpaca-eval',
      weakModel: ALPACA.weak,
      strongModel: ALPACA.strong,
      qualityUnit: 'win rate vs GPT-4 Turbo (%)',
      items,
    }),
    extras,
    qualityKind: 'preference',
  };
}

interface ScoredRouters {
  routers: DemoRouter[];
  /** Per benchmark, per recorded router: one score per item. */
  scores: Map<string, Map<string, number[]>>;
}

/**
 * Scores every learned router whose weights are here, one router at a time. Before scoring one that has no cached
 * scores it publishes what is ready, with the rest listed as pending: a fresh machine shows the baselines within
 * seconds and each learned router as its scores arrive (scoring MMLU takes minutes for some). Routers that cannot
 * load are listed with why.
 */
async function scoreLearnedRouters(
  sources: readonly BenchmarkSource[],
  definitions: readonly RouterDefinition[],
  routersDir: string,
  io: CommandIO,
  progressFile: string,
  publish: (scored: ScoredRouters, pending: readonly DemoRouter[]) => Promise<void>,
): Promise<ScoredRouters> {
  const routers: DemoRouter[] = [];
  const scores = new Map<string, Map<string, number[]>>(sources.map((source) => [source.name, new Map()]));
  const learned: RouterDefinition[] = [];
  for (const definition of definitions) {
    if (definition.requires.length === 0)
      routers.push({ name: definition.name, description: definition.description, source: 'browser' });
    else learned.push(definition);
  }

  const present = learned.filter(
    (definition) =>
      !definition.requires.includes('weights') || existsSync(path.join(routersDir, definition.name, MANIFEST_FILE)),
  );
  for (const definition of learned.filter((entry) => !present.includes(entry))) {
    routers.push({
      name: definition.name,
      description: definition.description,
      source: 'unavailable',
      note: `no trained weights in ${path.relative(PROJECT_ROOT, path.join(routersDir, definition.name))} (npm run train -- --router ${definition.name})`,
    });
  }
  const pendingAfter = (at: number): DemoRouter[] =>
    present.slice(at).map((definition) => ({
      name: definition.name,
      description: definition.description,
      source: 'pending',
      note: 'being scored by this build',
    }));

  // One router at a time: a model one of them lacks (an unbuilt classifier, a causal LM not downloaded) only hides that one.
  for (const [at, definition] of present.entries()) {
    const manifestFile = path.join(routersDir, definition.name, MANIFEST_FILE);
    const manifest = existsSync(manifestFile) ? await readFile(manifestFile, 'utf8') : 'none';
    const cached = new Map<string, { file: string; scores: number[] | undefined }>();
    for (const source of sources) {
      const key = createHash('sha256')
        .update(JSON.stringify([definition.name, manifest, source.benchmark.items.map((item) => item.prompt)]))
        .digest('hex')
        .slice(0, 24);
      const file = path.join(SCORE_CACHE_DIR, `${definition.name}-${source.name}-${key}.json`);
      cached.set(source.name, {
        file,
        scores: existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as number[]) : undefined,
      });
    }
    if ([...cached.values()].every((entry) => entry.scores)) {
      for (const source of sources) scores.get(source.name)!.set(definition.name, cached.get(source.name)!.scores!);
      routers.push({ name: definition.name, description: definition.description, source: 'recorded' });
      io.stdout.write(
        `  ${definition.name}: scores unchanged since the last build (weights and prompts are the same)\n`,
      );
      continue;
    }
    // What is ready is shown while this router is scored.
    await publish({ routers, scores }, pendingAfter(at));
    let resources: Awaited<ReturnType<typeof loadRouterResources>> | undefined;
    try {
      let router: Router;
      try {
        resources = await loadRouterResources([definition], { routersDir });
        const weights = definition.requires.includes('weights')
          ? { weights: await resources.weightsFor(definition.name) }
          : {};
        router = await createFromDefinition(definition, { ...resources.context, ...weights });
      } catch (error) {
        routers.push({
          name: definition.name,
          description: definition.description,
          source: 'unavailable',
          note: errorMessage(error),
        });
        continue;
      }
      for (const source of sources) {
        const entry = cached.get(source.name)!;
        let routed = entry.scores;
        if (!routed) {
          const prompts = source.benchmark.items.map((item) => item.prompt);
          io.stdout.write(
            `  scoring ${source.label} with ${definition.name} (${prompts.length.toLocaleString('en-US')} prompts)…\n`,
          );
          const reporter = scoringReporter(definition.name, source.label, io, progressFile);
          routed = await scorePrompts(router, prompts, { onProgress: (done, total) => reporter.update(done, total) });
          await reporter.finish();
          await mkdir(SCORE_CACHE_DIR, { recursive: true });
          await writeFile(entry.file, JSON.stringify(routed));
        }
        scores.get(source.name)!.set(definition.name, routed);
      }
      routers.push({ name: definition.name, description: definition.description, source: 'recorded' });
    } finally {
      await resources?.dispose();
    }
  }
  return { routers, scores };
}

/** The explorer's progress file while a router is scored (see DemoProgress). */
const PROGRESS_FILE = 'progress.json';
/** How often progress.json is rewritten: the page polls it every few seconds. */
const PROGRESS_WRITE_MS = 1_000;

/**
 * Reports one router's scoring of one benchmark with a count and an estimate of the time left: a line on stdout
 * every LOG_INTERVAL_MS (and at the end), and progress.json for the page. The estimate is the rate so far.
 */
function scoringReporter(router: string, benchmark: string, io: CommandIO, progressFile: string) {
  const started = performance.now();
  let lastLine = started;
  let lastWrite = -Infinity;
  let writing: Promise<void> = Promise.resolve();
  const progressAt = (done: number, total: number): DemoProgress => {
    const elapsedMs = performance.now() - started;
    const etaSeconds = done > 0 && elapsedMs > 1_000 ? ((elapsedMs / done) * (total - done)) / 1000 : null;
    return { router, benchmark, done, total, etaSeconds };
  };
  return {
    update(done: number, total: number): void {
      const now = performance.now();
      if (now - lastLine >= LOG_INTERVAL_MS) {
        lastLine = now;
        io.stdout.write(`  scoring ${benchmark} with ${router}: ${formatScoringProgress(progressAt(done, total))}\n`);
      }
      if (now - lastWrite >= PROGRESS_WRITE_MS) {
        lastWrite = now;
        const text = JSON.stringify(progressAt(done, total));
        // In order, and never failing the build: the page only loses a progress line.
        writing = writing.then(() => writeFile(progressFile, text).catch(() => undefined));
      }
    },
    async finish(): Promise<void> {
      await writing;
      await rm(progressFile, { force: true });
      io.stdout.write(
        `  scored ${benchmark} with ${router} in ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
      );
    },
  };
}

/**
 * Writes the explorer's files into a sibling folder and swaps it in, so the page never reads half a build. Without
 * a fingerprint the data is a step of a build still running: a later run does not take it as up to date.
 */
async function writeDemoData(
  outDir: string,
  sources: readonly BenchmarkSource[],
  scored: ScoredRouters,
  fingerprint: string,
  sharedDir: string,
): Promise<void> {
  const staging = `${outDir}.partial`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  const benchmarks: DemoIndex['benchmarks'] = [];
  for (const source of sources) {
    const { benchmark } = source;
    const file: DemoBenchmarkFile = {
      version: DEMO_DATA_VERSION,
      name: source.name,
      label: source.label,
      description: source.description,
      qualityUnit: benchmark.qualityUnit,
      qualityKind: source.qualityKind,
      weakModel: benchmark.weakModel,
      strongModel: benchmark.strongModel,
      items: benchmark.items.map((item) => ({
        id: item.id,
        prompt: item.prompt,
        weak: item.weakQuality,
        strong: item.strongQuality,
        ...source.extras.get(item.id),
      })),
      scores: Object.fromEntries(scored.scores.get(source.name)!),
    };
    const fileName = `${source.name}.json`;
    await writeFile(path.join(staging, fileName), JSON.stringify(file));
    benchmarks.push({
      name: source.name,
      label: source.label,
      file: fileName,
      n: benchmark.items.length,
      hasAnswers: source.extras.size > 0 && [...source.extras.values()].some((extra) => extra.answers),
    });
  }
  const index: DemoIndex = {
    version: DEMO_DATA_VERSION,
    fingerprint,
    generatedAt: new Date().toISOString(),
    source: `RouteLLM's cached benchmark results (lm-sys/RouteLLM, Apache-2.0) and AlpacaEval (tatsu-lab/alpaca_eval; data CC BY-NC 4.0), read from ${sharedDir}`,
    benchmarks,
    routers: scored.routers,
  };
  await writeFile(path.join(staging, 'index.json'), `${JSON.stringify(index, null, 1)}\n`);
  await rm(outDir, { recursive: true, force: true });
  await mkdir(path.dirname(outDir), { recursive: true });
  await rename(staging, outDir);
}

export async function buildDemoData(argv: readonly string[], io: CommandIO): Promise<void> {
  const args = parseCommandArgs(argv, OPTIONS);
  if (args.help) {
    io.stdout.write(`${USAGE}\n`);
    return;
  }
  const sharedDir = resolveSharedDir(args.data, io.env);
  const outDir = path.resolve(args.out ?? DEFAULT_DEMO_DATA_DIR);
  const routersDir = path.resolve(args['routers-dir'] ?? DEFAULT_ROUTERS_DIR);
  const definitions = (args.routers === undefined ? defaultRegistry.names() : splitList(args.routers, '--routers')).map(
    (name) => defaultRegistry.get(name),
  );
  const fingerprint = await fingerprintOf(
    sharedDir,
    routersDir,
    definitions.map((definition) => definition.name),
  );
  const indexFile = path.join(outDir, 'index.json');
  if (!args.force && existsSync(indexFile)) {
    const previous = JSON.parse(await readFile(indexFile, 'utf8')) as Partial<DemoIndex>;
    if (previous.fingerprint === fingerprint) {
      io.stdout.write(`Demo data in ${path.relative(process.cwd(), outDir) || '.'} is up to date.\n`);
      return;
    }
  }

  const started = performance.now();
  const loader = new BenchmarkLoader(sharedDir);
  const sources = [
    await mtBenchSource(loader, sharedDir),
    await mmluSource(loader),
    await gsm8kSource(loader, sharedDir),
    await alpacaSource(sharedDir),
  ];
  const progressFile = path.join(outDir, PROGRESS_FILE);
  const scored = await scoreLearnedRouters(
    sources,
    definitions,
    routersDir,
    io,
    progressFile,
    async (partial, pending) => {
      await writeDemoData(
        outDir,
        sources,
        { routers: [...partial.routers, ...pending], scores: partial.scores },
        '',
        sharedDir,
      );
      io.stdout.write(
        `  explorer data published (the page shows it by itself): ${partial.routers
          .filter((router) => router.source !== 'unavailable')
          .map((router) => router.name)
          .join(', ')}; still scoring ${pending.map((router) => router.name).join(', ')}\n`,
      );
    },
  );
  await writeDemoData(outDir, sources, scored, fingerprint, sharedDir);
  const { routers } = scored;

  const bytes = (
    await Promise.all((await readdir(outDir)).map(async (name) => (await stat(path.join(outDir, name))).size))
  ).reduce((sum, size) => sum + size, 0);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const counted = sources.map((source) => `${source.label} ${source.benchmark.items.length}`).join(', ');
  const learned = routers.filter((router) => router.source === 'recorded').map((router) => router.name);
  io.stdout.write(
    `Wrote ${path.relative(process.cwd(), outDir) || '.'} (${(bytes / 1e6).toFixed(1)} MB) in ${seconds}s: ${counted} prompts; learned routers scored: ${learned.join(', ') || 'none'}.\n`,
  );
  for (const router of routers.filter((entry) => entry.source === 'unavailable'))
    io.stdout.write(`  ${router.name}: not shown (${router.note})\n`);
}

if (isEntryPoint(import.meta.url)) process.exitCode = await runCommand(buildDemoData, process.argv.slice(2), processIO);

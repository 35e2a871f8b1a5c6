/**
 * `npm run bench`: how fast routing is where it runs, in the browser. Drives scripts/bench/bench.html in headless
 * Chromium (Debian's where it exists, as the e2e suite) over the Vite dev server, and for each device measures:
 * the router worker's cold start with its files in the HTTP cache, route latency p50/p95 of 10-, 60- and 120-token
 * prompts (the SDK's own latencyMs, page to worker and back), batch throughput, main-thread long tasks while
 * routing (the page must never block), and the worker's memory (measureUserAgentSpecificMemory). Prints a table and
 * writes bench-results/browser.json: { "<device>": { coldStartMs, p50Ms, p95Ms, throughputPerSec, longTasks, workerMemoryMB } }.
 *
 *   npm run bench -- [--router <name>] [--devices wasm,webgpu] [--runs 30] [--out bench-results/browser.json]
 *   npm run bench -- --multi [--weights public/routers/irt] [--runs 30] [--devices wasm]
 *
 * `--multi` measures instead what choosing among more models costs (issue 14: at most 1 ms more for 5 models than
 * for 2): the irt router as a two-model and a five-model ModelRouter (costWeight policy, list prices from the shared
 * folder's data/prices/model-prices.json) on one worker, each prompt routed by both in turn; it prints per-route
 * latency p50/p95 of each, their difference and the median paired difference, and writes
 * bench-results/browser-multi.json.
 *
 * The router defaults to the first registered router that embeds prompts and has weights in public/routers/;
 * without one it benchmarks a stand-in (a linear head over the same USE-lite embedding, from the e2e fixtures),
 * since the encoder is where an embedding router spends its time.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { createServer } from 'vite';
import {
  isEntryPoint,
  parseCommandArgs,
  processIO,
  runCommand,
  splitList,
  type CommandIO,
} from '../src/cli/command.ts';
import { PROJECT_ROOT, resolveSharedDir } from '../src/node/paths.ts';
import { errorMessage, InvalidInputError } from '../src/core/errors.ts';
import { defaultRegistry } from '../src/core/routers.ts';
import { createEncoder, type Encoder } from '../src/encoder/index.ts';
import type { DeploymentModel } from '../src/sdk/index.ts';
import { loadModelPrices } from '../src/training/model-prices.ts';
import type { BenchRequest, BenchResult, ModelsBenchRequest, ModelsBenchResult } from './bench/bench-page.ts';
import { freePort } from './free-port.ts';

const USAGE = `Usage: npm run bench -- [options]
  --router <name>        router to benchmark (default: the first shipped embedding router, else the stand-in
                         ${'fixture-head'}, a linear head over USE-lite that measures the encoder alone)
  --devices <a,b>        wasm, webgpu or both (default wasm,webgpu; with --multi, wasm)
  --runs <n>             routed prompts per length (default 30)
  --out <file>           JSON results (default bench-results/browser.json; with --multi, browser-multi.json)
  --multi                route among 2 and among 5 priced models with the irt router instead, and compare
  --weights <folder>     with --multi: the irt weights folder, inside the checkout (default public/routers/irt)
  --data <folder>        with --multi: the shared folder holding data/prices (default $ROUTELLM_DATA, else ../shared)`;

const OPTIONS = {
  router: { type: 'string' },
  devices: { type: 'string' },
  runs: { type: 'string', default: '30' },
  out: { type: 'string' },
  multi: { type: 'boolean', default: false },
  weights: { type: 'string', default: path.join('public', 'routers', 'irt') },
  data: { type: 'string' },
  help: { type: 'boolean', default: false },
} as const;

const TOKEN_LENGTHS = [10, 60, 120] as const;
const BATCH_SIZE = 128;
const SYSTEM_CHROMIUM = '/usr/bin/chromium';
/** The stand-in embedding router and its weights (e2e/fixtures/fixture-worker.ts). */
const STAND_IN = { router: 'fixture-head', weightsUrl: '/e2e/fixtures/routers/fixture-head/' };

/** Targets on this 2-core machine, WASM (issue: in the browser). */
const TARGETS = { p50Ms60: 20, coldStartMs: 1500, workerMemoryMB: 150, longTasks: 0 };

export interface DeviceFigures {
  coldStartMs: number;
  p50Ms: Record<'10' | '60' | '120', number>;
  p95Ms: Record<'10' | '60' | '120', number>;
  throughputPerSec: number;
  longTasks: number;
  workerMemoryMB: number;
}

const WORDS =
  'how should I plan a three day trip to Kyoto with elderly parents which temples gardens and shrines matter most explain the proof that there are infinitely many primes then generalise it write a python function that merges two sorted lists and analyse its complexity compare renting and buying a flat in a city where prices rise five percent a year summarise the causes of the French revolution for a student draft a polite email asking my landlord to fix the heating'.split(
    ' ',
  );

/** Distinct prompts of exactly `tokens` USE-lite tokens (special tokens included), cut word by word. */
async function promptsOf(encoder: Encoder, tokens: number, count: number): Promise<string[]> {
  const prompts: string[] = [];
  for (let index = 0; index < count; index++) {
    const words = [`Question ${index}:`];
    for (let word = index; ; word++) {
      const candidate = [...words, WORDS[word % WORDS.length]!].join(' ');
      const [encoded] = await encoder.encode([candidate]);
      if (encoded!.tokens > tokens) break;
      words.push(WORDS[word % WORDS.length]!);
      if (encoded!.tokens === tokens) break;
    }
    prompts.push(`${words.join(' ')}?`);
  }
  return prompts;
}

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * fraction;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

/** The router to benchmark: as asked, else the first shipped embedding router, else the stand-in. */
function chooseRouter(asked: string | undefined): { options: BenchRequest['router']; label: string } {
  if (asked === STAND_IN.router)
    return { options: STAND_IN, label: `${STAND_IN.router} (a linear head over USE-lite: the encoder's cost alone)` };
  if (asked !== undefined) {
    defaultRegistry.get(asked);
    return { options: { router: asked }, label: asked };
  }
  const shipped = defaultRegistry
    .names()
    .find(
      (name) =>
        defaultRegistry.get(name).requires.includes('embedder') &&
        existsSync(path.join(PROJECT_ROOT, 'public', 'routers', name, 'manifest.json')),
    );
  if (shipped) return { options: { router: shipped }, label: shipped };
  return {
    options: STAND_IN,
    label: `${STAND_IN.router} (stand-in: a linear head over USE-lite; no embedding router is shipped yet)`,
  };
}

export async function benchBrowser(argv: readonly string[], io: CommandIO): Promise<void> {
  const args = parseCommandArgs(argv, OPTIONS);
  if (args.help) {
    io.stdout.write(`${USAGE}\n`);
    return;
  }
  const devices = splitList(args.devices ?? (args.multi ? 'wasm' : 'wasm,webgpu'), '--devices');
  for (const device of devices)
    if (device !== 'wasm' && device !== 'webgpu')
      throw new InvalidInputError(`--devices takes wasm and webgpu, got '${device}'.`);
  const runs = Number(args.runs);
  if (!(Number.isInteger(runs) && runs >= 5))
    throw new InvalidInputError(`--runs must be a whole number of at least 5, got '${args.runs}'.`);
  if (args.multi && args.router !== undefined && args.router !== 'irt')
    throw new InvalidInputError(
      `--multi measures the irt router (it predicts every model's quality), not '${args.router}'.`,
    );
  const { options: routerOptions, label } = chooseRouter(args.router);

  const encoder = await createEncoder({ overflow: 'chunk' });
  const prompts: Record<string, string[]> = {};
  for (const tokens of TOKEN_LENGTHS) prompts[tokens] = await promptsOf(encoder, tokens, runs);
  const batch = args.multi
    ? []
    : (await promptsOf(encoder, 60, BATCH_SIZE)).map((prompt, index) => `${prompt} (${index})`);
  await encoder.dispose();

  if (args.multi) {
    await benchModels({ devices, runs, prompts, weights: args.weights, data: args.data, out: args.out }, io);
    return;
  }
  const { browser, port, close } = await startBench();
  const results: Record<string, DeviceFigures> = {};
  try {
    for (const device of devices) {
      const request: BenchRequest = {
        router: { ...routerOptions, device: device as 'wasm' | 'webgpu' },
        prompts,
        batch,
        warmUp: 5,
      };
      io.stderr.write(`bench: ${label} on ${device}…\n`);
      const result = await runOnBenchPage<BenchResult>({ browser, port }, 'run', request, device, io);
      if (!result) continue;
      for (const task of result.longTaskTimings) {
        io.stdout.write(
          `${device}: a main-thread long task of ${Math.round(task.durationMs)} ms, ${Math.round(task.startMs)} ms into routing\n`,
        );
      }
      const pick = (fraction: number) =>
        Object.fromEntries(
          TOKEN_LENGTHS.map((tokens) => [String(tokens), round(percentile(result.latencies[tokens]!, fraction))]),
        ) as DeviceFigures['p50Ms'];
      results[device] = {
        coldStartMs: round(result.coldStartMs),
        p50Ms: pick(0.5),
        p95Ms: pick(0.95),
        throughputPerSec: round(result.throughputPerSec),
        longTasks: result.longTasks,
        workerMemoryMB: round(result.workerMemoryMB),
      };
    }
  } finally {
    await close();
  }

  const outFile = path.resolve(args.out ?? path.join('bench-results', 'browser.json'));
  await mkdir(path.dirname(outFile), { recursive: true });
  await writeFile(outFile, `${JSON.stringify(results, null, 1)}\n`);
  io.stdout.write(`\nRouter: ${label}; ${runs} prompts per length, ${BATCH_SIZE} in the batch; Chromium headless.\n`);
  io.stdout.write(formatTable(results));
  const wasm = results['wasm'];
  if (wasm) {
    const checks = [
      `route p50 (60 tokens) ${wasm.p50Ms['60']} ms ${wasm.p50Ms['60'] <= TARGETS.p50Ms60 ? '<=' : '>'} ${TARGETS.p50Ms60} ms`,
      `cold start ${wasm.coldStartMs} ms ${wasm.coldStartMs <= TARGETS.coldStartMs ? '<=' : '>'} ${TARGETS.coldStartMs} ms`,
      `worker memory ${wasm.workerMemoryMB} MB ${wasm.workerMemoryMB <= TARGETS.workerMemoryMB ? '<=' : '>'} ${TARGETS.workerMemoryMB} MB`,
      `long tasks ${wasm.longTasks} ${wasm.longTasks === TARGETS.longTasks ? '=' : '>'} 0`,
    ];
    io.stdout.write(`WASM targets: ${checks.join('; ')}\n`);
  }
  io.stdout.write(`Wrote ${path.relative(process.cwd(), outFile)}\n`);
}

/** The Vite dev server over the checkout and headless Chromium (Debian's where it exists, as the e2e suite). */
/**
 * Runs one request on a fresh bench page (scripts/bench/bench-page.ts): the result, or undefined after printing why
 * the run failed; says so when the router ran on another device than asked.
 */
async function runOnBenchPage<Result extends { device: string; deviceReason: string }>(
  bench: { browser: Awaited<ReturnType<typeof chromium.launch>>; port: number },
  method: 'run' | 'runModels',
  request: BenchRequest | ModelsBenchRequest,
  device: string,
  io: CommandIO,
): Promise<Result | undefined> {
  const page = await (await bench.browser.newContext()).newPage();
  let result: Result;
  try {
    // A page that does not load stops the bench; a run that fails is reported and the next device is tried.
    await page.goto(`http://127.0.0.1:${bench.port}/scripts/bench/bench.html`);
    await page.waitForSelector('body[data-ready="true"]');
    try {
      result = (await page.evaluate(
        ({ method, request }) =>
          (window as unknown as { bench: Record<string, (input: unknown) => Promise<unknown>> }).bench[method]!(
            request,
          ),
        { method, request },
      )) as Result;
    } catch (error) {
      io.stdout.write(`${device}: failed: ${errorMessage(error).split('\n')[0]}\n`);
      return undefined;
    }
  } finally {
    await page.context().close();
  }
  if (result.device !== device)
    io.stdout.write(`${device}: the router ran on ${result.device} instead (${result.deviceReason})\n`);
  return result;
}

async function startBench(): Promise<{
  browser: Awaited<ReturnType<typeof chromium.launch>>;
  port: number;
  close: () => Promise<void>;
}> {
  const port = await freePort();
  const site = await createServer({
    root: PROJECT_ROOT,
    configFile: path.join(PROJECT_ROOT, 'vite.config.ts'),
    logLevel: 'error',
    server: { host: '127.0.0.1', port, strictPort: true },
  });
  await site.listen();
  const browser = await chromium
    .launch({
      executablePath: existsSync(SYSTEM_CHROMIUM) ? SYSTEM_CHROMIUM : undefined,
      args: [
        '--no-sandbox',
        '--enable-unsafe-webgpu',
        '--enable-blink-features=ForceEagerMeasureMemory',
        '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
      ],
    })
    .catch(async (error: unknown) => {
      await site.close();
      throw error;
    });
  return {
    browser,
    port,
    close: async () => {
      await browser.close();
      await site.close();
    },
  };
}

/** The costWeight lambda of the N-model measurement: quality - 50 x expected cost in USD (the choice varies). */
const MODELS_POLICY_LAMBDA = 50;
/** Models beyond the router's pair in the five-model set. */
const EXTRA_MODELS = 3;

/**
 * The two-model set is the irt weights' deployment pair; the five-model set adds three more of its models with list
 * prices, spread over the price range (the priced models but the pair, ordered by input + output price, taken at a
 * quarter, half and three quarters of the way).
 */
function modelSets(
  manifest: { parameters?: { models?: unknown; strong?: unknown; weak?: unknown } },
  priceOf: (model: string) => { inputPrice: number; outputPrice: number } | undefined,
): { two: DeploymentModel[]; five: DeploymentModel[]; unpriced: string[] } {
  const { models, strong, weak } = manifest.parameters ?? {};
  if (!Array.isArray(models) || typeof strong !== 'string' || typeof weak !== 'string')
    throw new InvalidInputError('The irt manifest must list parameters.models, strong and weak.');
  const priced = (models as string[]).flatMap((name) => {
    const price = priceOf(name);
    return price ? [{ name, inputPrice: price.inputPrice, outputPrice: price.outputPrice }] : [];
  });
  const unpriced = (models as string[]).filter((name) => !priced.some((model) => model.name === name));
  const pair = [strong, weak].map((name) => {
    const model = priced.find((candidate) => candidate.name === name);
    if (!model) throw new InvalidInputError(`The router's pair model '${name}' has no list price in the price table.`);
    return model;
  });
  const others = priced
    .filter((model) => model.name !== strong && model.name !== weak)
    .sort((a, b) => a.inputPrice + a.outputPrice - (b.inputPrice + b.outputPrice) || (a.name < b.name ? -1 : 1));
  if (others.length < EXTRA_MODELS)
    throw new InvalidInputError(`The irt weights have ${others.length} priced models besides the pair: 3 are needed.`);
  const extra = Array.from(
    { length: EXTRA_MODELS },
    (_, index) => others[Math.round(((index + 1) * (others.length - 1)) / (EXTRA_MODELS + 1))]!,
  );
  return { two: pair, five: [...pair, ...extra], unpriced };
}

export interface ModelsFigures {
  models: string[];
  /** route() call to decision, as the page sees it. */
  routeMs: { p50: number; p95: number };
  /** The decision's latencyMs: the worker's prediction call alone. */
  workerMs: { p50: number; p95: number };
  chosen: Record<string, number>;
}

/** Per device: the two sets' figures and five models' extra time (p50 and p95 of each, and per prompt). */
export interface ModelsComparison {
  two: ModelsFigures;
  five: ModelsFigures;
  extraMs: { p50: number; p95: number; medianPaired: number };
}

/** `--multi`: the irt router choosing among 2 and among 5 priced models, the same prompts through both. */
async function benchModels(
  options: {
    devices: string[];
    runs: number;
    prompts: Record<string, string[]>;
    weights: string;
    data: string | undefined;
    out: string | undefined;
  },
  io: CommandIO,
): Promise<void> {
  const folder = path.resolve(options.weights);
  const served = path.relative(PROJECT_ROOT, folder);
  if (served.startsWith('..') || path.isAbsolute(served))
    throw new InvalidInputError(`--weights must be a folder inside the checkout (the page serves it), got ${folder}.`);
  const manifestFile = path.join(folder, 'manifest.json');
  if (!existsSync(manifestFile)) {
    throw new InvalidInputError(
      `No irt weights at ${manifestFile}: train them (npm run train -- --router irt --out public/routers/irt) or pass --weights.`,
    );
  }
  const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as Parameters<typeof modelSets>[0];
  const prices = await loadModelPrices(resolveSharedDir(options.data));
  const { two, five, unpriced } = modelSets(manifest, (model) => prices.priceOf(model, model));
  // public/ is served at the site's root; the rest of the checkout under its own path.
  const publicRelative = path.relative(path.join(PROJECT_ROOT, 'public'), folder);
  const weightsPath = `/${(publicRelative.startsWith('..') ? served : publicRelative).split(path.sep).join('/')}/`;
  const prompts = Object.values(options.prompts).flat();
  const labels = { two: '2 models', five: '5 models' } as const;

  const { browser, port, close } = await startBench();
  const results: Record<string, ModelsComparison> = {};
  try {
    for (const device of options.devices) {
      const request: ModelsBenchRequest = {
        router: 'irt',
        weightsUrl: `http://127.0.0.1:${port}${weightsPath}`,
        device: device as 'wasm' | 'webgpu',
        policy: { costWeight: { lambda: MODELS_POLICY_LAMBDA } },
        sets: { [labels.two]: two, [labels.five]: five },
        prompts,
        warmUp: 5,
      };
      io.stderr.write(`bench: irt among ${two.length} and ${five.length} models on ${device}…\n`);
      const result = await runOnBenchPage<ModelsBenchResult>({ browser, port }, 'runModels', request, device, io);
      if (!result) continue;
      const figures = (label: string, models: DeploymentModel[]): ModelsFigures => ({
        models: models.map((model) => model.name),
        routeMs: {
          p50: round2(percentile(result.routeMs[label]!, 0.5)),
          p95: round2(percentile(result.routeMs[label]!, 0.95)),
        },
        workerMs: {
          p50: round2(percentile(result.workerMs[label]!, 0.5)),
          p95: round2(percentile(result.workerMs[label]!, 0.95)),
        },
        chosen: result.chosen[label]!,
      });
      const paired = result.routeMs[labels.five]!.map((ms, index) => ms - result.routeMs[labels.two]![index]!);
      const twoFigures = figures(labels.two, two);
      const fiveFigures = figures(labels.five, five);
      results[device] = {
        two: twoFigures,
        five: fiveFigures,
        extraMs: {
          p50: round2(fiveFigures.routeMs.p50 - twoFigures.routeMs.p50),
          p95: round2(fiveFigures.routeMs.p95 - twoFigures.routeMs.p95),
          medianPaired: round2(percentile(paired, 0.5)),
        },
      };
    }
  } finally {
    await close();
  }

  const outFile = path.resolve(options.out ?? path.join('bench-results', 'browser-multi.json'));
  await mkdir(path.dirname(outFile), { recursive: true });
  await writeFile(outFile, `${JSON.stringify(results, null, 1)}\n`);
  io.stdout.write(
    `\nThe irt router (${path.relative(PROJECT_ROOT, folder)}), costWeight lambda ${MODELS_POLICY_LAMBDA}, list prices of ${prices.asOf}; ` +
      `${prompts.length} prompts (${options.runs} each of ${TOKEN_LENGTHS.join(' / ')} tokens), each routed by both routers in turn.\n`,
  );
  for (const model of five)
    io.stdout.write(`  ${model.name}: $${model.inputPrice} / $${model.outputPrice} per 1M tokens in / out\n`);
  if (unpriced.length > 0) io.stdout.write(`  (${unpriced.length} of the router's models have no list price)\n`);
  for (const [device, comparison] of Object.entries(results)) {
    const { p50, p95, medianPaired } = comparison.extraMs;
    io.stdout.write(formatModelsTable(device, [comparison.two, comparison.five]));
    io.stdout.write(
      `${device}: 5 models - 2 models: p50 ${signed(p50)} ms, p95 ${signed(p95)} ms, per prompt (median) ` +
        `${signed(medianPaired)} ms; target at most +1 ms at p50: ${p50 <= 1 ? 'met' : 'not met'}\n`,
    );
  }
  io.stdout.write(`Wrote ${path.relative(process.cwd(), outFile)}\n`);
}

function formatModelsTable(device: string, rows: ModelsFigures[]): string {
  const header = ['device', 'models', 'route p50', 'route p95', 'worker call p50 / p95', 'chosen'];
  const cells = rows.map((figures) => [
    device,
    String(figures.models.length),
    `${figures.routeMs.p50} ms`,
    `${figures.routeMs.p95} ms`,
    `${figures.workerMs.p50} / ${figures.workerMs.p95} ms`,
    Object.entries(figures.chosen)
      .sort(([, a], [, b]) => b - a)
      .map(([model, count]) => `${model} ${count}`)
      .join(', '),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((row) => row[column]!.length)));
  const line = (row: string[]) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ');
  return `${[line(header), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].join('\n')}\n`;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function signed(value: number): string {
  return value >= 0 ? `+${value}` : String(value);
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function formatTable(results: Record<string, DeviceFigures>): string {
  const header = [
    'device',
    'cold start',
    'p50 10/60/120 tok',
    'p95 10/60/120 tok',
    'batch',
    'long tasks',
    'worker memory',
  ];
  const rows = Object.entries(results).map(([device, figures]) => [
    device,
    `${figures.coldStartMs} ms`,
    `${figures.p50Ms['10']} / ${figures.p50Ms['60']} / ${figures.p50Ms['120']} ms`,
    `${figures.p95Ms['10']} / ${figures.p95Ms['60']} / ${figures.p95Ms['120']} ms`,
    `${figures.throughputPerSec} prompts/s`,
    String(figures.longTasks),
    `${figures.workerMemoryMB} MB`,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ');
  return `${[line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n')}\n`;
}

if (isEntryPoint(import.meta.url)) process.exitCode = await runCommand(benchBrowser, process.argv.slice(2), processIO);

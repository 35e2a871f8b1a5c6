import path from 'node:path';
import {
  thresholdForStrongPct,
  thresholdFromQuantileTable,
  InvalidInputError,
  defaultRegistry,
  manifestCalibration,
} from '../core/index.ts';
import { isEntryPoint, parseCommandArgs, parseNumberFlag, processIO, runCommand, type CommandIO } from './command.ts';
import {
  CALIBRATION_SET,
  loadCalibrationPrompts,
  resolveSharedDir,
  readRecords,
  requireFields,
  scoreWithRouter,
  weightsFolders,
  DEFAULT_ROUTERS_DIR,
  readRouterFolder,
} from '../node/index.ts';
import { routerOf } from './score.ts';

const USAGE = `Usage: npm run calibrate -- --router <name> --strong-pct <share> [options]
  --router <name>        one of: ${defaultRegistry.names().join(', ')}
  --strong-pct <share>   share of prompts to send to the strong model, 0 to 1 (e.g. 0.5)
  --prompts <file>       calibrate on these prompts (.csv or .jsonl). Without it: the calibration set (${CALIBRATION_SET}),
                         from the quantiles the router's manifest stores, or scored now for a router without a manifest
  --field <name>         the prompt field of --prompts (default prompt)
  --weights <folder>     a trained router folder (npm run train --out); names the router, so --router may be left out
  --routers-dir <dir>    where trained routers' weights are (default public/routers)
  --data <folder>        the shared data folder holding the calibration set (default $ROUTELLM_DATA, else ../shared)
  --seed <n>             seed for stochastic routers (default 0)`;

const OPTIONS = {
  router: { type: 'string' },
  'strong-pct': { type: 'string' },
  prompts: { type: 'string' },
  field: { type: 'string', default: 'prompt' },
  weights: { type: 'string' },
  'routers-dir': { type: 'string' },
  data: { type: 'string' },
  seed: { type: 'string', default: '0' },
  help: { type: 'boolean', default: false },
} as const;

/** `npm run calibrate`: the threshold that sends a given share of prompts to the strong model. */
export async function calibrateCommand(argv: readonly string[], io: CommandIO): Promise<void> {
  const args = parseCommandArgs(argv, OPTIONS);
  if (args.help) {
    io.stdout.write(`${USAGE}\n`);
    return;
  }
  if ((args.router === undefined && args.weights === undefined) || args['strong-pct'] === undefined)
    throw new InvalidInputError('Missing --router or --strong-pct (see --help).');
  const weightsDirs = await weightsFolders(args.weights === undefined ? [] : [args.weights]);
  const definition = defaultRegistry.get(routerOf(args.router, weightsDirs));
  const strongPct = parseNumberFlag(args['strong-pct'], '--strong-pct', { min: 0, max: 1 });
  const routersDir = path.resolve(args['routers-dir'] ?? DEFAULT_ROUTERS_DIR);
  const seed = parseNumberFlag(args.seed, '--seed', { min: 0, max: 2 ** 32 - 1, integer: true });

  if (args.prompts === undefined && definition.requires.includes('weights')) {
    const { manifest } = await readRouterFolder(
      weightsDirs.get(definition.name) ?? path.join(routersDir, definition.name),
    );
    const stored = manifestCalibration(manifest);
    if (!stored)
      throw new InvalidInputError(
        `The manifest of '${definition.name}' has no calibration quantiles: pass --prompts <file>, or retrain it.`,
      );
    const threshold = thresholdFromQuantileTable(stored.quantiles, strongPct);
    io.stdout.write(`${threshold}\n`);
    io.stderr.write(
      `Threshold for '${definition.name}' at ${(strongPct * 100).toFixed(1)}% strong calls, from the manifest's quantiles of ${stored.prompts ?? 'the calibration prompts'}.\n`,
    );
    return;
  }
  // Without --prompts, a router without a manifest (length, random, causal-llm) scores the calibration set now.
  const { prompts, source } =
    args.prompts === undefined
      ? { prompts: await loadCalibrationPrompts(resolveSharedDir(args.data, io.env)), source: CALIBRATION_SET }
      : await readPromptFile(args.prompts, args.field, args.data);
  const scores = await scoreWithRouter(definition, prompts, { routersDir, weightsDirs, seed }, io.stderr);
  const threshold = thresholdForStrongPct(scores, strongPct);
  const share = scores.filter((score) => score >= threshold).length / scores.length;
  io.stdout.write(`${threshold}\n`);
  io.stderr.write(
    `Threshold for '${definition.name}' on ${prompts.length} prompts of ${source}: ${(share * 100).toFixed(1)}% go strong (asked ${(strongPct * 100).toFixed(1)}%).\n`,
  );
}

async function readPromptFile(
  name: string,
  field: string,
  data: string | undefined,
): Promise<{ prompts: string[]; source: string }> {
  if (data !== undefined)
    throw new InvalidInputError('--data locates the calibration set; it is not used with --prompts.');
  const file = path.resolve(name);
  const records = await readRecords(file);
  requireFields(records, [field], file);
  const prompts = records.map((record, index) => {
    const prompt = record[field];
    if (typeof prompt !== 'string' || prompt.trim() === '')
      throw new InvalidInputError(`${file}, row ${index + 1}: field '${field}' is missing, empty or not text.`);
    return prompt;
  });
  return { prompts, source: path.basename(file) };
}

export function main(argv: readonly string[], io: CommandIO = processIO): Promise<number> {
  return runCommand(calibrateCommand, argv, io);
}

if (isEntryPoint(import.meta.url)) process.exitCode = await main(process.argv.slice(2));

import path from 'node:path';
import { thresholdForStrongPct, thresholdFromQuantileTable } from '../core/calibration.ts';
import { InvalidInputError } from '../core/errors.ts';
import { defaultRegistry } from '../core/routers.ts';
import { isEntryPoint, parseCommandArgs, parseNumberFlag, processIO, runCommand, type CommandIO } from './command.ts';
import { readRecords, requireFields } from './records.ts';
import { scoreWithRouter } from './router-resources.ts';
import { DEFAULT_ROUTERS_DIR, readRouterFolder } from './router-weights.ts';

const USAGE = `Usage: npm run calibrate -- --router <name> --strong-pct <share> [options]
  --router <name>        one of: ${defaultRegistry.names().join(', ')}
  --strong-pct <share>   share of prompts to send to the strong model, 0 to 1 (e.g. 0.5)
  --prompts <file>       calibrate on these prompts (.csv or .jsonl) instead of the manifest's quantile table
  --field <name>         the prompt field of --prompts (default prompt)
  --routers-dir <dir>    where trained routers' weights are (default public/routers)
  --seed <n>             seed for stochastic routers (default 0)`;

const OPTIONS = {
  router: { type: 'string' },
  'strong-pct': { type: 'string' },
  prompts: { type: 'string' },
  field: { type: 'string', default: 'prompt' },
  'routers-dir': { type: 'string' },
  seed: { type: 'string', default: '0' },
  help: { type: 'boolean', default: false },
} as const;

/** The quantile table stored in a manifest by `npm run train` (calibration.quantiles), or undefined. */
function manifestQuantiles(manifest: Readonly<Record<string, unknown>>): { quantiles: number[]; prompts: string } | undefined {
  const calibration = manifest['calibration'] as { quantiles?: unknown; prompts?: unknown } | undefined;
  const quantiles = calibration?.quantiles;
  if (!Array.isArray(quantiles) || !quantiles.every((value) => typeof value === 'number')) return undefined;
  return { quantiles, prompts: typeof calibration?.prompts === 'string' ? calibration.prompts : 'the calibration prompts' };
}

/** `npm run calibrate`: the threshold that sends a given share of prompts to the strong model. */
export async function calibrateCommand(argv: readonly string[], io: CommandIO): Promise<void> {
  const args = parseCommandArgs(argv, OPTIONS);
  if (args.help) {
    io.stdout.write(`${USAGE}\n`);
    return;
  }
  if (args.router === undefined || args['strong-pct'] === undefined) throw new InvalidInputError('Missing --router or --strong-pct (see --help).');
  const definition = defaultRegistry.get(args.router);
  const strongPct = parseNumberFlag(args['strong-pct'], '--strong-pct', { min: 0, max: 1 });
  const routersDir = path.resolve(args['routers-dir'] ?? DEFAULT_ROUTERS_DIR);

  if (args.prompts === undefined) {
    if (!definition.requires.includes('weights')) {
      throw new InvalidInputError(`Router '${definition.name}' has no manifest to calibrate from: pass --prompts <file>.`);
    }
    const { manifest } = await readRouterFolder(path.join(routersDir, definition.name));
    const stored = manifestQuantiles(manifest);
    if (!stored) throw new InvalidInputError(`The manifest of '${definition.name}' has no calibration quantiles: pass --prompts <file>, or retrain it.`);
    const threshold = thresholdFromQuantileTable(stored.quantiles, strongPct);
    io.stdout.write(`${threshold}\n`);
    io.stderr.write(`Threshold for '${definition.name}' at ${(strongPct * 100).toFixed(1)}% strong calls, from the manifest's quantiles of ${stored.prompts}.\n`);
    return;
  }

  const file = path.resolve(args.prompts);
  const records = await readRecords(file);
  requireFields(records, [args.field], file);
  const prompts = records.map((record, index) => {
    const prompt = record[args.field];
    if (typeof prompt !== 'string' || prompt.trim() === '') throw new InvalidInputError(`${file}, row ${index + 1}: field '${args.field}' is missing, empty or not text.`);
    return prompt;
  });
  const seed = parseNumberFlag(args.seed, '--seed', { min: 0, max: 2 ** 32 - 1, integer: true });
  const scores = await scoreWithRouter(definition, prompts, { routersDir, seed }, io.stderr);
  const threshold = thresholdForStrongPct(scores, strongPct);
  const share = scores.filter((score) => score >= threshold).length / scores.length;
  io.stdout.write(`${threshold}\n`);
  io.stderr.write(`Threshold for '${definition.name}' on ${prompts.length} prompts of ${path.basename(file)}: ${(share * 100).toFixed(1)}% go strong (asked ${(strongPct * 100).toFixed(1)}%).\n`);
}

export function main(argv: readonly string[], io: CommandIO = processIO): Promise<number> {
  return runCommand(calibrateCommand, argv, io);
}

if (isEntryPoint(import.meta.url)) process.exitCode = await main(process.argv.slice(2));

import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidInputError, defaultRegistry } from '../core/index.ts';
import { isEntryPoint, parseCommandArgs, parseNumberFlag, processIO, runCommand, type CommandIO } from './command.ts';
import { scoreWithRouter, weightsFolders, DEFAULT_ROUTERS_DIR, readRecords, requireFields } from '../node/index.ts';

const USAGE = `Usage: npm run score -- --router <name> --input <file.jsonl|csv> --field <prompt field> --out <file.jsonl> [options]
  --router <name>      one of: ${defaultRegistry.names().join(', ')}
  --weights <folder>   a trained router folder (npm run train --out); names the router, so --router may be left out
  --input <file>       prompts, one per row (.csv with a header, or .jsonl)
  --field <name>       the field holding the prompt text
  --out <file.jsonl>   one line per input row: {"prompt", "score"} (+ "model" with --threshold)
  --threshold <t>      also route: "strong" when score >= t, else "weak" (0 to 1)
  --seed <n>           seed for stochastic routers (default 0)
  --routers-dir <dir>  where trained routers' weights are (default public/routers)
  --causal-model <m>   causal-llm's LM: a Hub id or a model folder (default onnx-community/Qwen2.5-0.5B-Instruct)
  --allow-remote       let a model missing locally download from the Hugging Face Hub`;

const OPTIONS = {
  router: { type: 'string' },
  input: { type: 'string' },
  field: { type: 'string' },
  out: { type: 'string' },
  threshold: { type: 'string' },
  seed: { type: 'string', default: '0' },
  weights: { type: 'string' },
  'routers-dir': { type: 'string' },
  'causal-model': { type: 'string' },
  'allow-remote': { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

/** `npm run score`: a router's score for every prompt of a file, as JSON Lines. */
export async function scoreCommand(argv: readonly string[], io: CommandIO): Promise<void> {
  const args = parseCommandArgs(argv, OPTIONS);
  if (args.help) {
    io.stdout.write(`${USAGE}\n`);
    return;
  }
  const missing = (['router', 'input', 'field', 'out'] as const).filter(
    (flag) => args[flag] === undefined && !(flag === 'router' && args.weights !== undefined),
  );
  if (missing.length > 0)
    throw new InvalidInputError(`Missing ${missing.map((flag) => `--${flag}`).join(', ')} (see --help).`);
  const { input, field } = args as { input: string; field: string };
  const weightsDirs = await weightsFolders(args.weights === undefined ? [] : [args.weights]);
  const definition = defaultRegistry.get(routerOf(args.router, weightsDirs));
  const threshold =
    args.threshold === undefined ? undefined : parseNumberFlag(args.threshold, '--threshold', { min: 0, max: 1 });
  const seed = parseNumberFlag(args.seed, '--seed', { min: 0, max: 2 ** 32 - 1, integer: true });
  const outFile = path.resolve(args.out!);
  if (path.extname(outFile).toLowerCase() !== '.jsonl')
    throw new InvalidInputError(`--out must name a .jsonl file, got ${args.out}.`);

  const records = await readRecords(input);
  requireFields(records, [field], input);
  const prompts = records.map((record, index) => {
    const prompt = record[field];
    if (typeof prompt !== 'string')
      throw new InvalidInputError(`${input}, row ${index + 1}: field '${field}' is missing or not text.`);
    return prompt;
  });

  // Standalone scoring: no maxLength, so `length` uses its fixed normalisation and scores do not depend on the file.
  const resourceOptions = {
    routersDir: path.resolve(args['routers-dir'] ?? DEFAULT_ROUTERS_DIR),
    weightsDirs,
    seed,
    causalLm: {
      ...(args['causal-model'] === undefined ? {} : { model: args['causal-model'] }),
      allowRemoteModels: args['allow-remote'],
    },
  };
  const scores = await scoreWithRouter(definition, prompts, resourceOptions, io.stderr);

  const lines = prompts.map((prompt, index) => {
    const score = scores[index]!;
    const row =
      threshold === undefined ? { prompt, score } : { prompt, score, model: score >= threshold ? 'strong' : 'weak' };
    return `${JSON.stringify(row)}\n`;
  });
  // Written beside the target and renamed, so a failed run never leaves a half-written file under the real name.
  await mkdir(path.dirname(outFile), { recursive: true });
  const partial = `${outFile}.partial`;
  await writeFile(partial, lines.join(''));
  await rename(partial, outFile);
  const strongCount = threshold === undefined ? undefined : scores.filter((score) => score >= threshold).length;
  io.stdout.write(
    `Scored ${prompts.length} prompts with '${definition.name}' into ${outFile}` +
      (strongCount === undefined
        ? '.\n'
        : `; ${strongCount} (${((strongCount / prompts.length) * 100).toFixed(1)}%) go to the strong model at threshold ${threshold}.\n`),
  );
}

/** The router of `--router`, or of the `--weights` folder; both given, they must agree. */
export function routerOf(flag: string | undefined, weightsDirs: ReadonlyMap<string, string>): string {
  const [fromWeights] = weightsDirs.keys();
  if (flag !== undefined && fromWeights !== undefined && flag !== fromWeights) {
    throw new InvalidInputError(
      `--router ${flag} does not match --weights ${weightsDirs.get(fromWeights)}, a '${fromWeights}' router.`,
    );
  }
  return (flag ?? fromWeights)!;
}

/** Entry for tests and tools: runs `npm run score` with these arguments and returns its exit code. */
export function main(argv: readonly string[], io: CommandIO = processIO): Promise<number> {
  return runCommand(scoreCommand, argv, io);
}

if (isEntryPoint(import.meta.url)) process.exitCode = await main(process.argv.slice(2));

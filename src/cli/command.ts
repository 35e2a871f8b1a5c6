import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { errorMessage, InvalidInputError, RouteError } from '../core/index.ts';
import type { ProgressStream } from '../node/index.ts';

/** Where a command reads its environment and writes its output: the process, or a test's capture. */
export interface CommandIO {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: ProgressStream;
  readonly env: NodeJS.ProcessEnv;
}

export const processIO: CommandIO = { stdout: process.stdout, stderr: process.stderr, env: process.env };

/** A command body: arguments in, output through `io`; it throws on failure (runCommand turns that into exit code 1). */
export type Command = (argv: readonly string[], io: CommandIO) => Promise<void>;

/**
 * Runs a command and turns any failure into one line on stderr and exit code 1. Bad input (a RouteError) gets
 * just its sentence; anything else is a bug in this program, so its stack trace follows.
 */
export async function runCommand(command: Command, argv: readonly string[], io: CommandIO): Promise<number> {
  try {
    await command(argv, io);
    return 0;
  } catch (error) {
    if (error instanceof RouteError) {
      io.stderr.write(`error: ${error.message}\n`);
    } else {
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      io.stderr.write(`error: unexpected failure: ${detail}\n`);
    }
    return 1;
  }
}

/** True when the module at `moduleUrl` is the script Node was started with (not imported by a test or tool). */
export function isEntryPoint(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === moduleUrl;
  } catch {
    return false;
  }
}

/** What parseArgs gives for these options in strict mode, named so that declaration files can say it. */
type ParsedFlags<Options extends NonNullable<ParseArgsConfig['options']>> = ReturnType<
  typeof parseArgs<{ args: string[]; options: Options; strict: true; allowPositionals: false }>
>['values'];

/** node:util parseArgs in strict mode, with its errors (unknown flag, missing value) as bad input. */
export function parseCommandArgs<Options extends NonNullable<ParseArgsConfig['options']>>(
  argv: readonly string[],
  options: Options,
): ParsedFlags<Options> {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new InvalidInputError(`${errorMessage(error).split('\n')[0]} (see --help).`);
  }
}

/** Splits a comma-separated flag value (`length,random`), rejecting empty and repeated entries. */
export function splitList(value: string, flag: string): string[] {
  const items = value.split(',').map((item) => item.trim());
  if (items.some((item) => item === '')) throw new InvalidInputError(`${flag} has an empty entry: '${value}'.`);
  const repeated = items.find((item, index) => items.indexOf(item) !== index);
  if (repeated !== undefined) throw new InvalidInputError(`${flag} lists '${repeated}' twice.`);
  return items;
}

/** A number flag within a range, or a clear error naming the flag. */
export function parseNumberFlag(
  value: string,
  flag: string,
  range: { min: number; max: number; integer?: boolean },
): number {
  const number = Number(value);
  if (
    value.trim() === '' ||
    !Number.isFinite(number) ||
    number < range.min ||
    number > range.max ||
    (range.integer && !Number.isInteger(number))
  ) {
    const kind = range.integer ? 'an integer' : 'a number';
    throw new InvalidInputError(`${flag} must be ${kind} from ${range.min} to ${range.max}, got '${value}'.`);
  }
  return number;
}

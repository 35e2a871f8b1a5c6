import type { CommandIO } from '../../src/cli/command.ts';

/** A CommandIO that records what a command prints, with a chosen environment. */
export function captureIO(env: NodeJS.ProcessEnv = process.env): CommandIO & { out: () => string; err: () => string } {
  let stdout = '';
  let stderr = '';
  return {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
    env,
    out: () => stdout,
    err: () => stderr,
  };
}

/** A progress line as a command writes it when stderr is not a terminal (formatProgress). */
export const PROGRESS_LINE = /^.+ \[[#.]+\] +\d+% [\d,]+\/[\d,]+ [\d.]+s$/;

/** Stderr without progress lines (what a command says besides its progress). */
export function messages(stderr: string): string {
  return stderr
    .split('\n')
    .filter((line) => !PROGRESS_LINE.test(line))
    .join('\n');
}

/**
 * Runs a CLI's main() in process and returns its exit code, stdout, its stderr's non-empty lines other than progress
 * lines, and the progress lines.
 */
export async function runMain(
  main: (argv: readonly string[], io: CommandIO) => Promise<number>,
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
) {
  const io = captureIO(env);
  const code = await main(argv, io);
  return {
    code,
    out: io.out(),
    errLines: io
      .err()
      .split('\n')
      .filter((line) => line !== '' && !PROGRESS_LINE.test(line)),
    progressLines: io
      .err()
      .split('\n')
      .filter((line) => PROGRESS_LINE.test(line)),
  };
}

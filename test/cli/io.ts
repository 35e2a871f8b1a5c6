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

/** Runs a CLI's main() in process and returns its exit code, stdout, and its stderr as non-empty lines. */
export async function runMain(main: (argv: readonly string[], io: CommandIO) => Promise<number>, argv: string[], env: NodeJS.ProcessEnv = process.env) {
  const io = captureIO(env);
  const code = await main(argv, io);
  return {
    code,
    out: io.out(),
    errLines: io
      .err()
      .split('\n')
      .filter((line) => line !== ''),
  };
}

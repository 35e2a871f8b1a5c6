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

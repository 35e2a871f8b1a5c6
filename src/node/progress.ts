/** The part of a stream a progress bar writes to (process.stderr in a terminal). */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressBar {
  /** Reports progress; redraws at most every `intervalMs`, and always on the last item. */
  update(done: number, total: number): void;
  /** Clears the bar's line so the next output starts clean. */
  finish(): void;
}

const BAR_WIDTH = 30;

/** One line: `label [#########.........] 45% 6,300/14,037 1.2s`. */
export function formatProgress(label: string, done: number, total: number, elapsedMs: number): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = '#'.repeat(filled) + '.'.repeat(BAR_WIDTH - filled);
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const count = `${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}`;
  return `${label} [${bar}] ${percent} ${count} ${(elapsedMs / 1000).toFixed(1)}s`;
}

/**
 * A progress bar on one terminal line. On anything but a terminal (CI logs, pipes, tests) it writes nothing:
 * a log full of redraws helps no one, and the command's own output says what was done.
 */
export function createProgressBar(label: string, stream: ProgressStream, intervalMs = 100): ProgressBar {
  const started = performance.now();
  let lastDraw = -Infinity;
  let drawn = false;
  return {
    update(done, total) {
      if (!stream.isTTY) return;
      const now = performance.now();
      if (done < total && now - lastDraw < intervalMs) return;
      lastDraw = now;
      drawn = true;
      const line = formatProgress(label, done, total, now - started);
      stream.write(`\r${line.slice(0, (stream.columns ?? 120) - 1)}\u001b[K`);
    },
    finish() {
      if (drawn) stream.write('\r\u001b[K');
    },
  };
}

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

/** How often a progress line is written when the stream is not a terminal (a log file, CI, nohup). */
export const LOG_INTERVAL_MS = 5_000;

/**
 * A progress bar on one terminal line. On anything but a terminal (a log file, CI, a pipe) it writes whole lines
 * instead: one when the task starts, one every `logIntervalMs` while it runs, and one when it completes, so a long
 * run in a log still says what it is doing.
 */
export function createProgressBar(
  label: string,
  stream: ProgressStream,
  intervalMs = 100,
  logIntervalMs = LOG_INTERVAL_MS,
): ProgressBar {
  const started = performance.now();
  let lastDraw = -Infinity;
  let drawn = false;
  let completed = false;
  return {
    update(done, total) {
      const now = performance.now();
      if (!stream.isTTY) {
        if (completed || (done < total && now - lastDraw < logIntervalMs)) return;
        lastDraw = now;
        completed = done >= total;
        stream.write(`${formatProgress(label, done, total, now - started)}\n`);
        return;
      }
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

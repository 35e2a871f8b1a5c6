import { describe, expect, it } from 'vitest';
import { createProgressBar, formatProgress } from '../../src/node/progress.ts';

describe('progress bar', () => {
  it('formats label, bar, percent, counts and elapsed time', () => {
    expect(formatProgress('scoring mmlu/length', 7_000, 14_000, 1_234)).toBe(
      `scoring mmlu/length [${'#'.repeat(15)}${'.'.repeat(15)}]  50% 7,000/14,000 1.2s`,
    );
    expect(formatProgress('x', 0, 0, 0)).toContain('100%');
  });

  it('draws on a terminal and clears its line when finished', () => {
    let written = '';
    const bar = createProgressBar('job', { write: (text: string) => (written += text), isTTY: true, columns: 200 }, 0);
    bar.update(1, 2);
    bar.update(2, 2);
    bar.finish();
    expect(written).toContain('job [');
    expect(written).toContain('100% 2/2');
    expect(written.endsWith('\r\u001b[K')).toBe(true);
  });

  it('writes whole lines when output is not a terminal: at the start, every interval, and on completion', async () => {
    let written = '';
    const stream = { write: (text: string) => (written += text), isTTY: false };
    const quiet = createProgressBar('job', stream, 100, 60_000);
    quiet.update(1, 4);
    quiet.update(2, 4);
    quiet.update(4, 4);
    quiet.update(4, 4);
    quiet.finish();
    expect(written.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(/^job \[.*\] {2}25% 1\/4 /),
      expect.stringMatching(/^job \[.*\] 100% 4\/4 /),
    ]);
    expect(written.includes('\r') || written.includes('\u001b')).toBe(false);

    written = '';
    const chatty = createProgressBar('job', stream, 100, 1);
    chatty.update(1, 4);
    await new Promise((resolve) => setTimeout(resolve, 5));
    chatty.update(2, 4);
    chatty.update(3, 4);
    expect(
      written
        .split('\n')
        .filter(Boolean)
        .map((line) => line.match(/\d\/4/)![0]),
    ).toEqual(['1/4', '2/4']);
  });
});

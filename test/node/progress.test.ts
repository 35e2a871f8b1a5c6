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

  it('writes nothing when output is not a terminal', () => {
    let written = '';
    const bar = createProgressBar('job', { write: (text: string) => (written += text), isTTY: false });
    bar.update(1, 1);
    bar.finish();
    expect(written).toBe('');
  });
});

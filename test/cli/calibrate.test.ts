import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/calibrate.ts';
import { resolveSharedDir } from '../../src/node/paths.ts';
import { captureIO, messages } from './io.ts';

async function routersDir(manifest: object): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'routers-'));
  await mkdir(path.join(dir, 'knn-gain'));
  await writeFile(path.join(dir, 'knn-gain', 'manifest.json'), JSON.stringify({ files: {}, ...manifest }));
  return dir;
}

describe('npm run calibrate', () => {
  it('reads the threshold for a strong-call share from the manifest quantiles', async () => {
    const dir = await routersDir({
      calibration: { prompts: 'test prompts', quantiles: Array.from({ length: 101 }, (_, index) => index / 100) },
    });
    const io = captureIO();
    expect(await main(['--router', 'knn-gain', '--strong-pct', '0.3', '--routers-dir', dir], io)).toBe(0);
    expect(Number(io.out())).toBeCloseTo(0.7, 12);
    expect(io.err()).toMatch(/30\.0% strong calls, from the manifest's quantiles of test prompts/);
  });

  it('scores a prompt file for routers without a manifest', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'prompts-'));
    await writeFile(
      path.join(dir, 'p.jsonl'),
      ['a', 'bb', 'ccc', 'dddd'].map((prompt) => JSON.stringify({ prompt })).join('\n'),
    );
    const io = captureIO();
    expect(await main(['--router', 'length', '--strong-pct', '0.5', '--prompts', path.join(dir, 'p.jsonl')], io)).toBe(
      0,
    );
    expect(Number(io.out())).toBeCloseTo((2 / 502 + 3 / 503) / 2, 12);
    expect(io.err()).toMatch(/on 4 prompts of p\.jsonl: 50\.0% go strong/);
  });

  it('scores the calibration set for a router without a manifest when no prompts are given', async () => {
    const io = captureIO();
    expect(await main(['--router', 'length', '--strong-pct', '0.25'], io)).toBe(0);
    const threshold = Number(io.out());
    expect(messages(io.err())).toMatch(
      /^Threshold for 'length' on 725 prompts of AlpacaEval instructions outside the reserved 'vicuna' subset .*: 25\.\d% go strong \(asked 25\.0%\)\.\n$/,
    );
    // Checked against the data itself: a quarter of the non-vicuna instructions score at or above it (length / (length + 500)).
    const lines = (
      await readFile(path.join(resolveSharedDir(undefined), 'data/alpaca-eval/instructions.jsonl'), 'utf8')
    )
      .trim()
      .split('\n');
    const lengths = lines
      .map((line) => JSON.parse(line) as { instruction: string; dataset: string })
      .filter((row) => row.dataset !== 'vicuna')
      .map((row) => row.instruction.length);
    expect(lengths).toHaveLength(725);
    const strong = lengths.filter((length) => length / (length + 500) >= threshold).length;
    // thresholdForStrongPct sends at least the share asked; ties at the threshold add a few.
    expect(strong / 725).toBeGreaterThanOrEqual(0.25);
    expect(strong / 725).toBeLessThan(0.26);
  });

  it('fails with one line on bad input', async () => {
    const cases: [string[], RegExp][] = [
      [['--router', 'knn-gain'], /Missing --router or --strong-pct/],
      [['--router', 'knn-gain', '--strong-pct', '1.5'], /--strong-pct must be a number from 0 to 1/],
      [['--router', 'length', '--strong-pct', '0.5', '--data', '/no/such/folder'], /Data folder not found/],
      [
        ['--router', 'length', '--strong-pct', '0.5', '--prompts', 'p.jsonl', '--data', '/tmp'],
        /--data locates the calibration set; it is not used with --prompts/,
      ],
      [
        ['--router', 'knn-gain', '--strong-pct', '0.5', '--routers-dir', await routersDir({})],
        /has no calibration quantiles/,
      ],
      [['--router', 'nope', '--strong-pct', '0.5'], /Unknown router 'nope'/],
    ];
    for (const [argv, message] of cases) {
      const io = captureIO();
      expect(await main(argv, io)).toBe(1);
      expect(io.err()).toMatch(message);
      expect(io.err().trim().split('\n')).toHaveLength(1);
    }
  });
});

import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/calibrate.ts';
import { captureIO } from './io.ts';

async function routersDir(manifest: object): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'routers-'));
  await mkdir(path.join(dir, 'knn-gain'));
  await writeFile(path.join(dir, 'knn-gain', 'manifest.json'), JSON.stringify({ files: {}, ...manifest }));
  return dir;
}

describe('npm run calibrate', () => {
  it('reads the threshold for a strong-call share from the manifest quantiles', async () => {
    const dir = await routersDir({ calibration: { prompts: 'test prompts', quantiles: Array.from({ length: 101 }, (_, index) => index / 100) } });
    const io = captureIO();
    expect(await main(['--router', 'knn-gain', '--strong-pct', '0.3', '--routers-dir', dir], io)).toBe(0);
    expect(Number(io.out())).toBeCloseTo(0.7, 12);
    expect(io.err()).toMatch(/30\.0% strong calls, from the manifest's quantiles of test prompts/);
  });

  it('scores a prompt file for routers without a manifest', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'prompts-'));
    await writeFile(path.join(dir, 'p.jsonl'), ['a', 'bb', 'ccc', 'dddd'].map((prompt) => JSON.stringify({ prompt })).join('\n'));
    const io = captureIO();
    expect(await main(['--router', 'length', '--strong-pct', '0.5', '--prompts', path.join(dir, 'p.jsonl')], io)).toBe(0);
    expect(Number(io.out())).toBeCloseTo((2 / 502 + 3 / 503) / 2, 12);
    expect(io.err()).toMatch(/on 4 prompts of p\.jsonl: 50\.0% go strong/);
  });

  it('fails with one line on bad input', async () => {
    const cases: [string[], RegExp][] = [
      [['--router', 'knn-gain'], /Missing --router or --strong-pct/],
      [['--router', 'knn-gain', '--strong-pct', '1.5'], /--strong-pct must be a number from 0 to 1/],
      [['--router', 'length', '--strong-pct', '0.5'], /no manifest to calibrate from: pass --prompts/],
      [['--router', 'knn-gain', '--strong-pct', '0.5', '--routers-dir', await routersDir({})], /has no calibration quantiles/],
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

import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/train.ts';
import { captureIO } from './io.ts';

describe('npm run train', () => {
  it('lists the trainable routers in its usage', async () => {
    const io = captureIO();
    expect(await main(['--help'], io)).toBe(0);
    expect(io.out()).toMatch(/classifier, knn-gain, mf, sw-ranking/);
  });

  it('fails with one line on bad input, before loading anything', async () => {
    const cases: [string[], RegExp][] = [
      [['--router', 'mf'], /Missing --router or --out/],
      [['--router', 'length', '--out', 'x'], /Router 'length' cannot be trained here/],
      [['--router', 'mf', '--out', 'x', '--seed', '1.5'], /--seed must be an integer/],
      [['--router', 'mf', '--out', 'x', '--sources', 'arena'], /Unknown source 'arena'/],
      [['--router', 'mf', '--out', 'x', '--golden', 'g.csv'], /--golden needs --golden-strong and --golden-weak/],
      [['--router', 'mf', '--out', 'x', '--data', '/no/such/folder'], /Data folder not found/],
      [['--router', 'classifier', '--out', 'x', '--no-build', '--data', '/no/such/folder'], /Data folder not found/],
    ];
    for (const [argv, message] of cases) {
      const io = captureIO();
      expect(await main(argv, io)).toBe(1);
      expect(io.err()).toMatch(message);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/train.ts';
import { captureIO } from './io.ts';

describe('npm run train', () => {
  it('lists the trainable routers in its usage', async () => {
    const io = captureIO();
    expect(await main(['--help'], io)).toBe(0);
    expect(io.out()).toMatch(/classifier, irt, knn-gain, mf, sw-ranking/);
  });

  it('fails with one line on bad input, before loading anything', async () => {
    const cases: [string[], RegExp][] = [
      [['--router', 'mf'], /Missing --router or --out/],
      [['--router', 'length', '--out', 'x'], /Router 'length' cannot be trained here/],
      [['--router', 'mf', '--out', 'x', '--seed', '1.5'], /--seed must be an integer/],
      [['--router', 'mf', '--out', 'x', '--sources', 'arena'], /Unknown source 'arena'/],
      [
        ['--router', 'mf', '--out', 'x', '--sources', 'none'],
        /--sources none trains on your files alone: pass --golden or --battles/,
      ],
      [
        ['--router', 'mf', '--out', 'x', '--golden', 'g.csv', '--test', 't.csv', '--holdout', '0.2'],
        /--test and --holdout are two ways to test: choose one/,
      ],
      [['--router', 'mf', '--out', 'x', '--golden', 'g.csv', '--holdout', '1.5'], /--holdout must be/],
      [['--router', 'mf', '--out', 'x', '--holdout', '0.2'], /--holdout splits your training file/],
      [['--router', 'mf', '--out', 'x', '--models', 'a,b'], /--models names more columns of --golden/],
      [
        ['--router', 'mf', '--out', 'x', '--sources', 'none', '--golden', 'no-such.csv'],
        /Cannot read .*no-such\.csv: no such file/,
      ],
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

import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/eval.ts';
import { runMain } from './io.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'routellm-eval-multi-'));
const run = (argv: string[]) => runMain(main, argv);

describe('npm run eval -- --multi', () => {
  it('prints every priced model, the router and the oracle, and writes summary.json and a plot per dataset', async () => {
    const out = path.join(dir, 'results');
    const { code, out: printed, errLines } = await run(['--multi', '--datasets', 'zeroeval-math', '--out', out]);
    expect(errLines).toEqual([]);
    expect(code).toBe(0);
    // The test split of MATH level 5 (147 of 721 problems), the 13 models the price table prices.
    expect(printed).toMatch(/^zeroeval-math: ZeroEval MATH level 5, 147 test prompts \(574 train\), 13 priced models/m);
    expect(printed).toMatch(/^ {2}gpt-4o-mini-2024-07-18 +0\.1878 +0\.578 +best$/m);
    expect(printed).toMatch(/left out, no price: .*o1-mini-2024-09-12/);
    // The prior routes every prompt to one model: no saving at the best model's quality.
    expect(printed).toContain("router (prior): AIQ 0.578 (single models' hull 0.578)");
    expect(printed).toContain('(0.0% saved vs $0.1878)');
    expect(printed).toContain('oracle: quality 0.816 at $0.4399 per 1,000');
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(summary.datasets[0]).toMatchObject({ dataset: 'zeroeval-math', testPrompts: 147 });
    expect(summary.datasets[0].router.savedAtBestQuality).toBeCloseTo(0, 9);
    expect(readFileSync(path.join(out, 'zeroeval-math.svg'), 'utf8')).toContain('Expected cost per 1,000 requests');
  });

  it('holds a model out with the prior and reports both runs', async () => {
    const { code, out: printed } = await run([
      '--multi',
      '--datasets',
      'zeroeval-crux',
      '--hold-out-model',
      'gpt-4o-2024-05-13',
      '--out',
      path.join(dir, 'held-out'),
    ]);
    expect(code).toBe(0);
    expect(printed).toContain('router (prior, gpt-4o-2024-05-13 held out, mapped by published score)');
    expect(printed).toMatch(/saved, model held out/);
  });

  it('--pairs scores two-model routers on pairs of the best model with weaker ones, marking what they trained on', async () => {
    const out = path.join(dir, 'pairs');
    const { code, out: printed } = await run([
      '--pairs',
      '--datasets',
      'zeroeval-math',
      '--routers',
      'length,knn-gain',
      '--bootstrap',
      '0',
      '--out',
      out,
    ]);
    expect(code).toBe(0);
    // 13 priced models: the best against ranks 3, 6 and 9, but rank 3's published score is within MIN_PAIR_GAP of
    // gpt-4o's, so two pairs; knn-gain trained on ZeroEval MATH's golden rows, this split's included.
    expect(printed).toMatch(/^zeroeval-math-p50 +147 +0\.465 +\d\.\d{3}\* +\d\.\d{3} +gpt-4o-2024-05-13 vs /m);
    expect(printed).toMatch(/^zeroeval-math-p75 +147 +0\.480 +\d\.\d{3}\* /m);
    expect(printed).toMatch(/^mean \(held out\) +0\.47\d +n\/a /m);
    expect(printed).toContain("* trained on this dataset's prompts and labels");
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(Object.keys(summary)).toEqual(expect.arrayContaining(['zeroeval-math-p50', 'zeroeval-math-p75']));
  });

  for (const [what, argv, message] of [
    [
      'an unknown dataset',
      ['--multi', '--datasets', 'nope'],
      /^error: Unknown dataset 'nope'\. Known datasets: mmlu-pro, /,
    ],
    [
      'a router that predicts no model qualities',
      ['--multi', '--predictor', 'length'],
      /^error: Router 'length' does not predict each model's quality/,
    ],
    [
      '--datasets without --multi or --pairs',
      ['--datasets', 'mmlu-pro'],
      /^error: --datasets is only used with --multi or --pairs\.$/,
    ],
    ['--multi and --pairs together', ['--multi', '--pairs'], /^error: Use either --multi or --pairs\.$/],
    [
      '--benchmarks with --pairs',
      ['--pairs', '--benchmarks', 'mmlu'],
      /^error: --benchmarks is not used with --pairs: choose --datasets\.$/,
    ],
    [
      '--benchmarks with --pairs, even the default list',
      ['--pairs', '--benchmarks', 'mt-bench,mmlu,gsm8k'],
      /^error: --benchmarks is not used with --pairs: choose --datasets\.$/,
    ],
  ] as const) {
    it(`fails with one clear line for ${what}`, async () => {
      const { code, errLines } = await run([...argv, '--out', path.join(dir, 'never')]);
      expect(code).toBe(1);
      expect(errLines).toHaveLength(1);
      expect(errLines[0]).toMatch(message);
      expect(existsSync(path.join(dir, 'never'))).toBe(false);
    });
  }
});

/**
 * The explorer's data as scripts/build-demo-data.ts writes it from the shared benchmark results, read back the way
 * <benchmark-explorer> reads it: the same core evaluation must reproduce the golden length-router metrics.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateRouter } from '../../src/core/evaluate.ts';
import { defaultRegistry } from '../../src/core/routers.ts';
import { DEFAULT_SHARED_DIR, ROUTELLM_EVALS_SUBDIR } from '../../src/node/paths.ts';
import { benchmarkOf } from '../../src/elements/benchmark-analysis.ts';
import {
  DEMO_DATA_VERSION,
  formatScoringProgress,
  type DemoBenchmarkFile,
  type DemoIndex,
} from '../../src/elements/demo-data.ts';
import { buildDemoData } from '../../scripts/build-demo-data.ts';

let out: string;
let routersDir: string;
const output: string[] = [];
const io = {
  stdout: { write: (text: string) => output.push(text) },
  stderr: { write: () => true, isTTY: false },
  env: {},
};
// The baselines only: learned routers' scoring of MMLU takes minutes, and is the trainers' tests' business.
const build = (...flags: string[]) =>
  buildDemoData(
    ['--data', DEFAULT_SHARED_DIR, '--out', out, '--routers-dir', routersDir, '--routers', 'length,random', ...flags],
    io,
  );
const read = async <T>(file: string) => JSON.parse(await readFile(path.join(out, file), 'utf8')) as T;

beforeAll(async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'demo-data-'));
  out = path.join(root, 'demo-data');
  routersDir = path.join(root, 'routers');
  await build();
});

afterAll(async () => {
  await rm(path.dirname(out), { recursive: true, force: true });
});

describe('build-demo-data', () => {
  it('writes an index of the benchmarks and routers, naming where the data came from', async () => {
    const index = await read<DemoIndex>('index.json');
    expect(index.version).toBe(DEMO_DATA_VERSION);
    expect(index.source).toContain(DEFAULT_SHARED_DIR);
    expect(index.benchmarks.map((benchmark) => [benchmark.name, benchmark.n, benchmark.hasAnswers])).toEqual([
      ['mt-bench', 72, false],
      ['mmlu', expect.any(Number), false],
      ['gsm8k', expect.any(Number), true],
      ['alpaca-eval', 80, true],
    ]);
    expect(index.routers).toEqual([
      expect.objectContaining({ name: 'length', source: 'browser' }),
      expect.objectContaining({ name: 'random', source: 'browser' }),
    ]);
  });

  it("reproduces the golden length-router metrics through core's evaluation, as the page computes them", async () => {
    const golden = JSON.parse(
      await readFile(path.join(DEFAULT_SHARED_DIR, ROUTELLM_EVALS_SUBDIR, 'golden-length-router.json'), 'utf8'),
    ) as Record<string, { APGR: number; 'CPT(50%)': number }>;
    for (const name of ['mt-bench', 'gsm8k']) {
      const file = await read<DemoBenchmarkFile>(`${name}.json`);
      const evaluation = await evaluateRouter(defaultRegistry.get('length'), benchmarkOf(file));
      expect(evaluation.apgr, name).toBeCloseTo(golden[name]!.APGR, 6);
      expect(evaluation.cpt[50], name).toBeCloseTo(golden[name]!['CPT(50%)'], 6);
    }
  });

  it('carries both recorded answers where the data has them, and AlpacaEval qualities as win rates against the strong model', async () => {
    const gsm8k = await read<DemoBenchmarkFile>('gsm8k.json');
    const answered = gsm8k.items.filter((item) => item.answers);
    expect(answered.length).toBe(gsm8k.items.length);
    expect(gsm8k.items.every((item) => [0, 100].includes(item.weak) && [0, 100].includes(item.strong))).toBe(true);
    const alpaca = await read<DemoBenchmarkFile>('alpaca-eval.json');
    expect(alpaca.qualityKind).toBe('preference');
    expect(
      alpaca.items.every(
        (item) =>
          item.strong === 50 &&
          item.weak >= 0 &&
          item.weak <= 100 &&
          item.answers?.every((answer) => answer.length > 0),
      ),
    ).toBe(true);
  });

  it('lists a learned router without weights as unavailable, saying how to train it', async () => {
    const other = `${out}-mf`;
    await buildDemoData(
      ['--data', DEFAULT_SHARED_DIR, '--out', other, '--routers-dir', routersDir, '--routers', 'length,mf'],
      io,
    );
    const index = JSON.parse(await readFile(path.join(other, 'index.json'), 'utf8')) as DemoIndex;
    expect(index.routers.find((router) => router.name === 'mf')).toMatchObject({
      source: 'unavailable',
      note: expect.stringContaining('npm run train -- --router mf'),
    });
    await rm(other, { recursive: true, force: true });
  });

  it('does nothing when no input changed, and rebuilds with --force', async () => {
    output.length = 0;
    await build();
    expect(output.join('')).toMatch(/is up to date/);
    output.length = 0;
    await build('--force');
    expect(output.join('')).toMatch(
      /^Wrote .* MT-Bench 72, MMLU \(held out\) \d+, GSM8K \d+, AlpacaEval \(vicuna\) 80 prompts/,
    );
  });

  it('fails with one sentence naming --data and ROUTELLM_DATA when the data folder is missing', async () => {
    await expect(buildDemoData(['--data', '/nonexistent/shared', '--out', out], io)).rejects.toThrow(
      /Point --data or ROUTELLM_DATA at the shared folder/,
    );
  });
});

describe('formatScoringProgress', () => {
  it('gives the count and the time left in seconds, then minutes, and says when there is no estimate yet', () => {
    const progress = { router: 'mf', benchmark: 'MMLU', done: 3200, total: 12537 };
    expect(formatScoringProgress({ ...progress, etaSeconds: 130 })).toBe('3,200 of 12,537 prompts, about 2 min left');
    expect(formatScoringProgress({ ...progress, etaSeconds: 0.2 })).toBe('3,200 of 12,537 prompts, about 1 s left');
    expect(formatScoringProgress({ ...progress, etaSeconds: null })).toBe(
      '3,200 of 12,537 prompts, estimating the time left',
    );
  });
});

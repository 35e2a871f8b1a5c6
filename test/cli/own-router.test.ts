import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main as calibrate } from '../../src/cli/calibrate.ts';
import { main as evaluate } from '../../src/cli/eval.ts';
import { main as score } from '../../src/cli/score.ts';
import { main as train } from '../../src/cli/train.ts';
import { readRouterFolder } from '../../src/node/router-weights.ts';
import { userGoldenCsv } from '../training/user-golden-fixture.ts';
import { runMain } from './io.ts';

/**
 * Issue 17 end to end: a router trained on a user's CSV alone (--sources none), checked on the user's test file,
 * loaded back by path in eval, score and calibrate; bad files refused; interrupted runs leave the old folder intact.
 */
let dir: string;
let trainCsv: string;
let testCsv: string;
let out: string;
let firstRun: Awaited<ReturnType<typeof runMain>>;

const trainArgs = () => [
  '--router',
  'knn-gain',
  '--out',
  out,
  '--sources',
  'none',
  '--golden',
  trainCsv,
  '--test',
  testCsv,
];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'own-router-'));
  trainCsv = path.join(dir, 'train.csv');
  testCsv = path.join(dir, 'test.csv');
  out = path.join(dir, 'my-router');
  await writeFile(trainCsv, userGoldenCsv(160, 1));
  await writeFile(testCsv, userGoldenCsv(60, 2));
  firstRun = await runMain(train, [...trainArgs(), '--license', 'CC-BY-4.0']);
}, 240_000);

describe('npm run train on your own data', () => {
  it('trains on the user file alone, for the pair in it, keeping test prompts and near-duplicates out', async () => {
    expect(firstRun.errLines).toEqual([]);
    expect(firstRun.code).toBe(0);
    expect(firstRun.out).toMatch(/for big-model vs small-model/);
    const { manifest } = await readRouterFolder(out);
    expect(manifest['pair']).toEqual({ strong: 'big-model', weak: 'small-model' });
    const data = manifest['data'] as {
      sources: string[];
      report: {
        read: Record<string, number>;
        heldOut: { exact: number; nearDuplicate: number };
        kept: Record<string, number>;
      };
    };
    expect(data.sources).toEqual([]);
    expect(data.report.read).toEqual({ 'user golden rows': 160 });
    const { exact, nearDuplicate } = data.report.heldOut;
    expect(data.report.kept['user-golden']).toBe(160 - exact - nearDuplicate);
    expect(firstRun.out).toContain(
      `removed from training: ${exact} exact copies, ${nearDuplicate} near-duplicates (cosine >= 0.95)`,
    );
    expect(manifest['parameters']).toMatchObject({ families: ['user'] });
  });

  it('evaluates on the test file next to length, random and the oracle, and records it', async () => {
    const { manifest } = await readRouterFolder(out);
    const test = manifest['test'] as {
      prompts: number;
      results: Record<string, { APGR: number; bootstrap?: { low: number; high: number } }>;
      oracle: number;
    };
    expect(test.prompts).toBe(60);
    expect(Object.keys(test.results)).toEqual(['knn-gain', 'length', 'random']);
    const knn = test.results['knn-gain']!;
    expect(knn.bootstrap!.low).toBeLessThanOrEqual(knn.APGR);
    expect(knn.bootstrap!.high).toBeGreaterThanOrEqual(knn.APGR);
    // The fixture's weak model fails on calculus whatever the length: learning the topic beats both baselines.
    expect(knn.APGR).toBeGreaterThan(test.results['random']!.APGR + 0.15);
    expect(knn.APGR).toBeGreaterThan(test.results['length']!.APGR);
    expect(test.oracle).toBeGreaterThan(knn.APGR);
    expect(firstRun.out).toMatch(
      /On your test \(the test file, 60 prompts of test\.csv\):\n {2}knn-gain +APGR 0\.\d{3} {2}\(95% bootstrap/,
    );
    const svg = await readFile(path.join(out, 'test.svg'), 'utf8');
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('knn-gain (APGR');
  });

  it('writes a model card and a licence from what the user declared, not CC BY-NC', async () => {
    const card = await readFile(path.join(out, 'README.md'), 'utf8');
    expect(card).toContain('Strong model: big-model; weak model: small-model.');
    expect(card).toContain('| user golden rows | 160 |');
    expect(card).toMatch(/\| \*\*knn-gain\*\* \(this router\) \| 0\.\d{3} \| 0\.\d{3}-[01]\.\d{3} \|/);
    expect(card).toContain('## Intended use');
    const licence = await readFile(path.join(out, 'LICENSE.md'), 'utf8');
    expect(licence).toContain('- train.csv: CC-BY-4.0');
    expect(licence).not.toContain('BY-NC');
    const { manifest } = await readRouterFolder(out);
    expect(manifest['license']).toMatch(/^CC-BY-4\.0: the licence declared for train\.csv/);
    // The card and the licence are not weight files: a reader does not fetch them.
    expect(Object.keys(manifest['files'] as object)).toEqual(['weights.bin']);
  });

  it('prints progress as whole lines when stderr is not a terminal', () => {
    const stages = firstRun.progressLines.map((line) => line.replace(/ \[.*$/, ''));
    expect(stages).toEqual(
      expect.arrayContaining([
        'embedding training prompts',
        'cross-validating knn-gain',
        'scoring test/knn-gain',
        'scoring calibration prompts',
        'writing the router folder',
      ]),
    );
    expect(firstRun.progressLines.at(-1)).toMatch(/^writing the router folder \[#+\] 100% 1\/1 /);
  });

  it('loads the folder by path in eval, score and calibrate (--weights), with the same numbers as training', async () => {
    const results = path.join(dir, 'eval');
    const evaluated = await runMain(evaluate, [
      '--weights',
      out,
      '--benchmarks',
      'custom',
      '--input',
      testCsv,
      '--weak-field',
      'small-model',
      '--strong-field',
      'big-model',
      '--out',
      results,
    ]);
    expect(evaluated.errLines).toEqual([]);
    expect(evaluated.code).toBe(0);
    const summary = JSON.parse(await readFile(path.join(results, 'summary.json'), 'utf8'));
    expect(Object.keys(summary['custom'])).toEqual(['length', 'random', 'knn-gain']);
    const { manifest } = await readRouterFolder(out);
    const test = manifest['test'] as { results: Record<string, { APGR: number }> };
    expect(summary['custom']['knn-gain'].APGR).toBeCloseTo(test.results['knn-gain']!.APGR, 12);

    const scores = path.join(dir, 'scores.jsonl');
    const scored = await runMain(score, [
      '--weights',
      out,
      '--input',
      testCsv,
      '--field',
      'prompt',
      '--out',
      scores,
      '--threshold',
      '0.5',
    ]);
    expect(scored.code).toBe(0);
    expect(scored.out).toMatch(/^Scored 60 prompts with 'knn-gain'/);
    const lines = (await readFile(scores, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { prompt: string; score: number; model: string });
    expect(lines).toHaveLength(60);
    const calculus = lines.filter((line) => /derivative|integral|limit|series|Taylor|Jacobian/.test(line.prompt));
    expect(calculus.filter((line) => line.model === 'strong').length).toBeGreaterThan(calculus.length * 0.7);

    const calibrated = await runMain(calibrate, ['--weights', out, '--strong-pct', '0.5']);
    expect(calibrated.code).toBe(0);
    expect(Number(calibrated.out.trim())).toBeGreaterThan(0);
    expect(calibrated.errLines.join('\n')).toMatch(
      /from the manifest's quantiles of the training prompts \(train\.csv\)/,
    );

    const mismatch = await runMain(score, [
      '--weights',
      out,
      '--router',
      'mf',
      '--input',
      testCsv,
      '--field',
      'prompt',
      '--out',
      scores,
    ]);
    expect(mismatch.code).toBe(1);
    expect(mismatch.errLines).toEqual([`error: --router mf does not match --weights ${out}, a 'knn-gain' router.`]);
    const noFolder = await runMain(evaluate, [
      '--weights',
      path.join(dir, 'nothing'),
      '--benchmarks',
      'custom',
      '--input',
      testCsv,
      '--weak-field',
      'small-model',
      '--strong-field',
      'big-model',
      '--out',
      results,
    ]);
    expect(noFolder.errLines).toEqual([
      `error: --weights ${path.join(dir, 'nothing')}: no manifest.json there (a folder written by npm run train).`,
    ]);
  });

  it('holds out a seeded share of the file instead of --test, for the many-model router too', async () => {
    const held = path.join(dir, 'mf-holdout');
    const run = await runMain(train, [
      '--router',
      'mf',
      '--out',
      held,
      '--sources',
      'none',
      '--golden',
      trainCsv,
      '--holdout',
      '0.25',
      '--seed',
      '3',
    ]);
    expect(run.errLines).toEqual([]);
    expect(run.code).toBe(0);
    const { manifest } = await readRouterFolder(held);
    expect(manifest['test']).toMatchObject({ split: 'a 25% holdout (seed 3)', prompts: 40, file: 'train.csv' });
    expect((manifest['parameters'] as { defaultPair: unknown }).defaultPair).toEqual({
      strong: 'big-model',
      weak: 'small-model',
    });
    expect((manifest['data'] as { report: { heldOut: { exact: number } } }).report.heldOut.exact).toBe(0);
  }, 120_000);

  it('loads a trained classifier by path too: its model is built from the folder head', async () => {
    const classifier = path.join(dir, 'my-classifier');
    const trained = await runMain(train, [
      '--router',
      'classifier',
      '--out',
      classifier,
      '--sources',
      'none',
      '--golden',
      trainCsv,
      '--test',
      testCsv,
    ]);
    expect(trained.code).toBe(0);
    expect(trained.out).toMatch(/Not built: routellm-classifier is built from/);
    const results = path.join(dir, 'eval-classifier');
    const evaluated = await runMain(evaluate, [
      '--weights',
      classifier,
      '--routers',
      'classifier',
      '--benchmarks',
      'custom',
      '--input',
      testCsv,
      '--weak-field',
      'small-model',
      '--strong-field',
      'big-model',
      '--out',
      results,
    ]);
    expect(evaluated.errLines).toEqual([]);
    const summary = JSON.parse(await readFile(path.join(results, 'summary.json'), 'utf8'));
    const { manifest } = await readRouterFolder(classifier);
    const test = manifest['test'] as { results: Record<string, { APGR: number }> };
    // Training scores with the head over the trainer's features; eval runs the ONNX model built from the same head.
    expect(summary['custom']['classifier'].APGR).toBeCloseTo(test.results['classifier']!.APGR, 2);
  }, 180_000);

  it('refuses files that are not UTF-8 or too small, with one line and no folder', async () => {
    const latin1 = path.join(dir, 'latin1.csv');
    await writeFile(latin1, Buffer.from(userGoldenCsv(160, 5).replace('Explain', 'Expliqu\u00e9'), 'latin1'));
    const small = path.join(dir, 'small.csv');
    await writeFile(small, userGoldenCsv(60, 6));
    const target = path.join(dir, 'refused');
    const notUtf8 = await runMain(train, [
      '--router',
      'knn-gain',
      '--out',
      target,
      '--sources',
      'none',
      '--golden',
      latin1,
    ]);
    expect(notUtf8.code).toBe(1);
    expect(notUtf8.errLines).toHaveLength(1);
    expect(notUtf8.errLines[0]).toMatch(
      /^error: .*latin1\.csv is not UTF-8 text \(invalid byte 0xe9 at offset \d+, line \d+\): save it as UTF-8\.$/,
    );
    const tooSmall = await runMain(train, [
      '--router',
      'knn-gain',
      '--out',
      target,
      '--sources',
      'none',
      '--golden',
      small,
    ]);
    expect(tooSmall.code).toBe(1);
    expect(tooSmall.errLines).toEqual([
      `error: ${small} has 60 distinct prompts outside the test prompts; training needs at least 100: settings are chosen by 5-fold cross-validation, and each held-out fold needs 20 prompts to give an APGR.`,
    ]);
    const unknownModel = await runMain(train, [
      '--router',
      'knn-gain',
      '--out',
      target,
      '--sources',
      'none',
      '--golden',
      trainCsv,
      '--strong',
      'huge-model',
      '--weak',
      'small-model',
    ]);
    expect(unknownModel.errLines).toEqual([
      `error: ${trainCsv} has no column 'huge-model' (it has: prompt, big-model, small-model).`,
    ]);
    expect(existsSync(target)).toBe(false);
    expect(existsSync(`${target}.partial`)).toBe(false);
  });
});

/** The bytes of every file of a folder, by name. */
async function snapshot(folder: string): Promise<Map<string, Buffer>> {
  const names = (await readdir(folder)).sort();
  return new Map(
    await Promise.all(names.map(async (name) => [name, await readFile(path.join(folder, name))] as const)),
  );
}

/** Runs `npm run train` as a process and kills it (SIGKILL: no cleanup) as soon as it reports `stage`. */
function killAtStage(argv: readonly string[], stage: string): Promise<{ killed: boolean; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/train.ts', ...argv], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let killed = false;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      stderr += text;
      if (!killed && stderr.split('\n').some((line) => line.startsWith(`${stage} [`))) {
        killed = child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', () => resolve({ killed, stderr }));
  });
}

describe('an interrupted npm run train', () => {
  it('leaves the previous folder intact at every stage', async () => {
    const before = await snapshot(out);
    const stages = [
      'embedding training prompts',
      'cross-validating knn-gain',
      'scoring test/knn-gain',
      'scoring calibration prompts',
    ];
    for (const stage of stages) {
      const { killed, stderr } = await killAtStage([...trainArgs(), '--seed', '7'], stage);
      expect(killed, `${stage}: ${stderr}`).toBe(true);
      expect(await snapshot(out), stage).toEqual(before);
    }
    // Killed as it writes, the folder is the old one or the complete new one: never a mix.
    await killAtStage([...trainArgs(), '--seed', '7'], 'writing the router folder');
    const after = await snapshot(out);
    if (!after.get('manifest.json')!.equals(before.get('manifest.json')!)) {
      const { manifest } = await readRouterFolder(out);
      expect(manifest['seed']).toBe(7);
      expect([...after.keys()]).toEqual(['LICENSE.md', 'README.md', 'manifest.json', 'test.svg', 'weights.bin']);
    } else {
      expect(after).toEqual(before);
    }
  }, 300_000);
});

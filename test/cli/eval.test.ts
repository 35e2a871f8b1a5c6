import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/eval.ts';
import { PROJECT_ROOT } from '../../src/node/paths.ts';
import { runMain } from './io.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'routellm-eval-'));
const write = (name: string, text: string) => {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
};

/** Runs the command and returns its exit code, stdout and stderr lines. */
const run = (argv: string[], env?: NodeJS.ProcessEnv) => runMain(main, argv, env);

describe('npm run eval', () => {
  it('evaluates, prints a table per benchmark and writes summary, details and one plot per benchmark', async () => {
    const out = path.join(dir, 'results');
    const {
      code,
      out: printed,
      errLines,
    } = await run(['--routers', 'length,random', '--benchmarks', 'mt-bench,gsm8k', '--out', out]);
    expect(errLines).toEqual([]);
    expect(code).toBe(0);
    expect(printed).toMatch(/^mt-bench: 72 prompts/m);
    expect(printed).toMatch(/^router\s+APGR\s+APGR 95% CI\s+vs random/m);
    // The interval is the bootstrap of the same scores (1,000 resamples by default): it brackets the APGR.
    const row = printed.match(
      /^length\s+(0\.556)\s+(0\.\d{3})-(0\.\d{3})\s+\+0\.\d{3}\s+15\.19%\s+34\.44%\s+77\.57%\s+72\s+8\.281\s+9\.212$/m,
    );
    expect(row).not.toBeNull();
    expect(Number(row![2])).toBeLessThan(0.556);
    expect(Number(row![3])).toBeGreaterThan(0.556);
    expect(printed).toMatch(/^gsm8k: 1307 prompts/m);
    expect(printed).toContain('Unify: 8.758 at 50.00% strong calls');
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(Object.keys(summary)).toEqual(['mt-bench', 'gsm8k']);
    expect(summary['gsm8k']['length']['APGR']).toBeCloseTo(0.5986554769191534, 9);
    const details = JSON.parse(readFileSync(path.join(out, 'details.json'), 'utf8'));
    expect(details['gsm8k'].routers['length'].bootstrap).toMatchObject({ resamples: 1000 });
    expect(details['gsm8k'].routers['random'].bootstrap).toBeUndefined();
    for (const name of ['mt-bench', 'gsm8k']) {
      expect(readFileSync(path.join(out, `${name}.svg`), 'utf8')).toContain('Strong-model calls (% of prompts)');
    }
  });

  it('evaluates a custom CSV without the shared data folder', async () => {
    const input = write(
      'custom.csv',
      'text,small,big\nshort,True,True\n"a longer one\nover lines",False,True\nmid size,True,False\nlongest of all prompts,False,True\n',
    );
    const out = path.join(dir, 'custom-results');
    const { code, errLines } = await run(
      [
        '--routers',
        'length',
        '--benchmarks',
        'custom',
        '--input',
        input,
        '--prompt-field',
        'text',
        '--weak-field',
        'small',
        '--strong-field',
        'big',
        '--out',
        out,
      ],
      { ROUTELLM_DATA: path.join(dir, 'no-shared-here') },
    );
    expect(errLines).toEqual([]);
    expect(code).toBe(0);
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(summary['custom']['length']).toMatchObject({ n: 4, weak: 50, strong: 75 });
  });

  const emptyShared = mkdtempSync(path.join(tmpdir(), 'routellm-no-data-'));
  const badInputs: [string, string[], RegExp, NodeJS.ProcessEnv?][] = [
    [
      'an unknown router',
      ['--routers', 'length,mff'],
      /^error: Unknown router 'mff'\. Known routers: length, random(, [a-z0-9-]+)*\.$/,
    ],
    [
      'an unknown benchmark',
      ['--benchmarks', 'mmlu,hellaswag'],
      /^error: Unknown benchmark 'hellaswag'\. Known benchmarks: /,
    ],
    [
      'a missing data folder',
      ['--benchmarks', 'gsm8k'],
      /^error: Data folder not found: .*\(from ROUTELLM_DATA\)/,
      { ROUTELLM_DATA: emptyShared },
    ],
    [
      'a missing --data folder',
      ['--data', path.join(emptyShared, 'nope')],
      /^error: Data folder not found: .*\(from --data\)/,
    ],
    [
      'a CSV missing a column',
      [
        '--benchmarks',
        'custom',
        '--input',
        write('nocol.csv', 'prompt,small\nq,True\n'),
        '--weak-field',
        'small',
        '--strong-field',
        'big',
      ],
      /^error: .*nocol\.csv has no column 'big' \(it has: prompt, small\)\.$/,
    ],
    [
      'an empty file',
      ['--benchmarks', 'custom', '--input', write('empty.jsonl', ''), '--weak-field', 'a', '--strong-field', 'b'],
      /^error: .*empty\.jsonl has no rows\.$/,
    ],
    [
      'custom without its flags',
      ['--benchmarks', 'custom'],
      /^error: --benchmarks custom needs --input, --weak-field, --strong-field\.$/,
    ],
    ['--input without custom', ['--input', 'x.csv'], /^error: --input is only used with --benchmarks custom\.$/],
    ['an unknown flag', ['--router', 'length'], /^error: Unknown option '--router'/],
    ['a fractional --bootstrap', ['--bootstrap', '2.5'], /^error: --bootstrap /],
    ['a repeated router', ['--routers', 'length,length'], /^error: --routers lists 'length' twice\.$/],
  ];
  for (const [what, argv, message, env] of badInputs) {
    it(`fails with one clear line for ${what}`, async () => {
      const { code, errLines, out } = await run([...argv, '--out', path.join(dir, 'never')], env);
      expect(code).toBe(1);
      expect(errLines).toHaveLength(1);
      expect(errLines[0]).toMatch(message);
      expect(out).toBe('');
      expect(existsSync(path.join(dir, 'never'))).toBe(false);
    });
  }

  it('prints usage with --help', async () => {
    const { code, out } = await run(['--help']);
    expect(code).toBe(0);
    expect(out).toContain('Usage: npm run eval');
  });

  it('runs as a real process: exit code 1 and one stderr line for bad input', () => {
    const child = spawnSync(
      path.join(PROJECT_ROOT, 'node_modules/.bin/tsx'),
      ['src/cli/eval.ts', '--routers', 'nope'],
      {
        cwd: PROJECT_ROOT,
        encoding: 'utf8',
      },
    );
    expect(child.status).toBe(1);
    expect(child.stdout).toBe('');
    expect(child.stderr).toMatch(/^error: Unknown router 'nope'\. Known routers: length, random(, [a-z0-9-]+)*\.\n$/);
  });
});

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/score.ts';
import { PROJECT_ROOT } from '../../src/node/paths.ts';
import { writeTinyCausalLm } from '../encoder/tiny-causal-lm-fixture.ts';
import { runMain } from './io.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'routellm-score-'));
const write = (name: string, text: string) => {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
};
const readJsonl = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));

const run = (argv: string[]) => runMain(main, argv);

describe('npm run score', () => {
  it('writes one {prompt, score} line per CSV row, in order', async () => {
    const input = write('prompts.csv', 'id,question\n1,"short"\n2,"a much longer question,\nover two lines"\n');
    const out = path.join(dir, 'nested', 'scores.jsonl');
    const { code, out: printed } = await run([
      '--router',
      'length',
      '--input',
      input,
      '--field',
      'question',
      '--out',
      out,
    ]);
    expect(code).toBe(0);
    expect(printed).toContain('Scored 2 prompts');
    const rows = readJsonl(out);
    expect(rows).toEqual([
      { prompt: 'short', score: 5 / 505 },
      { prompt: 'a much longer question,\nover two lines', score: 38 / 538 },
    ]);
    expect(existsSync(`${out}.partial`)).toBe(false);
  });

  it('adds the routed model with --threshold, and reads JSONL', async () => {
    const input = write('prompts.jsonl', `{"text":"hi"}\n{"text":"${'x'.repeat(600)}"}\n`);
    const out = path.join(dir, 'routed.jsonl');
    const { code, out: printed } = await run([
      '--router',
      'length',
      '--input',
      input,
      '--field',
      'text',
      '--out',
      out,
      '--threshold',
      '0.5',
    ]);
    expect(code).toBe(0);
    expect(readJsonl(out).map((row) => row.model)).toEqual(['weak', 'strong']);
    expect(printed).toContain('1 (50.0%) go to the strong model at threshold 0.5');
  });

  it('scores with causal-llm on the causal LM that --causal-model names', async () => {
    const input = write(
      'questions.jsonl',
      '{"q":"What is 2 + 2?"}\n{"q":"Prove that there are infinitely many primes."}\n',
    );
    const out = path.join(dir, 'causal.jsonl');
    const model = writeTinyCausalLm({ variant: 'cache' });
    const { code } = await run([
      '--router',
      'causal-llm',
      '--input',
      input,
      '--field',
      'q',
      '--out',
      out,
      '--causal-model',
      model,
    ]);
    expect(code).toBe(0);
    const scores = readJsonl(out).map((row) => row.score as number);
    expect(scores).toHaveLength(2);
    for (const score of scores) expect(score > 0 && score < 1).toBe(true);
    expect(scores[0]).not.toBe(scores[1]);
  });

  it('is reproducible for the random router with a seed', async () => {
    const input = write('few.jsonl', '{"p":"a"}\n{"p":"b"}\n');
    const first = path.join(dir, 'r1.jsonl');
    const second = path.join(dir, 'r2.jsonl');
    await run(['--router', 'random', '--seed', '7', '--input', input, '--field', 'p', '--out', first]);
    await run(['--router', 'random', '--seed', '7', '--input', input, '--field', 'p', '--out', second]);
    expect(readFileSync(first, 'utf8')).toBe(readFileSync(second, 'utf8'));
  });

  const good = write('good.csv', 'prompt\nhello\n');
  const badInputs: [string, string[], RegExp][] = [
    [
      'an unknown router',
      ['--router', 'mf2', '--input', good, '--field', 'prompt'],
      /^error: Unknown router 'mf2'\. Known routers: length, random(, [a-z0-9-]+)*\.$/,
    ],
    [
      'a CSV missing the field',
      ['--router', 'length', '--input', good, '--field', 'text'],
      /^error: .*good\.csv has no column 'text' \(it has: prompt\)\.$/,
    ],
    [
      'an empty file',
      ['--router', 'length', '--input', write('empty.csv', ''), '--field', 'prompt'],
      /^error: .*empty\.csv has no rows\.$/,
    ],
    [
      'a JSONL row without the field',
      ['--router', 'length', '--input', write('gap.jsonl', '{"p":"a"}\n{"q":"b"}\n'), '--field', 'p'],
      /^error: .*gap\.jsonl, row 2: field 'p' is missing or not text\.$/,
    ],
    [
      'a missing input file',
      ['--router', 'length', '--input', path.join(dir, 'none.csv'), '--field', 'prompt'],
      /^error: Cannot read .*none\.csv: no such file\.$/,
    ],
    [
      'a threshold out of range',
      ['--router', 'length', '--input', good, '--field', 'prompt', '--threshold', '2'],
      /^error: --threshold must be a number from 0 to 1, got '2'\.$/,
    ],
    ['missing flags', ['--router', 'length'], /^error: Missing --input, --field \(see --help\)\.$/],
  ];
  for (const [what, argv, message] of badInputs) {
    it(`fails with one clear line for ${what}`, async () => {
      const out = path.join(dir, `never-${what.replaceAll(' ', '-')}.jsonl`);
      const { code, errLines } = await run([...argv, '--out', out]);
      expect(code).toBe(1);
      expect(errLines).toHaveLength(1);
      expect(errLines[0]).toMatch(message);
      expect(existsSync(out)).toBe(false);
    });
  }

  it('runs as a real process via npm run score', () => {
    const input = write('spawn.csv', 'prompt\nhello world\n');
    const out = path.join(dir, 'spawn.jsonl');
    const child = spawnSync(
      'npm',
      ['run', '--silent', 'score', '--', '--router', 'length', '--input', input, '--field', 'prompt', '--out', out],
      {
        cwd: PROJECT_ROOT,
        encoding: 'utf8',
      },
    );
    expect(child.status).toBe(0);
    expect(readJsonl(out)).toEqual([{ prompt: 'hello world', score: 11 / 511 }]);
  });
});

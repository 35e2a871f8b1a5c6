import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.ts';
import { promptDigest } from '../../src/core/mmlu-gold.ts';
import { BenchmarkLoader, loadCustomBenchmark, loadMtBenchQuestions } from '../../src/node/benchmarks.ts';
import { resolveSharedDir } from '../../src/node/paths.ts';

const sharedDir = resolveSharedDir(undefined);
const loader = new BenchmarkLoader(sharedDir);

describe('RouteLLM benchmarks from the shared data', () => {
  it('keeps the decontaminated counts: MT-Bench 72, MMLU 14,037, GSM8K 1,307', async () => {
    expect((await loader.load('mt-bench')).items).toHaveLength(72);
    expect((await loader.load('mmlu')).items).toHaveLength(14_037);
    expect((await loader.load('gsm8k')).items).toHaveLength(1_307);
  });

  it('drops exactly the MT-Bench questions with a contaminated turn', async () => {
    const ids = new Set((await loader.load('mt-bench')).items.map((item) => Number(item.id)));
    for (const dropped of [81, 88, 91, 92, 101, 104, 120, 122]) expect(ids.has(dropped)).toBe(false);
    expect(ids.size).toBe(72);
  });

  it('splits MMLU into 1,500 gold rows with the lowest digests and 12,537 held out, disjoint by text', async () => {
    const { gold, heldout } = await loader.mmluGoldSplit();
    expect(gold.items).toHaveLength(1_500);
    expect(heldout.items).toHaveLength(12_537);
    expect(await loader.load('mmlu-heldout')).toBe(heldout);
    const highestGold = gold.items
      .map((item) => promptDigest(item.prompt))
      .sort()
      .at(-1)!;
    const lowestHeldout = heldout.items.map((item) => promptDigest(item.prompt)).sort()[0]!;
    expect(highestGold < lowestHeldout).toBe(true);
  });

  it('lists every evaluation prompt that training must avoid', async () => {
    const prompts = await loader.evaluationPrompts();
    expect(prompts.get('mt-bench')).toHaveLength(160);
    expect(prompts.get('gsm8k')).toHaveLength(1_319);
    const gold = new Set((await loader.mmluGoldSplit()).gold.items.map((item) => item.prompt));
    const mmlu = prompts.get('mmlu')!;
    expect(mmlu.length).toBe(14_042 - 1_500);
    expect(mmlu.some((prompt) => gold.has(prompt))).toBe(false);
  });

  it('reads both turns of all 80 MT-Bench questions', async () => {
    const questions = await loadMtBenchQuestions(sharedDir);
    expect(questions).toHaveLength(80);
    expect(questions.every((question) => question.turns.length === 2)).toBe(true);
  });

  it('needs the shared folder for built-in benchmarks but not for a custom one', async () => {
    await expect(new BenchmarkLoader(undefined).load('gsm8k')).rejects.toThrow(InvalidInputError);
    await expect(new BenchmarkLoader(undefined).load('custom')).rejects.toThrow(/needs --input/);
  });
});

describe('custom benchmark files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'routellm-custom-'));
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  const fields = { prompt: 'prompt', weak: 'small', strong: 'big' };

  it('reads a CSV with quoted multi-line prompts', async () => {
    const file = write('bench.csv', 'prompt,small,big\n"line one\nline two, with comma",False,True\nshort,True,True\n');
    const benchmark = await loadCustomBenchmark({ file, fields });
    expect(benchmark.items.map((item) => item.prompt)).toEqual(['line one\nline two, with comma', 'short']);
    expect(benchmark.qualityUnit).toBe('% correct');
  });

  it('reads JSONL with numeric qualities', async () => {
    const file = write('bench.jsonl', '{"prompt":"a","small":6,"big":9}\n\n{"prompt":"b","small":7,"big":8}\n');
    const benchmark = await loadCustomBenchmark({ file, fields });
    expect(benchmark.items.map((item) => item.strongQuality)).toEqual([9, 8]);
  });

  it('names the file and the missing column', async () => {
    const file = write('missing.csv', 'prompt,small\nq,True\n');
    await expect(loadCustomBenchmark({ file, fields })).rejects.toThrow(
      `${file} has no column 'big' (it has: prompt, small).`,
    );
  });

  it('names the file and row of a bad value', async () => {
    const file = write('bad.jsonl', '{"prompt":"a","small":true,"big":"yes"}\n');
    await expect(loadCustomBenchmark({ file, fields })).rejects.toThrow(`${file}: Row 1: field 'big'`);
  });
});

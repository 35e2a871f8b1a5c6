import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findContaminated, findContaminatedCached } from '../../src/training/decontaminate.ts';

const unit = (...values: number[]) => {
  const norm = Math.hypot(...values);
  return Float32Array.from(values, (value) => value / norm);
};

describe('decontamination', () => {
  const evaluation = [
    { text: 'What is 2+2?', benchmark: 'gsm8k', embedding: unit(1, 0, 0) },
    { text: 'Name a prime', benchmark: 'mmlu', embedding: unit(0, 1, 0) },
  ];
  const training = [
    { text: 'What is 2+2?', embedding: unit(0, 0, 1) },
    { text: 'Nearly the same', embedding: unit(0.1, 1, 0) },
    { text: 'Different', embedding: unit(1, 1, 1) },
  ];

  it('finds exact copies and embeddings at cosine >= 0.95, naming the benchmark', () => {
    expect(findContaminated(training, evaluation)).toEqual([
      { index: 0, benchmark: 'gsm8k', cosine: 1 },
      { index: 1, benchmark: 'mmlu', cosine: expect.closeTo(0.995, 3) },
    ]);
  });

  it('gives the same verdicts from its cache, and compares new texts only', async () => {
    const cacheDir = await mkdtemp(path.join(tmpdir(), 'decontamination-'));
    const first = await findContaminatedCached(training, evaluation, 'enc', 0.95, cacheDir);
    const again = await findContaminatedCached([training[2]!, ...training], evaluation, 'enc', 0.95, cacheDir);
    expect(again.map((item) => item.index)).toEqual(first.map((item) => item.index + 1));
  });
});

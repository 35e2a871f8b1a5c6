import { describe, expect, it } from 'vitest';
import type { TrainingData } from '../../src/training/dataset.ts';
import { foldAssignment, labelledPrompts } from '../../src/training/training-benchmarks.ts';

describe('foldAssignment', () => {
  it('is deterministic for a seed, balanced, and differs between seeds', () => {
    const folds = foldAssignment(103, 5, 1);
    expect(foldAssignment(103, 5, 1)).toEqual(folds);
    const sizes = [0, 1, 2, 3, 4].map((fold) => folds.filter((value) => value === fold).length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(foldAssignment(103, 5, 2)).not.toEqual(folds);
  });
});

describe('labelledPrompts', () => {
  it("labels a user's gold rows and the battles where the user's pair met, by the data's own pair names", () => {
    const embedding = Float32Array.of(1, 0);
    const data: TrainingData = {
      pair: { strong: 'big', weak: 'small' },
      prompts: [
        { text: 'a', source: 'user-golden', family: 'user', embedding, strongWinRate: 1 },
        { text: 'b', source: 'user-battles', family: 'user', embedding, strongWinRate: 0.75 },
        { text: 'c', source: 'user-battles', family: 'user', embedding },
      ],
      battles: [],
      correctness: [
        {
          prompt: 0,
          correctness: new Map([
            ['big', 1],
            ['small', 0],
          ]),
        },
      ],
      encoderId: 'fake',
      report: { read: {}, removed: {}, decontaminated: { byBenchmark: {}, bySource: {}, checked: false }, kept: {} },
    };
    expect(labelledPrompts(data)).toEqual([
      { prompt: 0, source: 'user-golden', strongCorrect: 1, weakCorrect: 0 },
      { prompt: 1, source: 'user-battles', strongCorrect: 0.75, weakCorrect: 0.25 },
    ]);
  });
});

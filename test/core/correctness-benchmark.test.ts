import { describe, expect, it } from 'vitest';
import { createCorrectnessBenchmark } from '../../src/core/correctness-benchmark.ts';
import { modelQuality } from '../../src/core/benchmark.ts';

describe('createCorrectnessBenchmark', () => {
  it('scores correct answers 100 so quality is % correct, and drops contaminated prompts by exact text', () => {
    const benchmark = createCorrectnessBenchmark({
      name: 'gsm8k',
      rows: [
        { id: 'a', prompt: 'one', weakCorrect: true, strongCorrect: true },
        { id: 'b', prompt: 'two', weakCorrect: false, strongCorrect: true },
        { id: 'c', prompt: 'three', weakCorrect: false, strongCorrect: false },
        { id: 'd', prompt: 'Two', weakCorrect: true, strongCorrect: false },
      ],
      contaminatedPrompts: ['three'],
    });
    expect(benchmark.items.map((item) => item.id)).toEqual(['a', 'b', 'd']);
    expect(benchmark.qualityUnit).toBe('% correct');
    expect(modelQuality(benchmark, 'weak')).toBeCloseTo(200 / 3, 12);
    expect(modelQuality(benchmark, 'strong')).toBeCloseTo(200 / 3, 12);
    expect(benchmark.strongModel).toBe('gpt-4-1106-preview');
  });
});

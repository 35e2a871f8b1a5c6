import { describe, expect, it } from 'vitest';
import { benchmarkPrompts, createBenchmark, maxPromptLength, modelQuality } from '../../src/core/benchmark.ts';
import { InvalidInputError } from '../../src/core/errors.ts';
import { benchmarkOf } from './helpers.ts';

describe('benchmark', () => {
  it('gives model quality as the mean over items, and the prompts in order', () => {
    const benchmark = benchmarkOf([
      [1, 4],
      [2, 6],
    ]);
    expect(modelQuality(benchmark, 'weak')).toBe(1.5);
    expect(modelQuality(benchmark, 'strong')).toBe(5);
    expect(benchmarkPrompts(benchmark)).toEqual(['p0', 'p1p1']);
  });

  it('measures prompt length in UTF-16 code units, like JavaScript', () => {
    expect(maxPromptLength(['ab', '😀x', ''])).toBe(3);
    expect(maxPromptLength([])).toBe(0);
  });

  it('rejects an empty benchmark and non-finite qualities', () => {
    expect(() => benchmarkOf([])).toThrow(InvalidInputError);
    expect(() =>
      createBenchmark({
        name: 'bad',
        weakModel: 'w',
        strongModel: 's',
        qualityUnit: 'x',
        items: [{ id: '1', prompt: 'p', weakQuality: Number.NaN, strongQuality: 1 }],
      }),
    ).toThrow(/item 1: qualities must be finite/);
  });
});

import { describe, expect, it } from 'vitest';
import { createCustomBenchmark } from '../../src/core/custom-benchmark.ts';
import { InvalidInputError } from '../../src/core/errors.ts';

const fields = { prompt: 'question', weak: 'small', strong: 'large' };

describe('createCustomBenchmark', () => {
  it('reads true/false (CSV text or JSON booleans) as correctness, reported as % correct', () => {
    const benchmark = createCustomBenchmark({
      records: [
        { question: 'q1', small: 'True', large: 'true' },
        { question: 'q2', small: false, large: true },
      ],
      fields,
    });
    expect(benchmark.name).toBe('custom');
    expect(benchmark.qualityUnit).toBe('% correct');
    expect(benchmark.weakModel).toBe('small');
    expect(benchmark.items).toEqual([
      { id: '1', prompt: 'q1', weakQuality: 100, strongQuality: 100 },
      { id: '2', prompt: 'q2', weakQuality: 0, strongQuality: 100 },
    ]);
  });

  it('reads numbers (or numeric text) as scores, averaged as they are', () => {
    const benchmark = createCustomBenchmark({
      records: [
        { question: 'q1', small: '6.5', large: 9 },
        { question: 'q2', small: 3, large: ' 8 ' },
      ],
      fields,
    });
    expect(benchmark.qualityUnit).toBe('quality');
    expect(benchmark.items.map((item) => [item.weakQuality, item.strongQuality])).toEqual([
      [6.5, 9],
      [3, 8],
    ]);
  });

  it('names the row and field of a bad value', () => {
    const records = [
      { question: 'q1', small: 'true', large: 'false' },
      { question: 'q2', small: 'maybe', large: 'true' },
    ];
    expect(() => createCustomBenchmark({ records, fields })).toThrow(
      /Row 2: field 'small' must be true\/false or a number/,
    );
    expect(() => createCustomBenchmark({ records: [{ question: 'q', small: '', large: '1' }], fields })).toThrow(
      InvalidInputError,
    );
    expect(() => createCustomBenchmark({ records: [{ small: '1', large: '2' }], fields })).toThrow(
      /Row 1: field 'question' is missing/,
    );
  });

  it('rejects mixing correctness and scores, and an empty file', () => {
    expect(() => createCustomBenchmark({ records: [{ question: 'q', small: 'true', large: '7' }], fields })).toThrow(
      /mixes true\/false and numeric/,
    );
    expect(() => createCustomBenchmark({ records: [], fields })).toThrow(/has no rows/);
  });
});

import { describe, expect, it } from 'vitest';
import { bootstrapApgr } from '../../src/core/bootstrap.ts';
import { evaluateScores } from '../../src/core/evaluate.ts';
import { benchmarkOf } from './helpers.ts';

describe('bootstrapApgr', () => {
  const benchmark = benchmarkOf(
    Array.from({ length: 40 }, (_, index) => [index % 3 === 0 ? 0 : 100, index % 2 === 0 ? 100 : 50] as const),
  );
  const scores = benchmark.items.map((_, index) => ((index * 7919) % 40) / 40);

  it('brackets the APGR of the full benchmark and is deterministic for a seed', () => {
    const interval = bootstrapApgr(benchmark, scores, { resamples: 200, seed: 1 });
    expect(interval.apgr).toBeCloseTo(evaluateScores(benchmark, 'x', scores).apgr, 12);
    expect(interval.low).toBeLessThan(interval.apgr);
    expect(interval.high).toBeGreaterThan(interval.apgr);
    expect(bootstrapApgr(benchmark, scores, { resamples: 200, seed: 1 })).toEqual(interval);
  });

  it('rejects scores that do not match the items', () => {
    expect(() => bootstrapApgr(benchmark, [0.5])).toThrow(/1 scores for 40 items/);
  });
});

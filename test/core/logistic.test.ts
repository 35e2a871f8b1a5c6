import { describe, expect, it } from 'vitest';
import { fitSparseLogistic, logit, sigmoid, type SparseLogisticRow } from '../../src/core/logistic.ts';
import { createPrng } from '../../src/core/prng.ts';

describe('sigmoid and logit', () => {
  it('are inverse and stable at the extremes', () => {
    expect(logit(sigmoid(1.7))).toBeCloseTo(1.7, 10);
    expect(sigmoid(-800)).toBe(0);
    expect(sigmoid(800)).toBe(1);
  });
});

describe('fitSparseLogistic', () => {
  it('recovers Bradley-Terry strengths and a length bias from simulated battles', () => {
    const strengths = [0, 1, -0.5];
    const lengthBias = 0.8;
    const next = createPrng(3);
    const rows: SparseLogisticRow[] = [];
    for (let i = 0; i < 20000; i++) {
      const a = Math.floor(next() * 3);
      const b = (a + 1 + Math.floor(next() * 2)) % 3;
      const ratio = next() * 2 - 1;
      const win = next() < sigmoid(strengths[a]! - strengths[b]! + lengthBias * ratio) ? 1 : 0;
      rows.push({ indices: [a, b, 3], values: [1, -1, ratio], target: win, weight: 1 });
    }
    const coef = fitSparseLogistic(rows, 4);
    expect(coef[1]! - coef[0]!).toBeCloseTo(1, 1);
    expect(coef[2]! - coef[0]!).toBeCloseTo(-0.5, 1);
    expect(coef[3]).toBeCloseTo(lengthBias, 1);
  });

  it('pulls an unidentified coefficient to its prior mean', () => {
    const coef = fitSparseLogistic([{ indices: [0], values: [1], target: 0.5, weight: 1 }], 2, {
      l2: 1,
      priorMean: Float64Array.of(0, 3),
    });
    expect(coef[1]).toBeCloseTo(3, 10);
  });
});

import { describe, expect, it } from 'vitest';
import { boundedHeldOut, fitStatistics, POOLED_TOLERANCE, predictStatistics, trainKnnGain } from '../../../src/cli/training/train-knn-gain.ts';
import { spearman } from '../../../src/cli/training/rank-correlation.ts';
import { quantiles } from '../../../src/core/quantile.ts';
import { PROMPT_FEATURE_COUNT } from '../../../src/core/prompt-features.ts';
import { syntheticTrainingData } from './synthetic-data.ts';

describe('trainKnnGain', () => {
  const data = syntheticTrainingData();
  const trained = trainKnnGain(data, 0);
  const families = trained.parameters['families'] as string[];
  const termOf = (family: string) => {
    const index = families.indexOf(family);
    const linear = trained.tensors['featureWeights']!.data.subarray(index * PROMPT_FEATURE_COUNT, (index + 1) * PROMPT_FEATURE_COUNT);
    return { local: trained.tensors['localWeight']!.data[index]!, linear: Array.from(linear).some((weight) => weight !== 0) };
  };

  it('adopts a difficulty term where length predicts the gain or the difficulty, and none for chat', () => {
    const mmlu = termOf('mmlu');
    expect(mmlu.local > 0 || mmlu.linear).toBe(true);
    const gsm = termOf('grade-school-math');
    expect(gsm.local > 0 || gsm.linear).toBe(true);
    expect(termOf('chat')).toEqual({ local: 0, linear: false });
  });

  it('keeps the pooled objective within the tolerance of the prior, and stores each family\'s term range', () => {
    const { pooled } = trained.crossValidation;
    expect(pooled.tolerance).toBe(POOLED_TOLERANCE);
    expect(pooled.final).toBeGreaterThanOrEqual(pooled.reference - POOLED_TOLERANCE);
    for (const choice of Object.values(trained.crossValidation.difficulty)) expect(choice.best.pooled).toBeGreaterThanOrEqual(pooled.reference - POOLED_TOLERANCE);
    const low = trained.tensors['termLow']!.data;
    const high = trained.tensors['termHigh']!.data;
    families.forEach((family, index) => {
      expect(low[index]!).toBeLessThanOrEqual(high[index]!);
      if (termOf(family).linear) expect(high[index]!).toBeGreaterThan(low[index]!);
      else expect([low[index], high[index]]).toEqual([0, 0]);
    });
  });

  it('ships labelled rows first, then difficulty-only rows, and is deterministic for a seed', () => {
    expect(trained.rows).toEqual({ labelledPrompts: 180, difficultyOnlyPrompts: 120 });
    expect(trained.tensors['gains']!.shape).toEqual([180]);
    // The synthetic embeddings have 3 dimensions, so all 3 principal axes are kept.
    expect(trained.tensors['embeddings']!.shape).toEqual([300, 3]);
    expect(trained.tensors['projection']!.shape).toEqual([3, 3]);
    expect(trained.compression.components).toBe(3);
    expect(trainKnnGain(data, 0).parameters).toEqual(trained.parameters);
  });
});

describe('fitStatistics', () => {
  const statistics = (lnChars: number, digitShare: number) => Float64Array.from({ length: PROMPT_FEATURE_COUNT }, (_, index) => (index === 0 ? lnChars : index === 4 ? digitShare : index === 8 ? 1.6 : 0));
  const rows = Array.from({ length: 200 }, (_, index) => {
    const lnChars = 3 + (index % 10) / 3;
    const digitShare = ((index * 7) % 11) / 20;
    return { features: statistics(lnChars, digitShare), target: 0.3 * lnChars - 0.5 * digitShare };
  });
  const fit = fitStatistics(rows);

  it('orders prompts like the target it was fitted on, centred on those rows, ignoring statistics constant there', () => {
    const predictions = rows.map((row) => predictStatistics(fit, row.features));
    expect(predictions.reduce((sum, value) => sum + value, 0) / rows.length).toBeCloseTo(0, 9);
    expect(fit.weights[0]).toBeGreaterThan(0);
    expect(fit.weights[4]).toBeLessThan(0);
    expect(fit.weights[8]).toBe(0);
    // Shrunk by the ridge, but in (nearly) the target's order.
    expect(spearman(predictions, rows.map((row) => row.target))).toBeGreaterThan(0.99);
  });
});

describe('boundedHeldOut', () => {
  it('gives each fold\'s rows the term fitted without them, clipped to its range on the family\'s other-fold rows', () => {
    // Rows 0-199 are the family (values 0..199, scaled by 1 + held); rows 200-209 lie far outside it.
    const fold = Int32Array.from({ length: 210 }, (_, row) => row % 5);
    const familyRows = Array.from({ length: 200 }, (_, row) => row);
    const values = boundedHeldOut(familyRows, fold, (held) => (row) => (1 + held) * (row < 200 ? row : 1000));
    expect(values[7]).toBe(3 * 7);
    // Row 204 is in fold 4: its term is 5 * 1000, clipped to the 99th percentile of 5 * row over the family rows of folds 0-3.
    const [p99] = quantiles(familyRows.filter((row) => row % 5 !== 4).map((row) => 5 * row), [0.99]);
    expect(values[204]).toBeCloseTo(p99!, 9);
    expect(values[204]).toBeLessThan(5 * 199);
  });
});

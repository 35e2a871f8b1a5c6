import { describe, expect, it } from 'vitest';
import { scoreQuantileTable, thresholdFromQuantileTable } from '../../src/core/calibration.ts';
import { LENGTH_CALIBRATION_QUANTILES } from '../../src/core/length-calibration.ts';
import { createLengthRouter } from '../../src/core/length-router.ts';
import { loadCalibrationPrompts } from '../../src/node/calibration-set.ts';
import { resolveSharedDir } from '../../src/node/paths.ts';

describe('LENGTH_CALIBRATION_QUANTILES', () => {
  it('is the length router’s quantile table on the calibration set, as build:length-calibration makes it', async () => {
    const prompts = await loadCalibrationPrompts(resolveSharedDir(undefined, process.env));
    expect(prompts).toHaveLength(725);
    const table = scoreQuantileTable(await createLengthRouter().score(prompts));
    expect(LENGTH_CALIBRATION_QUANTILES).toHaveLength(table.length);
    LENGTH_CALIBRATION_QUANTILES.forEach((stored, index) => expect(stored).toBeCloseTo(table[index]!, 5));
  });

  it('sends a greeting to the weak model and a long request to the strong one at a 50% share', async () => {
    const threshold = thresholdFromQuantileTable([...LENGTH_CALIBRATION_QUANTILES], 0.5);
    const [greeting, request] = await createLengthRouter().score(['Hi', 'Explain the proof step by step. '.repeat(10)]);
    expect(greeting).toBeLessThan(threshold);
    expect(request).toBeGreaterThanOrEqual(threshold);
  });
});

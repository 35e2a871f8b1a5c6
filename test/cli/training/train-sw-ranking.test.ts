import { describe, expect, it } from 'vitest';
import { STRONG_MODEL, WEAK_MODEL } from '../../../src/cli/training/dataset.ts';
import { trainSwRanking } from '../../../src/cli/training/train-sw-ranking.ts';
import { syntheticTrainingData } from './synthetic-data.ts';

describe('trainSwRanking', () => {
  const trained = trainSwRanking(syntheticTrainingData(80), 0);

  it('puts the deployment pair in different tiers and chooses settings from its grid', () => {
    const models = trained.parameters['models'] as string[];
    const tiers = trained.tensors['modelTiers']!.data;
    expect(tiers[models.indexOf(STRONG_MODEL)]).toBeGreaterThan(tiers[models.indexOf(WEAK_MODEL)]!);
    expect([0.02, 0.05, 0.1, 0.434]).toContain(trained.parameters['temperature']);
  });

  it('summarises each prompt\'s battles as tier counts of total weight 1', () => {
    const [prompts, tiers] = trained.tensors['battles']!.shape as [number, number, number];
    const battles = trained.tensors['battles']!.data;
    for (let prompt = 0; prompt < prompts; prompt++) {
      let total = 0;
      for (let cell = 0; cell < tiers * tiers; cell++) total += battles[prompt * tiers * tiers + cell]!;
      expect(total).toBeCloseTo(2, 5);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { STRONG_MODEL, WEAK_MODEL } from '../../src/training/dataset.ts';
import { trainSwRanking } from '../../src/training/train-sw-ranking.ts';
import { syntheticTrainingData } from './synthetic-data.ts';

describe('trainSwRanking', () => {
  const trained = trainSwRanking(syntheticTrainingData(80), 0);

  it('puts the deployment pair in different tiers and chooses settings from its grid', () => {
    const models = trained.parameters['models'] as string[];
    const tiers = trained.tensors['modelTiers']!.data;
    expect(tiers[models.indexOf(STRONG_MODEL)]).toBeGreaterThan(tiers[models.indexOf(WEAK_MODEL)]!);
    // biome-ignore lint/suspicious/noApproximativeNumericConstant: the trainer's grid point, not log10(e)
    expect([0.02, 0.05, 0.1, 0.434]).toContain(trained.parameters['temperature']);
  });

  it("summarises each prompt's battles as counts of total weight 1 over the tier pairs that met", () => {
    const [prompts, pairs] = trained.tensors['battles']!.shape as [number, number];
    const tierPairs = trained.tensors['tierPairs']!.data;
    expect(tierPairs.length).toBe(2 * pairs);
    for (let pair = 0; pair < pairs; pair++) expect(tierPairs[2 * pair]).toBeLessThan(tierPairs[2 * pair + 1]!);
    const battles = trained.tensors['battles']!.data;
    const wins = trained.tensors['wins']!.data;
    for (let prompt = 0; prompt < prompts; prompt++) {
      let total = 0;
      for (let pair = 0; pair < pairs; pair++) {
        total += battles[prompt * pairs + pair]!;
        expect(wins[prompt * pairs + pair]).toBeLessThanOrEqual(battles[prompt * pairs + pair]! + 1e-9);
      }
      expect(total).toBeCloseTo(1, 5);
    }
  });

  it('refuses a pair it cannot tell apart: a model without comparisons, or both in one tier', () => {
    const data = syntheticTrainingData(80);
    expect(() => trainSwRanking({ ...data, pair: { strong: 'nobody', weak: WEAK_MODEL } }, 0)).toThrow(
      /sw-ranking: the training data has no comparison of 'nobody'/,
    );
    // Twelve more models that beat 'big': 16 models in 10 tiers put the two weakest, 'small' and 'big', in tier 0.
    const stronger = Array.from({ length: 12 }, (_, index) => `s${index + 1}`).flatMap((model, offset) =>
      data.prompts.slice(0, 20).map((_, prompt) => ({
        prompt: prompt + offset,
        modelA: model,
        modelB: 'big',
        winRateA: 1,
        judge: 'judge',
        lengthLogRatio: 0,
      })),
    );
    const crowded = { ...data, battles: [...data.battles, ...stronger], pair: { strong: 'big', weak: 'small' } };
    expect(() => trainSwRanking(crowded, 0)).toThrow(
      "sw-ranking groups the 16 models into 10 tiers by overall strength, and 'big' and 'small' fall in the same tier (0): it would score every prompt 0.5. Choose a pair further apart, or train knn-gain or mf.",
    );
  });
});

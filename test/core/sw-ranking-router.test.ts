import { describe, expect, it } from 'vitest';
import { sigmoid } from '../../src/core/logistic.ts';
import {
  createSwRankingRouter,
  solveTierStrengths,
  swRankingModelFromWeights,
  swRankingRouterDefinition,
  weightedTierCounts,
} from '../../src/core/sw-ranking-router.ts';
import { fakeEmbedder } from './fake-embedder.ts';
import { learnedRouterWeights } from './learned-router-weights.ts';

describe('solveTierStrengths', () => {
  it('recovers the log-odds of a win rate between two tiers (weak prior)', () => {
    const strength = solveTierStrengths(Float64Array.of(0, 75, 25, 0), Float64Array.of(0, 100, 100, 0), [0, 0], 1e-6);
    expect(sigmoid(strength[0]! - strength[1]!)).toBeCloseTo(0.75, 4);
  });

  it('falls back to the prior where there are no battles', () => {
    expect(Array.from(solveTierStrengths(new Float64Array(4), new Float64Array(4), [0.5, -0.5], 1))).toEqual([
      0.5, -0.5,
    ]);
  });
});

describe('sw-ranking router', () => {
  const embedder = fakeEmbedder({ code: [1, 0], chat: [0, 1] });
  // One tier pair (0, 1). Training prompt 0 (code): tier 1 beats tier 0 nine times out of ten; prompt 1 (chat): a coin toss.
  const wins = Float32Array.of(/* tier 0 over tier 1 */ 1, 5);
  const battles = Float32Array.of(10, 10);
  const weights = learnedRouterWeights(
    'sw-ranking',
    embedder.id,
    {
      tiers: 2,
      models: ['big', 'small'],
      defaultPair: { strong: 'big', weak: 'small' },
      temperature: 0.05,
      priorPrecision: 0.01,
    },
    {
      projection: { shape: [2, 2], data: Float32Array.of(1, 0, 0, 1) },
      embeddings: { dtype: 'int8', shape: [2, 2], data: Float32Array.of(1, 0, 0, 1) },
      tierPairs: { shape: [1, 2], data: Float32Array.of(0, 1) },
      wins: { dtype: 'float16', shape: [2, 1], data: wins },
      battles: { dtype: 'float16', shape: [2, 1], data: battles },
      prior: { shape: [2], data: Float32Array.of(0, 0) },
      modelTiers: { shape: [2], data: Float32Array.of(1, 0) },
    },
  );

  it('weights training prompts by similarity: a code query follows the code battles', async () => {
    const router = await swRankingRouterDefinition.create({ embedder, weights });
    const [code, chat] = await router.score(['code', 'chat']);
    expect(code).toBeGreaterThan(0.85);
    expect(chat).toBeCloseTo(0.5, 2);
  });

  it('fills both halves of the tier counts from the stored pair', () => {
    const { model } = swRankingModelFromWeights(embedder, weights);
    // Only prompt 0 counts at a similarity gap of 1 and temperature 0.05.
    const { wins: counted, battles: total } = weightedTierCounts(model, [1, 0]);
    expect(Array.from(total)).toEqual([0, 10, 10, 0]);
    expect(Array.from(counted)).toEqual([0, 1, 9, 0]);
  });

  it('refuses a tier pair out of order', () => {
    const reversed = learnedRouterWeights(
      'sw-ranking',
      embedder.id,
      weights.manifest['parameters'] as Record<string, unknown>,
      {
        projection: { shape: [2, 2], data: Float32Array.of(1, 0, 0, 1) },
        embeddings: { shape: [2, 2], data: Float32Array.of(1, 0, 0, 1) },
        tierPairs: { shape: [1, 2], data: Float32Array.of(1, 0) },
        wins: { shape: [2, 1], data: wins },
        battles: { shape: [2, 1], data: battles },
        prior: { shape: [2], data: Float32Array.of(0, 0) },
        modelTiers: { shape: [2], data: Float32Array.of(1, 0) },
      },
    );
    expect(() => swRankingModelFromWeights(embedder, reversed)).toThrow(/tier pair 0 is \[1, 0\]/);
  });

  it('swapping the pair mirrors the win rate; a pair in one tier is refused', async () => {
    const loaded = swRankingModelFromWeights(embedder, weights);
    const [forward] = await createSwRankingRouter({ embedder, ...loaded }).score(['code']);
    const [backward] = await createSwRankingRouter({ embedder, ...loaded, strong: 'small', weak: 'big' }).score([
      'code',
    ]);
    expect(backward).toBeCloseTo(1 - forward!, 6);
    expect(() =>
      createSwRankingRouter({
        embedder,
        ...loaded,
        modelTiers: new Map([
          ['big', 0],
          ['small', 0],
        ]),
      }),
    ).toThrow(/same tier/);
  });
});

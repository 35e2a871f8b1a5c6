import { describe, expect, it } from 'vitest';
import {
  difficultyAdjustment,
  gainToScore,
  knnGainRouterDefinition,
  LENGTH_SPREAD_FLOOR,
  priorGain,
  type KnnGainModel,
} from '../../src/core/knn-gain-router.ts';
import { fakeEmbedder } from './fake-embedder.ts';
import { learnedRouterWeights } from './learned-router-weights.ts';

const base: KnnGainModel = {
  embeddings: { inputDimensions: 2, dimensions: 2, projection: Float32Array.of(1, 0, 0, 1), rows: new Float32Array(8) },
  gains: Float32Array.of(1, 0),
  logChars: Float32Array.of(2, 4, 3, 5),
  family: Float32Array.of(0, 0, 1, 1),
  families: ['mmlu', 'grade-school-math'],
  localWeight: Float32Array.of(0, 0.1),
  globalWeight: Float32Array.of(0.2, 0),
  lengthMean: 3,
  lengthScale: 2,
  k: 2,
  neighbourhood: 2,
};

describe('knn-gain pieces', () => {
  it('averages the gains of the nearest labelled rows', () => {
    expect(priorGain(Float32Array.of(1, 0, -1), [0, 2])).toBe(0);
    expect(priorGain(Float32Array.of(1, 0, -1), [0, 1])).toBe(0.5);
  });

  it('weights the global length z by the family of mmlu neighbours', () => {
    // Neighbours 0 and 1 are mmlu: global z = (5 - 3) / 2 = 1, weight 0.2.
    expect(difficultyAdjustment(base, [0, 1], 5)).toBeCloseTo(0.2, 6);
  });

  it('weights the local length z by the family of grade-school-math neighbours', () => {
    // Neighbours 2 and 3: ln lengths 3 and 5, mean 4, sd 1; local z of 6 = 2 / (1 + floor), weight 0.1.
    expect(difficultyAdjustment(base, [2, 3], 6)).toBeCloseTo((0.1 * 2) / (1 + LENGTH_SPREAD_FLOOR), 6);
  });

  it('maps a gain to a score that is 0.5 + gain / 2 near a tie and keeps the order of large estimates', () => {
    expect(gainToScore(0)).toBe(0.5);
    expect(gainToScore(0.01)).toBeCloseTo(0.505, 5);
    expect(gainToScore(-3)).toBeLessThan(gainToScore(-2));
    expect(gainToScore(3)).toBeGreaterThan(gainToScore(2));
  });
});

describe('knn-gain router', () => {
  const embedder = fakeEmbedder({ maths: [1, 0], poem: [0, 1], 'mostly maths': [0.9, 0.1], 'sum problem': [0.1, 0.9] });
  const weights = learnedRouterWeights(
    'knn-gain',
    embedder.id,
    { k: 1, neighbourhood: 1, families: ['mmlu', 'chat'], lengthMean: 2, lengthScale: 1 },
    {
      // Stored in a swapped basis (the projection swaps the axes). Rows 0-1 are labelled; row 2 only informs difficulty.
      projection: { dtype: 'float16', shape: [2, 2], data: Float32Array.of(0, 1, 1, 0) },
      embeddings: {
        dtype: 'int8',
        shape: [3, 2],
        data: Float32Array.of(0, 1, 1, 0, 0.9 / Math.hypot(0.1, 0.9), 0.1 / Math.hypot(0.1, 0.9)),
      },
      gains: { shape: [2], data: Float32Array.of(0.6, -0.2) },
      logChars: { shape: [3], data: Float32Array.of(3, 3, 3) },
      family: { shape: [3], data: Float32Array.of(0, 1, 0) },
      localWeight: { shape: [2], data: Float32Array.of(0, 0) },
      globalWeight: { shape: [2], data: Float32Array.of(0.1, 0) },
    },
  );

  it('scores by the nearest labelled prompt plus the family length term', async () => {
    const router = await knnGainRouterDefinition.create({ embedder, weights });
    const [maths, poem, mostly, sum] = await router.score(['maths', 'poem', 'mostly maths', 'sum problem']);
    const globalTerm = (prompt: string) => 0.1 * (Math.log1p(prompt.length) - 2);
    expect(maths).toBeCloseTo(gainToScore(0.6 + globalTerm('maths')), 3);
    expect(poem).toBeCloseTo(gainToScore(-0.2), 3);
    expect(mostly).toBeCloseTo(gainToScore(0.6 + globalTerm('mostly maths')), 3);
    // Nearest labelled row is the poem (-0.2); nearest row overall is the unlabelled mmlu row, so its length term applies.
    expect(sum).toBeCloseTo(gainToScore(-0.2 + globalTerm('sum problem')), 3);
  });

  it('refuses a projection for another embedding size, and a tensor format from a newer release', () => {
    const narrow = fakeEmbedder({ x: [1, 0, 0] });
    expect(() => knnGainRouterDefinition.create({ embedder: narrow, weights })).toThrow(
      /tensor 'projection' has shape \[2, 2\], expected \[3, \*\]/,
    );
    const newer = { ...weights, manifest: { ...weights.manifest, tensorFormat: 3 } };
    expect(() => knnGainRouterDefinition.create({ embedder, weights: newer })).toThrow(
      /tensor format 3, but this version of routellm-web reads formats 1 and 2/,
    );
  });

  it('refuses weights trained on another encoder, and weights of another router', async () => {
    const other = fakeEmbedder({ x: [1, 0] }, 'other-encoder');
    expect(() => knnGainRouterDefinition.create({ embedder: other, weights })).toThrow(
      /trained on encoder 'fake-encoder@test'/,
    );
    const mislabelled = { ...weights, manifest: { ...weights.manifest, router: 'mf' } };
    expect(() => knnGainRouterDefinition.create({ embedder, weights: mislabelled })).toThrow(/for router "mf"/);
  });
});

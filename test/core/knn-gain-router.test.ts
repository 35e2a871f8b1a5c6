import { describe, expect, it } from 'vitest';
import { gainToScore, knnGainRouterDefinition, LENGTH_SPREAD_FLOOR, neighbourhoodGain } from '../../src/core/knn-gain-router.ts';
import { fakeEmbedder } from './fake-embedder.ts';
import { learnedRouterWeights } from './learned-router-weights.ts';

const model = { gains: Float32Array.of(1, 0, -1, 0.5), logChars: Float32Array.of(2, 4, 3, 3), k: 2, lengthWeight: 0 };

describe('neighbourhoodGain', () => {
  it('averages the gains of the k nearest neighbours', () => {
    expect(neighbourhoodGain(model, [0, 1, 2], 0)).toBeCloseTo(0.5, 6);
    expect(neighbourhoodGain({ ...model, k: 3 }, [3, 2, 0], 0)).toBeCloseTo(1 / 6, 6);
  });

  it('adds the prompt length relative to the neighbours when the length weight is set', () => {
    // Neighbours 0 and 1: ln lengths 2 and 4, mean 3, sd 1.
    const gain = neighbourhoodGain({ ...model, lengthWeight: 0.1 }, [0, 1], 5);
    expect(gain).toBeCloseTo(0.5 + (0.1 * 2) / (1 + LENGTH_SPREAD_FLOOR), 6);
  });
});

describe('gainToScore', () => {
  it('maps a gain in [-1, 1] to [0, 1] and clamps', () => {
    expect(gainToScore(0)).toBe(0.5);
    expect(gainToScore(1)).toBe(1);
    expect(gainToScore(-3)).toBe(0);
  });
});

describe('knn-gain router', () => {
  const embedder = fakeEmbedder({ maths: [1, 0], poem: [0, 1], 'mostly maths': [0.9, 0.1] });
  const weights = learnedRouterWeights('knn-gain', embedder.id, { k: 1, lengthWeight: 0 }, {
    embeddings: { dtype: 'float16', shape: [2, 2], data: Float32Array.of(1, 0, 0, 1) },
    gains: { shape: [2], data: Float32Array.of(0.6, -0.2) },
    logChars: { shape: [2], data: Float32Array.of(3, 3) },
  });

  it('scores a prompt by its nearest training prompt', async () => {
    const router = await knnGainRouterDefinition.create({ embedder, weights });
    const [maths, poem, mostly] = await router.score(['maths', 'poem', 'mostly maths']);
    expect(maths).toBeCloseTo(0.8, 6);
    expect(poem).toBeCloseTo(0.4, 6);
    expect(mostly).toBeCloseTo(0.8, 6);
  });

  it('refuses weights trained on another encoder, and weights of another router', async () => {
    const other = fakeEmbedder({ x: [1, 0] }, 'other-encoder');
    expect(() => knnGainRouterDefinition.create({ embedder: other, weights })).toThrow(/trained on encoder 'fake-encoder@test'/);
    const mislabelled = { ...weights, manifest: { ...weights.manifest, router: 'mf' } };
    expect(() => knnGainRouterDefinition.create({ embedder, weights: mislabelled })).toThrow(/for router "mf"/);
  });
});

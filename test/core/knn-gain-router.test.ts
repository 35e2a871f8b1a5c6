import { describe, expect, it } from 'vitest';
import { difficultyAdjustment, gainToScore, knnGainRouterDefinition, LENGTH_SPREAD_FLOOR, priorGain, type KnnGainModel } from '../../src/core/knn-gain-router.ts';
import { PROMPT_FEATURE_COUNT } from '../../src/core/prompt-features.ts';
import { fakeEmbedder } from './fake-embedder.ts';
import { learnedRouterWeights } from './learned-router-weights.ts';

const base: KnnGainModel = {
  embeddings: { inputDimensions: 2, dimensions: 2, projection: Float32Array.of(1, 0, 0, 1), rows: new Float32Array(8) },
  gains: Float32Array.of(1, 0),
  logChars: Float32Array.of(2, 4, 3, 5),
  family: Float32Array.of(0, 0, 1, 1),
  families: ['mmlu', 'grade-school-math'],
  localWeight: Float32Array.of(0, 0.1),
  // mmlu: 0.2 * (ln chars - 3) / 2 as a linear term on ln chars.
  featureWeights: Float32Array.from({ length: 2 * PROMPT_FEATURE_COUNT }, (_, index) => (index === 0 ? 0.1 : 0)),
  featureOffset: Float32Array.of(-0.3, 0),
  termLow: Float32Array.of(-10, 0),
  termHigh: Float32Array.of(10, 0),
  k: 2,
  neighbourhood: 2,
};

describe('knn-gain pieces', () => {
  it('averages the gains of the nearest labelled rows', () => {
    expect(priorGain(Float32Array.of(1, 0, -1), [0, 2])).toBe(0);
    expect(priorGain(Float32Array.of(1, 0, -1), [0, 1])).toBe(0.5);
  });

  const features = (lnChars: number, digitShare = 0) => Float64Array.from({ length: PROMPT_FEATURE_COUNT }, (_, index) => (index === 0 ? lnChars : index === 4 ? digitShare : 0));

  it('applies the linear statistics term of mmlu where the neighbours are mmlu', () => {
    // Neighbours 0 and 1 are mmlu: 0.1 * 5 - 0.3 = 0.2 (a global z of (5 - 3) / 2 = 1 at weight 0.2).
    expect(difficultyAdjustment(base, [0, 1], features(5))).toBeCloseTo(0.2, 6);
    const digits: KnnGainModel = { ...base, featureWeights: base.featureWeights.map((value, index) => (index === 4 ? -1 : value)) };
    expect(difficultyAdjustment(digits, [0, 1], features(5, 0.25))).toBeCloseTo(0.2 - 0.25, 6);
  });

  it('clips a family\'s linear term to its stored range before mixing it in', () => {
    // 0.1 * 8 - 0.3 = 0.5 would be applied unbounded; mmlu's training range ends at 0.25.
    const bounded: KnnGainModel = { ...base, termLow: Float32Array.of(-0.25, 0), termHigh: Float32Array.of(0.25, 0) };
    expect(difficultyAdjustment(bounded, [0, 1], features(8))).toBeCloseTo(0.25, 6);
    expect(difficultyAdjustment(bounded, [0, 1], features(0))).toBeCloseTo(-0.25, 6);
    expect(difficultyAdjustment(bounded, [0, 2], features(8))).toBeCloseTo(0.5 * 0.25 + 0.5 * ((0.1 * 5.5) / (0.5 + LENGTH_SPREAD_FLOOR)), 6);
  });

  it('weights the local length z by the family of grade-school-math neighbours, and mixes families by share', () => {
    // Neighbours 2 and 3: ln lengths 3 and 5, mean 4, sd 1; local z of 6 = 2 / (1 + floor), weight 0.1.
    const local = (0.1 * 2) / (1 + LENGTH_SPREAD_FLOOR);
    expect(difficultyAdjustment(base, [2, 3], features(6))).toBeCloseTo(local, 6);
    // Neighbours 0 and 2: half mmlu (0.1 * 6 - 0.3), half grade-school-math (local z of 6 against 2 and 3: mean 2.5, sd 0.5).
    expect(difficultyAdjustment(base, [0, 2], features(6))).toBeCloseTo(0.5 * 0.3 + 0.5 * ((0.1 * 3.5) / (0.5 + LENGTH_SPREAD_FLOOR)), 6);
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
  const weights = learnedRouterWeights('knn-gain', embedder.id, { k: 1, neighbourhood: 1, families: ['mmlu', 'chat'] }, {
    // Stored in a swapped basis (the projection swaps the axes). Rows 0-1 are labelled; row 2 only informs difficulty.
    projection: { dtype: 'float16', shape: [2, 2], data: Float32Array.of(0, 1, 1, 0) },
    embeddings: { dtype: 'int8', shape: [3, 2], data: Float32Array.of(0, 1, 1, 0, 0.9 / Math.hypot(0.1, 0.9), 0.1 / Math.hypot(0.1, 0.9)) },
    gains: { shape: [2], data: Float32Array.of(0.6, -0.2) },
    logChars: { shape: [3], data: Float32Array.of(3, 3, 3) },
    family: { shape: [3], data: Float32Array.of(0, 1, 0) },
    localWeight: { shape: [2], data: Float32Array.of(0, 0) },
    // mmlu: 0.1 * (ln chars - 2).
    featureWeights: { shape: [2, PROMPT_FEATURE_COUNT], data: Float32Array.from({ length: 2 * PROMPT_FEATURE_COUNT }, (_, index) => (index === 0 ? 0.1 : 0)) },
    featureOffset: { shape: [2], data: Float32Array.of(-0.2, 0) },
    termLow: { shape: [2], data: Float32Array.of(-5, 0) },
    termHigh: { shape: [2], data: Float32Array.of(5, 0) },
  });

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
    expect(() => knnGainRouterDefinition.create({ embedder: narrow, weights })).toThrow(/tensor 'projection' has shape \[2, 2\], expected \[3, \*\]/);
    const newer = { ...weights, manifest: { ...weights.manifest, tensorFormat: 3 } };
    expect(() => knnGainRouterDefinition.create({ embedder, weights: newer })).toThrow(/tensor format 3, but this version of routellm-web reads formats 1 and 2/);
  });

  it('refuses a clipping range whose low end exceeds its high end', () => {
    const inverted = learnedRouterWeights('knn-gain', embedder.id, { k: 1, neighbourhood: 1, families: ['mmlu', 'chat'] }, {
      projection: { dtype: 'float16', shape: [2, 2], data: Float32Array.of(0, 1, 1, 0) },
      embeddings: { dtype: 'int8', shape: [2, 2], data: Float32Array.of(0, 1, 1, 0) },
      gains: { shape: [2], data: Float32Array.of(0.6, -0.2) },
      logChars: { shape: [2], data: Float32Array.of(3, 3) },
      family: { shape: [2], data: Float32Array.of(0, 1) },
      localWeight: { shape: [2], data: Float32Array.of(0, 0) },
      featureWeights: { shape: [2, PROMPT_FEATURE_COUNT], data: new Float32Array(2 * PROMPT_FEATURE_COUNT) },
      featureOffset: { shape: [2], data: Float32Array.of(0, 0) },
      termLow: { shape: [2], data: Float32Array.of(0.5, 0) },
      termHigh: { shape: [2], data: Float32Array.of(0.1, 0) },
    });
    expect(() => knnGainRouterDefinition.create({ embedder, weights: inverted })).toThrow(/'termLow' must not exceed 'termHigh'/);
  });

  it('refuses weights trained on another encoder, and weights of another router', async () => {
    const other = fakeEmbedder({ x: [1, 0] }, 'other-encoder');
    expect(() => knnGainRouterDefinition.create({ embedder: other, weights })).toThrow(/trained on encoder 'fake-encoder@test'/);
    const mislabelled = { ...weights, manifest: { ...weights.manifest, router: 'mf' } };
    expect(() => knnGainRouterDefinition.create({ embedder, weights: mislabelled })).toThrow(/for router "mf"/);
  });
});

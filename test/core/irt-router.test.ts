import { describe, expect, it } from 'vitest';
import { ModelLoadError } from '../../src/core/errors.ts';
import {
  familyAdjustedGain,
  familyShares,
  irtGain,
  irtInputCount,
  irtInputs,
  type IrtModel,
  type IrtRouter,
  irtRouterDefinition,
  modelLogit,
  promptTraits,
} from '../../src/core/irt-router.ts';
import { sigmoid } from '../../src/core/logistic.ts';
import { PROMPT_FEATURE_COUNT, promptFeatures } from '../../src/core/prompt-features.ts';
import { fakeEmbedder } from './fake-embedder.ts';
import { learnedRouterWeights } from './learned-router-weights.ts';

const INPUTS = irtInputCount(2);
/** Difficulty rises with the first embedding axis; the one skill is the second axis. */
function promptWeights(): Float32Array {
  const weights = new Float32Array(2 * INPUTS);
  weights[0] = 2; // difficulty: 2 * axis 0
  weights[INPUTS + 1] = 1; // demand: axis 1
  return weights;
}

const model: IrtModel = {
  projection: Float32Array.of(1, 0, 0, 1),
  inputDimensions: 2,
  components: 2,
  featureMean: new Float32Array(PROMPT_FEATURE_COUNT),
  featureScale: new Float32Array(PROMPT_FEATURE_COUNT).fill(1),
  promptWeights: promptWeights(),
  skills: 1,
  models: ['strong', 'weak', 'specialist'],
  // ability, skill
  modelWeights: Float32Array.of(3, 0, 0, 0, 0, 4),
  strong: 0,
  weak: 1,
  families: ['chat', 'math'],
  familyWeights: new Float32Array(2 * INPUTS),
  familyGain: Float32Array.of(0.1, 0.3),
  gainShrink: Float32Array.of(1, 0.5),
  lengthMean: Float32Array.of(3, 4),
  lengthScale: Float32Array.of(1, 2),
  lengthWeight: Float32Array.of(0, 0.5),
};

describe('irt pieces', () => {
  it('reads a prompt as its projected embedding, standardised statistics and a constant', () => {
    const [x] = irtInputs(model, [[0.6, 0.8]], ['hi']);
    expect(x!.length).toBe(INPUTS);
    expect([x![0], x![1]]).toEqual([expect.closeTo(0.6, 6), expect.closeTo(0.8, 6)]);
    expect(x![2]).toBeCloseTo(promptFeatures('hi')[0]!, 6);
    expect(x![INPUTS - 1]).toBe(1);
  });

  it('gives each model the logit ability + skill . demand - difficulty', () => {
    const x = irtInputs(model, [[1, 0]], ['q'])[0]!;
    const traits = promptTraits(model, x);
    expect(traits[0]).toBeCloseTo(2, 6);
    expect(modelLogit(model, 0, traits)).toBeCloseTo(3 - 2, 6);
    expect(modelLogit(model, 1, traits)).toBeCloseTo(0 - 2, 6);
    const skilled = promptTraits(model, irtInputs(model, [[0, 1]], ['q'])[0]!);
    expect(modelLogit(model, 2, skilled)).toBeCloseTo(4, 6);
  });

  it('shrinks the gain towards each family mean and adds its length term, mixed by the classifier shares', () => {
    // chat: gain kept as it is, no length term; math: half the deviation from 0.3 kept, 0.5 * z with z = (6 - 4) / 2.
    expect(familyAdjustedGain(model, Float64Array.of(1, 0), 0.7, 6)).toBeCloseTo(0.7, 6);
    const math = 0.3 + 0.5 * (0.7 - 0.3) + 0.5 * 1;
    expect(familyAdjustedGain(model, Float64Array.of(0, 1), 0.7, 6)).toBeCloseTo(math, 6);
    expect(familyAdjustedGain(model, Float64Array.of(0.5, 0.5), 0.7, 6)).toBeCloseTo(0.5 * 0.7 + 0.5 * math, 6);
    const shares = familyShares(model, new Float32Array(INPUTS));
    expect([...shares]).toEqual([0.5, 0.5]);
  });

  it('scores the strong model gain, so a prompt hard for the weak model only scores highest', () => {
    const noLength = { ...model, lengthWeight: new Float32Array(2), gainShrink: Float32Array.of(1, 1) };
    const easy = irtInputs(noLength, [[0.01, 1]], ['a'])[0]!;
    const middle = irtInputs(noLength, [[1, 0.01]], ['a'])[0]!;
    const gainEasy = irtGain(noLength, easy);
    const gainMiddle = irtGain(noLength, middle);
    expect(gainMiddle).toBeCloseTo(sigmoid(3 - 2) - sigmoid(-2), 2);
    expect(gainMiddle).toBeGreaterThan(gainEasy);
  });
});

describe('irt router from weights', () => {
  const embedder = fakeEmbedder({ hard: [1, 0], skill: [0, 1] }, 'enc@1');
  const weights = (parameters: Record<string, unknown> = {}) =>
    learnedRouterWeights(
      'irt',
      'enc@1',
      {
        components: 2,
        skills: 1,
        models: model.models,
        strong: 'strong',
        weak: 'weak',
        families: model.families,
        ...parameters,
      },
      {
        projection: { shape: [2, 2], data: model.projection },
        featureMean: { shape: [PROMPT_FEATURE_COUNT], data: model.featureMean },
        featureScale: { shape: [PROMPT_FEATURE_COUNT], data: model.featureScale },
        promptWeights: { shape: [2, INPUTS], data: model.promptWeights },
        modelWeights: { shape: [3, 2], data: model.modelWeights },
        familyWeights: { shape: [2, INPUTS], data: model.familyWeights },
        familyGain: { shape: [2], data: model.familyGain },
        gainShrink: { shape: [2], data: model.gainShrink },
        lengthMean: { shape: [2], data: model.lengthMean },
        lengthScale: { shape: [2], data: model.lengthScale },
        lengthWeight: { shape: [2], data: model.lengthWeight },
      },
    );

  it('scores the pair and predicts every model', async () => {
    const router = await irtRouterDefinition.create({ embedder, weights: weights() });
    const [hard, skill] = await router.score(['hard', 'skill']);
    expect(hard).toBeGreaterThan(0.5);
    expect(skill).toBeGreaterThan(0);
    const predictor = router as unknown as { models: string[]; predictQuality(p: string[]): Promise<Float64Array[]> };
    expect(predictor.models).toEqual(['strong', 'weak', 'specialist']);
    const [qualities] = await predictor.predictQuality(['skill']);
    expect(qualities![2]).toBeGreaterThan(qualities![0]!);
    expect(qualities![0]).toBeGreaterThan(qualities![1]!);
  });

  it('adds a model placed like a known one, and says how it was placed', async () => {
    const router = await irtRouterDefinition.create({ embedder, weights: weights() });
    const irt = router as IrtRouter;
    const placed = await irt.withModel('house-model', { like: 'specialist' });
    expect(placed.models).toEqual(['strong', 'weak', 'specialist', 'house-model']);
    expect(placed.placements).toEqual({ 'house-model': 'like specialist' });
    const [qualities] = await placed.predictQuality(['skill']);
    expect(qualities![3]).toBeCloseTo(qualities![2]!, 6);
    expect(await placed.score(['hard'])).toEqual(await router.score(['hard']));
    await expect(irt.withModel('strong', { like: 'weak' })).rejects.toThrow(/deployment pair/);
    await expect(irt.withModel('x', { like: 'gpt-9' })).rejects.toThrow(/not one the irt router knows/);
    await expect(irt.withModel('x', { scores: { 'mmlu-pro': 0.5 } })).rejects.toThrow(/No reference set/);
  });

  it('refuses a pair outside its models and bad length scales', async () => {
    await expect(async () =>
      irtRouterDefinition.create({ embedder, weights: weights({ strong: 'gpt-9' }) }),
    ).rejects.toThrow(/parameter 'strong' must name one of the models/);
    const bad = weights();
    const broken = learnedRouterWeights('irt', 'enc@1', bad.manifest['parameters'] as Record<string, unknown>, {
      projection: { shape: [2, 2], data: model.projection },
    });
    await expect(async () => irtRouterDefinition.create({ embedder, weights: broken })).rejects.toThrow(ModelLoadError);
  });
});

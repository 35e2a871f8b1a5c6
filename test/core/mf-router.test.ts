import { describe, expect, it } from 'vitest';
import { createMfRouter, mfModelFromWeights, mfRouterDefinition, type MfModel } from '../../src/core/mf-router.ts';
import { PROMPT_FEATURE_COUNT } from '../../src/core/prompt-features.ts';
import { fakeEmbedder } from './fake-embedder.ts';
import { learnedRouterWeights } from './learned-router-weights.ts';

const embedder = fakeEmbedder({ code: [1, 0], chat: [0, 1] });
const rank = 2;
const width = 2 + PROMPT_FEATURE_COUNT;
// Projection reads the embedding only: h = (e0, e1). Model embeddings point along h's axes with different lengths.
const projection = new Float32Array(rank * width);
projection[0] = 3;
projection[width + 1] = 3;
const weights = learnedRouterWeights(
  'mf',
  embedder.id,
  { models: ['big', 'small', 'chatty'], rank, defaultPair: { strong: 'big', weak: 'small' } },
  {
    modelEmbeddings: { shape: [3, rank], data: Float32Array.of(1, 0, 0, 1, 0.6, 0.8) },
    projection: { shape: [rank, width], data: projection },
    classifier: { shape: [rank], data: Float32Array.of(1, 1) },
    featureMean: { shape: [PROMPT_FEATURE_COUNT], data: new Float32Array(PROMPT_FEATURE_COUNT) },
    featureScale: { shape: [PROMPT_FEATURE_COUNT], data: new Float32Array(PROMPT_FEATURE_COUNT).fill(1) },
  },
);

describe('mf router', () => {
  it('computes sigmoid(score(strong) - score(weak)) with normalised model embeddings', async () => {
    const router = await mfRouterDefinition.create({ embedder, weights });
    const [code, chat] = await router.score(['code', 'chat']);
    expect(code).toBeCloseTo(1 / (1 + Math.exp(-3)), 5);
    expect(chat).toBeCloseTo(1 / (1 + Math.exp(3)), 5);
  });

  it('lets the caller choose the pair, and the pair changes the prediction', async () => {
    const { model } = mfModelFromWeights({ embedder, weights });
    const score = (strong: string, weak: string) =>
      createMfRouter({ embedder, model, strong, weak })
        .score(['code'])
        .then((scores) => scores[0]!);
    const bigOverSmall = await score('big', 'small');
    expect(await score('small', 'big')).toBeCloseTo(1 - bigOverSmall, 6);
    expect(await score('big', 'chatty')).not.toBeCloseTo(bigOverSmall, 3);
  });

  it('rejects unknown models and a pair of one model', () => {
    const { model } = mfModelFromWeights({ embedder, weights });
    expect(() => createMfRouter({ embedder, model: model as MfModel, strong: 'gpt-9', weak: 'small' })).toThrow(
      /not trained on model 'gpt-9'/,
    );
    expect(() => createMfRouter({ embedder, model, strong: 'big', weak: 'big' })).toThrow(/must differ/);
  });
});

import { generateText } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import { afterAll, describe, expect, it } from 'vitest';
import { routedModel } from '../../src/ai-sdk/index.ts';
import { createNodeRouter } from '../../src/sdk/node.ts';
import { InvalidInputError } from '../../src/core/errors.ts';

/** This repository's public/ folder: the encoder (npm run build:encoder) and the trained routers. */
const PUBLIC = new URL('../../public/', import.meta.url);

function mockModel(modelId: string) {
  return new MockLanguageModelV4({
    modelId,
    doGenerate: {
      content: [{ type: 'text', text: `answered by ${modelId}` }],
      finishReason: { unified: 'stop', raw: 'stop' },
      usage: {
        inputTokens: { total: 1, noCache: 1, cacheRead: undefined, cacheWrite: undefined },
        outputTokens: { total: 1, text: 1, reasoning: undefined },
      },
      warnings: [],
    },
  });
}

describe('createNodeRouter', () => {
  const knnGain = createNodeRouter({ router: 'knn-gain', strongPct: 0.5, modelBaseUrl: PUBLIC, fallback: 'error' });
  afterAll(() => knnGain.dispose());

  it('loads knn-gain in this thread (encoder from public/models, weights from public/routers) and routes for real', async () => {
    const status = await knnGain.ready;
    expect(status).toMatchObject({
      state: 'ready',
      info: {
        router: 'knn-gain',
        device: 'cpu',
        models: [{ requirement: 'embedder', model: 'universal-sentence-encoder-lite' }],
      },
    });
    const model = routedModel({ router: knnGain, strong: mockModel('strong-model'), weak: mockModel('weak-model') });
    const prompts = { weak: 'hi', strong: "Prove Fermat's little theorem and use it to compute 3^100 mod 7." };
    for (const [tier, prompt] of Object.entries(prompts)) {
      const { text, providerMetadata } = await generateText({ model, prompt });
      expect(providerMetadata?.['routellm']).toMatchObject({
        tier,
        modelId: `${tier}-model`,
        router: 'knn-gain',
        device: 'cpu',
        calibration: 'manifest',
        strongPct: 0.5,
        fallback: false,
      });
      expect(text).toBe(`answered by ${tier}-model`);
    }
  });

  it("hands a router whose folder is missing to its fallback, as createRouter's do", async () => {
    const router = createNodeRouter({
      router: 'mf',
      threshold: 0.5,
      modelBaseUrl: new URL('no-such-folder/', PUBLIC),
      fallback: 'strong',
    });
    expect(await router.ready).toMatchObject({ state: 'fallback', error: { code: 'model_not_found' } });
    expect(await router.route('hello')).toMatchObject({ tier: 'strong', fallback: true });
  });

  it('checks its options as createRouter does', () => {
    expect(() => createNodeRouter(null as never)).toThrow(InvalidInputError);
    expect(() => createNodeRouter({ router: 'length' })).toThrow(/Give a threshold/);
  });
});

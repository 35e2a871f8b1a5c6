import { afterEach, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.ts';
import { irtInputCount } from '../../src/core/irt-router.ts';
import { sigmoid } from '../../src/core/logistic.ts';
import { PROMPT_FEATURE_COUNT } from '../../src/core/prompt-features.ts';
import { defaultRegistry } from '../../src/core/routers.ts';
import { createModelRouter, type ModelRouterOptions } from '../../src/sdk/model-router.ts';
import { describeWeightFiles } from '../../src/core/weights/router-weights.ts';
import type { Encoder } from '../../src/encoder/index.ts';
import { createRouter } from '../../src/sdk/prompt-router.ts';
import { WorkerClient } from '../../src/worker/worker-client.ts';
import { learnedRouterWeights } from '../core/learned-router-weights.ts';
import { inProcessWorkers } from '../worker/in-process-worker.ts';
import { createFakeEncoder, lengthQualityRouter } from '../worker/test-routers.ts';

const clients: WorkerClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.terminate();
});

function worker(): WorkerClient {
  const workers = inProcessWorkers({ registry: defaultRegistry.with(lengthQualityRouter) });
  const client = new WorkerClient({ createWorker: workers.createWorker });
  clients.push(client);
  return client;
}

// Prices in USD per 1M tokens; 100 answer tokens each.
const models = [
  { name: 'big', like: 'frontier', inputPrice: 10, outputPrice: 30, answerTokens: 100 },
  { name: 'small', inputPrice: 0.1, outputPrice: 0.1, answerTokens: 100 },
];
const options = (policy: ModelRouterOptions['policy']): ModelRouterOptions => ({
  router: 'length-quality',
  models,
  policy,
  modelBaseUrl: 'http://app.test/',
  worker: worker(),
});

describe('createRouter({ models, policy })', () => {
  it('chooses among N models and names every model quality, expected cost and why', async () => {
    const router = createRouter(options({ costWeight: { lambda: 100 } }));
    // 400 characters: 100 prompt tokens. big: (100 x 10 + 100 x 30) / 1e6 = $0.004; small: $0.00002.
    // small's quality is 0.9 - 0.4 = 0.5: big 0.9 - 0.4 = 0.5 vs small 0.5 - 0.002 = 0.498 -> big.
    const decision = await router.route('x'.repeat(400));
    expect(decision.model).toBe('big');
    expect(decision.estimates).toHaveLength(2);
    expect(decision.estimates[0]!.expectedCostUsd).toBeCloseTo(0.004, 12);
    expect(decision.estimates[1]!.quality).toBeCloseTo(0.5, 12);
    expect(decision.estimates[1]!.expectedCostUsd).toBeCloseTo(0.00002, 12);
    expect(decision.mapping).toEqual({ big: 'like frontier', small: 'known' });
    expect(decision.router).toBe('length-quality');
    expect(decision.device).toBe('cpu');
    expect(decision.why).toMatch(/^big has the best quality - 100 x cost/);
    // A short prompt: both 0.9 (small's 0.9 - 0.002), small is far cheaper.
    expect((await router.route([{ role: 'user', content: 'hi' }])).model).toBe('small');
  });

  it('applies a price cap and an epsilon', async () => {
    const capped = createModelRouter(options({ maxQuality: { priceCapUsd: 0.001 } }));
    expect((await capped.route('x'.repeat(400))).model).toBe('small');
    const within = createModelRouter(options({ cheapestWithin: { epsilon: 0.45 } }));
    const [long, longer] = await within.routeBatch(['x'.repeat(400), 'x'.repeat(600)]);
    // Qualities 0.9 vs 0.5 (gap 0.4 <= 0.45) and 0.9 vs 0.3 (gap 0.6).
    expect(long!.model).toBe('small');
    expect(longer!.model).toBe('big');
  });

  it('turns a cost target into lambda on calibration prompts', async () => {
    // Two calibration prompts of 400 characters: big on both costs $4 per 1,000 requests, small on both $0.02.
    const router = createModelRouter({
      ...options({ costWeight: { costPer1000Usd: 0.02 } }),
      calibrationPrompts: ['y'.repeat(400), 'z'.repeat(400)],
    });
    await router.ready;
    const policy = router.policy;
    if (policy === undefined || !('costWeight' in policy)) throw new Error('expected a costWeight policy');
    // The switch from big to small: (0.9 - 0.5) / (0.004 - 0.00002) = 100.5.
    expect(policy.costWeight.lambda).toBeCloseTo(0.4 / 0.00398, 6);
    expect((await router.route('x'.repeat(400))).model).toBe('small');
  });

  it('refuses bad options and models the router does not know', async () => {
    expect(() => createModelRouter({ ...options({ costWeight: { lambda: -1 } }) })).toThrow(InvalidInputError);
    expect(() => createModelRouter({ ...options({ costWeight: { meanQuality: 0.8 } }) })).toThrow(/calibrationPrompts/);
    expect(() => createModelRouter({ ...options({ costWeight: { lambda: 1 } }), models: [] })).toThrow(/at least one/);
    const unknown = createModelRouter({
      ...options({ costWeight: { lambda: 1 } }),
      models: [{ name: 'mystery', inputPrice: 1, outputPrice: 1 }],
    });
    await expect(unknown.route('hi')).rejects.toThrow(/does not know model 'mystery'.*It knows frontier, small/);
    const twoModel = createModelRouter({ ...options({ costWeight: { lambda: 1 } }), router: 'length' });
    await expect(twoModel.route('hi')).rejects.toThrow(/does not predict each model's quality/);
  });
});

/**
 * A small real irt router, read by the worker from a weights folder built here: a prompt 'p <x> <y>' embeds as
 * [x, y]; its difficulty is 2x and its skill demand y. 'strong' has ability 3, 'weak' 0, 'specialist' ability 0 and
 * skill 4. Reference set 'mmlu-pro' asks no skill, 'zeroeval-math' asks it.
 */
const IRT_INPUTS = irtInputCount(2);
const IRT_WEIGHTS_URL = 'http://app.test/routers/irt/';

function irtWeightsFiles(): Map<string, Uint8Array> {
  const promptWeights = new Float32Array(2 * IRT_INPUTS);
  promptWeights[0] = 2;
  promptWeights[IRT_INPUTS + 1] = 1;
  const weights = learnedRouterWeights(
    'irt',
    'fake-encoder@fp32-00000000',
    {
      components: 2,
      skills: 1,
      models: ['strong', 'weak', 'specialist'],
      strong: 'strong',
      weak: 'weak',
      families: ['chat'],
      references: [
        { name: 'mmlu-pro', prompts: 4 },
        { name: 'zeroeval-math', prompts: 2 },
      ],
    },
    {
      projection: { shape: [2, 2], data: Float32Array.of(1, 0, 0, 1) },
      featureMean: { shape: [PROMPT_FEATURE_COUNT], data: new Float32Array(PROMPT_FEATURE_COUNT) },
      featureScale: { shape: [PROMPT_FEATURE_COUNT], data: new Float32Array(PROMPT_FEATURE_COUNT).fill(1) },
      promptWeights: { shape: [2, IRT_INPUTS], data: promptWeights },
      modelWeights: { shape: [3, 2], data: Float32Array.of(3, 0, 0, 0, 0, 4) },
      familyWeights: { shape: [1, IRT_INPUTS], data: new Float32Array(IRT_INPUTS) },
      familyGain: { shape: [1], data: Float32Array.of(0.2) },
      gainShrink: { shape: [1], data: Float32Array.of(1) },
      lengthMean: { shape: [1], data: Float32Array.of(0) },
      lengthScale: { shape: [1], data: Float32Array.of(1) },
      lengthWeight: { shape: [1], data: Float32Array.of(0) },
      // [difficulty, skill demand] of each reference prompt.
      referenceTraits: { shape: [6, 2], data: Float32Array.of(1, 0, 2, 0, 0, 0, 3, 0, 1, 1, 1, 0.5) },
    },
  );
  const manifest = { ...weights.manifest, files: describeWeightFiles(weights.files) };
  return new Map([['manifest.json', new TextEncoder().encode(JSON.stringify(manifest))], ...weights.files]);
}

/** 'p <x> <y>' embeds as [x, y]; every text it encodes is recorded. */
function pointEncoder(): Encoder & { encoded: string[] } {
  const encoder = {
    ...createFakeEncoder(),
    encoded: [] as string[],
    async encode(texts: readonly string[]) {
      encoder.encoded.push(...texts);
      return texts.map((text) => {
        const [, x, y] = /^p (\S+) (\S+)/.exec(text) ?? [];
        if (x === undefined || y === undefined) throw new Error(`pointEncoder cannot embed '${text}'`);
        return { embedding: Float32Array.of(Number(x), Number(y)), tokens: 3, truncated: false, chunks: 1 };
      });
    },
  };
  return encoder;
}

describe('createRouter with models placed by scores and labels (irt in the worker)', () => {
  const encoder = pointEncoder();
  const files = irtWeightsFiles();
  const irtWorker = (): WorkerClient => {
    const workers = inProcessWorkers({
      registry: defaultRegistry.with(lengthQualityRouter),
      weightsReader: (url) => async (file, onBytes) => {
        const bytes = url === IRT_WEIGHTS_URL ? files.get(file) : undefined;
        if (bytes) onBytes(bytes.byteLength, bytes.byteLength);
        return bytes;
      },
      loaders: { embedder: async () => encoder },
    });
    const client = new WorkerClient({ createWorker: workers.createWorker });
    clients.push(client);
    return client;
  };
  const priced = { inputPrice: 1, outputPrice: 1 };
  const irtOptions = (deployment: ModelRouterOptions['models'], worker = irtWorker()): ModelRouterOptions => ({
    router: 'irt',
    models: deployment,
    policy: { costWeight: { lambda: 0 } },
    modelBaseUrl: 'http://app.test/',
    worker,
  });
  // 40 prompts, half asking the skill (y = 1): the house model answers those and fails the rest.
  const labels = Array.from({ length: 40 }, (_, index) => ({
    prompt: `p 0.5 ${index % 2} label ${index}`,
    quality: index % 2,
  }));

  it('places a model by published scores between the known models its score lies between', async () => {
    const router = createModelRouter(
      irtOptions([
        { name: 'strong', ...priced },
        { name: 'weak', ...priced },
        { name: 'llama-low', scores: { 'mmlu-pro': 0.35 }, ...priced },
        { name: 'llama-high', scores: { 'mmlu-pro': 0.65 }, ...priced },
      ]),
    );
    // Difficulty 1, no skill asked: weak sigmoid(-1) = 0.27, strong sigmoid(2) = 0.88.
    const decision = await router.route('p 0.5 0');
    const quality = Object.fromEntries(decision.estimates.map((estimate) => [estimate.model, estimate.quality]));
    expect(quality['weak']).toBeCloseTo(sigmoid(-1), 6);
    expect(quality['strong']).toBeCloseTo(sigmoid(2), 6);
    expect(quality['weak']!).toBeLessThan(quality['llama-low']!);
    expect(quality['llama-low']!).toBeLessThan(quality['llama-high']!);
    expect(quality['llama-high']!).toBeLessThan(quality['strong']!);
    expect(decision.model).toBe('strong');
    expect(decision.mapping).toEqual({
      strong: 'known',
      weak: 'known',
      'llama-low': 'scores on mmlu-pro',
      'llama-high': 'scores on mmlu-pro',
    });
  });

  it('places a model by labelled prompts, once per router and placements', async () => {
    const worker = irtWorker();
    const deployment = [
      { name: 'weak', ...priced },
      { name: 'house-bot', labels, ...priced },
      { name: 'big', like: 'strong', ...priced },
    ];
    const router = createModelRouter(irtOptions(deployment, worker));
    await router.ready;
    const labelTexts = encoder.encoded.filter((text) => text.includes('label')).length;
    expect(labelTexts).toBe(40);
    const [skilled, plain] = await router.routeBatch(['p 0.5 1', 'p 0.5 0']);
    const houseBot = (decision: typeof skilled) =>
      decision!.estimates.find((estimate) => estimate.model === 'house-bot')!.quality;
    expect(houseBot(skilled)).toBeGreaterThan(houseBot(plain) + 0.2);
    expect(skilled!.mapping).toEqual({ weak: 'known', 'house-bot': 'labels (40 prompts)', big: 'like strong' });
    // The same router and placements again, on the same worker: the placed router is reused, nothing re-embedded.
    const again = createModelRouter(irtOptions(deployment, worker));
    await again.route('p 0.2 0');
    await router.route('p 0.3 0');
    expect(encoder.encoded.filter((text) => text.includes('label')).length).toBe(labelTexts);
  });

  it('refuses placements it cannot use, naming the model', async () => {
    const create = (model: Record<string, unknown>) =>
      createModelRouter(irtOptions([{ name: 'x', ...priced, ...model } as ModelRouterOptions['models'][number]]));
    expect(() => create({ like: 'weak', scores: { 'mmlu-pro': 0.5 } })).toThrow(
      /Model 'x' gives like and scores: place it by exactly one of them/,
    );
    expect(() => create({ scores: { 'mmlu-pro': 1.2 } })).toThrow(
      /'x': its score on 'mmlu-pro' must be an accuracy in \[0, 1\], got 1.2/,
    );
    expect(() => create({ scores: {} })).toThrow(/'scores' must map reference sets/);
    expect(() => create({ labels: labels.slice(0, 9) })).toThrow(/'x': 'labels' must list at least 10 .* got 9/);
    expect(() => create({ labels: [...labels.slice(0, 10), { prompt: 'p 1 1', quality: 2 }] })).toThrow(
      /labels\[10\].quality must be in \[0, 1\], got 2/,
    );
    await expect(create({ scores: { arena: 0.5 } }).route('p 0.5 0')).rejects.toThrow(
      /Model 'x' could not be placed on router 'irt': No reference set 'arena'.*mmlu-pro, zeroeval-math/,
    );
    const notPlacing = createModelRouter({
      ...options({ costWeight: { lambda: 1 } }),
      models: [...models, { name: 'my-llama', scores: { 'mmlu-pro': 0.45 }, ...priced }],
    });
    await expect(notPlacing.route('hi')).rejects.toThrow(
      /Router 'length-quality' cannot place model 'my-llama' by scores: it predicts only the models it was trained on/,
    );
  });
});

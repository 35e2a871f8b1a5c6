import { afterEach, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.ts';
import type { RouterDefinition } from '../../src/core/registry.ts';
import { defaultRegistry } from '../../src/core/routers.ts';
import { createModelRouter, type ModelRouterOptions } from '../../src/sdk/model-router.ts';
import { createRouter } from '../../src/sdk/prompt-router.ts';
import { WorkerClient } from '../../src/worker/worker-client.ts';
import { inProcessWorkers } from '../worker/in-process-worker.ts';

/**
 * A per-model quality router in plain JavaScript (test router): 'frontier' answers everything well (0.9); 'small'
 * answers short prompts as well (0.9) and loses 0.1 per 100 characters.
 */
const lengthQualityRouter: RouterDefinition = {
  name: 'length-quality',
  description: 'Per-model quality from prompt length (test router).',
  requires: [],
  create: () => ({
    name: 'length-quality',
    models: ['frontier', 'small'],
    score: async (prompts) => prompts.map(() => 0.5),
    predictQuality: async (prompts: readonly string[]) =>
      prompts.map((prompt) => Float64Array.from([0.9, Math.max(0, 0.9 - prompt.length / 1000)])),
  }),
};

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

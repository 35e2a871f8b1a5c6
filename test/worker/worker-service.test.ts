import { describe, expect, it } from 'vitest';
import { AbortError, InvalidInputError, ModelLoadError, RouteError } from '../../src/core/errors.ts';
import { LENGTH_CALIBRATION_QUANTILES } from '../../src/core/length-calibration.ts';
import { createLengthRouter } from '../../src/core/length-router.ts';
import type { RouterDefinition } from '../../src/core/registry.ts';
import { defaultRegistry } from '../../src/core/routers.ts';
import type { EncoderOptions } from '../../src/encoder/index.ts';
import { WorkerService, canonicalKey, type LoadProgressEvent } from '../../src/worker/worker-service.ts';
import { createFakeEncoder, linearHeadFiles, linearHeadRouter, memoryWeights } from './test-routers.ts';

const WEIGHTS = 'http://app.test/routers/linear-head/';

function serviceWith(
  definitions: RouterDefinition[] = [linearHeadRouter],
  folders: Record<string, Map<string, string>> = { [WEIGHTS]: linearHeadFiles() },
) {
  const encoders: ReturnType<typeof createFakeEncoder>[] = [];
  const encoderOptions: EncoderOptions[] = [];
  const weights = memoryWeights(folders);
  const service = new WorkerService({
    registry: defaultRegistry.with(...definitions),
    weightsReader: weights.reader,
    loaders: {
      embedder: async (options) => {
        encoderOptions.push(options);
        const encoder = createFakeEncoder();
        encoders.push(encoder);
        return encoder;
      },
    },
  });
  return { service, encoders, encoderOptions, weights };
}

describe('WorkerService', () => {
  it('routes with a router that needs nothing, without loading an encoder', async () => {
    const { service, encoders } = serviceWith();
    const info = await service.loadRouter({ router: 'length', weightsUrl: 'http://app.test/routers/length/' });
    // No manifest: the quantile table is the one the definition ships.
    expect(info).toMatchObject({
      router: 'length',
      device: 'cpu',
      models: [],
      quantiles: [...LENGTH_CALIBRATION_QUANTILES],
      requires: [],
    });
    expect(info.deviceReason).toMatch(/plain JavaScript/);
    const prompts = ['short', 'a much longer prompt '.repeat(20)];
    const expected = await createLengthRouter().score(prompts);
    expect(await service.route(info.key, prompts)).toEqual(expected.map((score) => ({ score, truncated: false })));
    expect(encoders).toHaveLength(0);
  });

  it('loads an embedding router with its encoder and weights, and reports truncation per prompt', async () => {
    const { service, weights } = serviceWith();
    const events: LoadProgressEvent[] = [];
    const info = await service.loadRouter(
      { router: 'linear-head', weightsUrl: WEIGHTS, models: { embedder: { dtype: 'fp32' } } },
      (event) => events.push(event),
    );
    expect(info).toMatchObject({
      router: 'linear-head',
      device: 'wasm',
      requires: ['embedder', 'weights'],
      models: [{ requirement: 'embedder', id: 'fake-encoder@fp32-00000000' }],
    });
    expect(weights.reads).toEqual([`${WEIGHTS}manifest.json`, `${WEIGHTS}head.json`]);
    expect(events.filter((event) => event.status === 'done').map((event) => `${event.stage}:${event.file}`)).toEqual([
      'weights:manifest.json',
      'weights:head.json',
    ]);

    const short = 'What is 2 + 2?';
    const long = 'Explain, step by step, how a hash map handles collisions in practice.';
    const [first, second] = await service.route(info.key, [short, long]);
    const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
    expect(first!.score).toBeCloseTo(sigmoid(4 * (2 / short.length) + 2 * (short.length / 100) - 1), 6);
    expect(first!.truncated).toBe(false);
    expect(second!.truncated).toBe(true);
  });

  it('embeds as the weights were trained: model and dtype from the manifest encoder id, its overflow, the page runtime', async () => {
    const folders = {
      [WEIGHTS]: linearHeadFiles({ encoder: { id: 'fake-encoder@fp32-00000000', overflow: 'chunk' } }),
    };
    const { service, encoderOptions } = serviceWith([linearHeadRouter], folders);
    await service.loadRouter({
      router: 'linear-head',
      weightsUrl: WEIGHTS,
      runtime: { device: 'wasm', localModelPath: '/models/' },
    });
    expect(encoderOptions[0]).toMatchObject({
      model: 'fake-encoder',
      dtype: 'fp32',
      overflow: 'chunk',
      device: 'wasm',
      localModelPath: '/models/',
    });
  });

  it('lets the caller override the manifest’s model choice', async () => {
    const { service, encoderOptions } = serviceWith();
    await service.loadRouter({ router: 'linear-head', weightsUrl: WEIGHTS, models: { embedder: { dtype: 'q8' } } });
    expect(encoderOptions[0]).toMatchObject({ model: 'fake-encoder', dtype: 'q8', overflow: 'truncate' });
  });

  it('shares one encoder between routers with equal encoder options, whatever their key order', async () => {
    const other: RouterDefinition = { ...linearHeadRouter, name: 'linear-head-2' };
    const otherUrl = 'http://app.test/routers/linear-head-2/';
    const { service, encoders } = serviceWith([linearHeadRouter, other], {
      [WEIGHTS]: linearHeadFiles(),
      [otherUrl]: linearHeadFiles(),
    });
    await service.loadRouter({
      router: 'linear-head',
      weightsUrl: WEIGHTS,
      models: { embedder: { dtype: 'fp32', overflow: 'truncate' } },
    });
    await service.loadRouter({
      router: 'linear-head-2',
      weightsUrl: otherUrl,
      models: { embedder: { overflow: 'truncate', dtype: 'fp32' } },
    });
    expect(encoders).toHaveLength(1);
  });

  it('loads the same options once and returns the same key', async () => {
    const { service, weights } = serviceWith();
    const [a, b] = await Promise.all([
      service.loadRouter({ router: 'linear-head', weightsUrl: WEIGHTS }),
      service.loadRouter({ weightsUrl: WEIGHTS, router: 'linear-head' }),
    ]);
    expect(a.key).toBe(b.key);
    expect(weights.reads).toHaveLength(2);
  });

  it('remembers a failed load: route reports the same ModelLoadError', async () => {
    const { service } = serviceWith([linearHeadRouter], {});
    const load = service.loadRouter({ router: 'linear-head', weightsUrl: WEIGHTS });
    await expect(load).rejects.toBeInstanceOf(ModelLoadError);
    await expect(load).rejects.toMatchObject({
      code: 'model_not_found',
      message: expect.stringContaining(`${WEIGHTS} (manifest.json is missing)`),
    });
    const key = canonicalKey({ router: 'linear-head', weightsUrl: WEIGHTS });
    await expect(service.route(key, ['hello'])).rejects.toMatchObject({ code: 'model_not_found' });
  });

  it('turns an error thrown while creating the router into a ModelLoadError naming the router', async () => {
    const folders = { [WEIGHTS]: linearHeadFiles({ encoder: { id: 'some-other-encoder@q8-12345678' } }) };
    const { service } = serviceWith([linearHeadRouter], folders);
    await expect(service.loadRouter({ router: 'linear-head', weightsUrl: WEIGHTS })).rejects.toMatchObject({
      name: 'ModelLoadError',
      code: 'model_load_failed',
      message: expect.stringMatching(
        /^Router 'linear-head' could not be created: weights are for some-other-encoder@q8-12345678, not fake-encoder/,
      ),
    });
  });

  it('says which routers exist when asked for an unknown one', async () => {
    const { service } = serviceWith();
    await expect(service.loadRouter({ router: 'nope', weightsUrl: WEIGHTS })).rejects.toMatchObject({
      code: 'router_not_found',
      message: expect.stringMatching(/Known routers: length, random, .*linear-head\.$/),
    });
  });

  it('rejects bad options and bad prompts with InvalidInputError', async () => {
    const { service } = serviceWith();
    await expect(service.loadRouter({ router: 'length', weightsUrl: '/routers/length/' })).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    await expect(
      service.loadRouter({ router: 'length', weightsUrl: 'http://app.test/routers/length' }),
    ).rejects.toThrow(/ending in '\/'/);
    await expect(service.route('{"router":"length"}', ['hi'])).rejects.toThrow(/not loaded/);
    const { key } = await service.loadRouter({ router: 'length', weightsUrl: 'http://app.test/r/' });
    await expect(service.route(key, [])).rejects.toThrow(/non-empty array/);
    await expect(service.route(key, ['fine', '   '])).rejects.toThrow(/Prompt 1 is empty/);
    await expect(service.route(key, [42 as unknown as string])).rejects.toThrow(
      /Prompt 0 must be a string, got number/,
    );
  });

  it('checks placed models at the boundary and refuses them on a router that cannot place models', async () => {
    const { service } = serviceWith();
    const length = { router: 'length', weightsUrl: 'http://app.test/r/' };
    const placed = (placements: unknown) =>
      service.loadRouter({ ...length, placements } as Parameters<WorkerService['loadRouter']>[0]);
    await expect(placed({ x: { like: 'a' } })).rejects.toThrow(/must be an array of \{ name, placement \}/);
    await expect(placed([{ name: 'x', placement: {} }])).rejects.toThrow(/Model 'x' needs a placement/);
    await expect(placed([{ name: 'x', placement: { scores: { 'mmlu-pro': -0.1 } } }])).rejects.toThrow(
      /its score on 'mmlu-pro' must be an accuracy in \[0, 1\]/,
    );
    await expect(
      placed([
        { name: 'x', placement: { like: 'a' } },
        { name: 'x', placement: { like: 'b' } },
      ]),
    ).rejects.toThrow(/a name of its own/);
    await expect(placed([{ name: 'my-llama', placement: { scores: { 'mmlu-pro': 0.4 } } }])).rejects.toThrow(
      /Router 'length' cannot place model 'my-llama' by scores/,
    );
  });

  it('rejects a router whose score leaves [0, 1]', async () => {
    const broken: RouterDefinition = {
      name: 'broken',
      description: '',
      requires: [],
      create: () => ({ name: 'broken', score: async (p) => p.map(() => 1.5) }),
    };
    const { service } = serviceWith([broken]);
    const { key } = await service.loadRouter({ router: 'broken', weightsUrl: 'http://app.test/r/' });
    await expect(service.route(key, ['hi'])).rejects.toThrow(/returned the score 1.5, which is not in \[0, 1\]/);
  });

  it('stops a batch between groups of prompts when its call is aborted', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const batches: number[] = [];
    const slow: RouterDefinition = {
      name: 'slow',
      description: '',
      requires: [],
      create: () => ({
        name: 'slow',
        score: async (prompts) => {
          batches.push(prompts.length);
          await gate;
          return prompts.map(() => 0.5);
        },
      }),
    };
    const { service } = serviceWith([slow]);
    const { key } = await service.loadRouter({ router: 'slow', weightsUrl: 'http://app.test/r/' });
    const routing = service.route(
      key,
      Array.from({ length: 40 }, (_, index) => `prompt ${index}`),
      'call-1',
    );
    while (batches.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    service.abort('call-1');
    release();
    await expect(routing).rejects.toBeInstanceOf(AbortError);
    expect(batches).toEqual([8]);
    // An id whose call has ended is ignored.
    service.abort('call-1');
  });

  it('disposes an encoder once no router uses it', async () => {
    const { service, encoders } = serviceWith();
    const { key } = await service.loadRouter({ router: 'linear-head', weightsUrl: WEIGHTS });
    await service.unloadRouter(key);
    expect(encoders[0]!.disposed).toBe(true);
    await expect(service.route(key, ['hi'])).rejects.toThrow(/not loaded/);
  });

  it('keeps the current encoder for encode() and replaces it when another is loaded', async () => {
    const { service, encoders } = serviceWith();
    await expect(service.encode(['hi'])).rejects.toBeInstanceOf(InvalidInputError);
    await service.loadEncoder({ dtype: 'fp32' });
    expect((await service.encode(['abc1']))[0]!.embedding[0]).toBeCloseTo(0.25);
    await service.loadEncoder({ dtype: 'int8' });
    expect(encoders[0]!.disposed).toBe(true);
    expect(encoders).toHaveLength(2);
  });

  it('names a requirement it cannot provide', async () => {
    const needsGpu = {
      name: 'needs-gpu',
      description: '',
      requires: ['gpu'],
      create: () => createLengthRouter(),
    } as unknown as RouterDefinition;
    const { service } = serviceWith([needsGpu]);
    await expect(service.loadRouter({ router: 'needs-gpu', weightsUrl: 'http://app.test/r/' })).rejects.toSatisfy(
      (error: unknown) =>
        error instanceof RouteError &&
        error.code === 'model_load_failed' &&
        /requires 'gpu', which the router worker cannot provide/.test(error.message),
    );
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { thresholdForStrongPct, thresholdFromQuantileTable } from '../../src/core/calibration.ts';
import { InvalidInputError, RouteError, WorkerCrashedError } from '../../src/core/errors.ts';
import { createLengthRouter } from '../../src/core/length-router.ts';
import type { RouterDefinition } from '../../src/core/registry.ts';
import { LENGTH_CALIBRATION_QUANTILES } from '../../src/core/length-calibration.ts';
import { DEFAULT_ROUTER, defaultRegistry, lengthRouterDefinition } from '../../src/core/routers.ts';
import { createRouter, type LoadProgress, type RouterOptions } from '../../src/sdk/prompt-router.ts';
import { WorkerClient } from '../../src/worker/worker-client.ts';
import { inProcessWorkers } from '../worker/in-process-worker.ts';
import { createFakeEncoder, linearHeadFiles, linearHeadRouter, memoryWeights } from '../worker/test-routers.ts';

const BASE = 'http://app.test/';
const QUANTILES = Array.from({ length: 101 }, (_, index) => index / 100);

const clients: WorkerClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.terminate();
});

function setup(
  definitions: RouterDefinition[] = [],
  folders: Record<string, Map<string, string>> = { [`${BASE}routers/linear-head/`]: linearHeadFiles() },
) {
  const workers = inProcessWorkers({
    registry: defaultRegistry.with(linearHeadRouter, ...definitions),
    weightsReader: memoryWeights(folders).reader,
    loaders: { embedder: async () => createFakeEncoder() },
  });
  const worker = new WorkerClient({ createWorker: workers.createWorker });
  clients.push(worker);
  const make = (options: Omit<RouterOptions, 'worker' | 'modelBaseUrl'>) =>
    createRouter({ modelBaseUrl: BASE, worker, ...options });
  return { make, workers, worker };
}

const lengthScore = async (prompt: string) => (await createLengthRouter().score([prompt]))[0]!;

describe('createRouter', () => {
  it('decides by score >= threshold and says everything about the decision', async () => {
    const { make } = setup();
    const router = make({ router: 'length', threshold: 0.5, strongModel: 'gpt-big', weakModel: 'gpt-small' });
    const long = 'Explain the proof. '.repeat(40);
    const strong = await router.route(long);
    expect(strong).toMatchObject({
      model: 'gpt-big',
      tier: 'strong',
      score: await lengthScore(long),
      threshold: 0.5,
      router: 'length',
      device: 'cpu',
      truncated: false,
      calibration: 'threshold',
      strongPct: null,
      fallback: false,
    });
    expect(strong.latencyMs).toBeGreaterThanOrEqual(0);
    expect(strong.fallbackReason).toBeUndefined();
    expect(await router.route([{ role: 'user', content: 'hi' }])).toMatchObject({ model: 'gpt-small', tier: 'weak' });
  });

  it('takes a model string wherever a router is named', async () => {
    const { make } = setup();
    const router = make({ router: 'router-length-0.2' });
    expect(router.name).toBe('length');
    expect(router.threshold).toBe(0.2);
    expect(await router.route('x'.repeat(200))).toMatchObject({ model: 'strong', threshold: 0.2, tier: 'strong' });
  });

  it('routes a batch in order and moves decisions when the threshold moves', async () => {
    const { make } = setup();
    const prompts = ['a', 'b'.repeat(300), 'c'.repeat(3000)];
    const router = make({ router: 'length', threshold: 0.99 });
    expect((await router.routeBatch(prompts)).map((decision) => decision.tier)).toEqual(['weak', 'weak', 'weak']);
    router.setThreshold(0.3);
    expect((await router.routeBatch(prompts)).map((decision) => decision.tier)).toEqual(['weak', 'strong', 'strong']);
    expect((await router.routeBatch(prompts)).map((decision) => decision.score)).toEqual(
      await createLengthRouter().score(prompts),
    );
    await expect(router.routeBatch(['ok', ''])).rejects.toThrow('inputs[1]: The prompt is empty');
    await expect(router.routeBatch([])).rejects.toThrow(InvalidInputError);
  });

  it('calibrates strongPct from the quantiles in the manifest', async () => {
    const folders = { [`${BASE}routers/linear-head/`]: linearHeadFiles({ calibration: { quantiles: QUANTILES } }) };
    const { make } = setup([], folders);
    const router = make({ router: 'linear-head', strongPct: 0.3 });
    const decision = await router.route('What is 12 * 12?');
    expect(decision).toMatchObject({
      calibration: 'manifest',
      strongPct: 0.3,
      threshold: thresholdFromQuantileTable(QUANTILES, 0.3),
      device: 'wasm',
    });
    expect(router.threshold).toBe(decision.threshold);
  });

  it('calibrates strongPct on the calibration prompts when given', async () => {
    const { make } = setup();
    const calibrationPrompts = ['a', 'bb'.repeat(50), 'ccc'.repeat(200), 'd'.repeat(40)];
    const router = make({ router: 'length', strongPct: 0.5, calibrationPrompts });
    const decision = await router.route('some prompt of middling length');
    const scores = await createLengthRouter().score(calibrationPrompts);
    expect(decision).toMatchObject({ calibration: 'prompts', threshold: thresholdForStrongPct(scores, 0.5) });
  });

  it('calibrates length from the quantile table it ships: the first prompt already honours the share', async () => {
    const { make } = setup();
    const router = make({ router: 'length', strongPct: 0.5 });
    const threshold = thresholdFromQuantileTable([...LENGTH_CALIBRATION_QUANTILES], 0.5);
    expect(await router.route('Hi')).toMatchObject({ tier: 'weak', threshold, calibration: 'manifest' });
    expect(await router.route('Explain the proof. '.repeat(20))).toMatchObject({ tier: 'strong', threshold });
  });

  it('uses the default router when none is named', () => {
    const { make } = setup();
    expect(make({ strongPct: 0.5 }).name).toBe(DEFAULT_ROUTER);
  });

  it('falls back to live traffic for strongPct when the router ships no calibration', async () => {
    const { make } = setup([{ ...lengthRouterDefinition, name: 'uncalibrated-length', quantiles: undefined }]);
    const router = make({ router: 'uncalibrated-length', strongPct: 0.25 });
    const prompts = Array.from({ length: 40 }, (_, index) => 'w'.repeat(10 + index * 20));
    const decisions = [];
    for (const prompt of prompts) decisions.push(await router.route(prompt));
    expect(decisions.every((decision) => decision.calibration === 'adaptive')).toBe(true);
    const scores = await createLengthRouter().score(prompts);
    expect(decisions.at(-1)!.threshold).toBe(thresholdForStrongPct(scores, 0.25));
  });

  it('hands decisions to the strong model when the router cannot load, and says so', async () => {
    const { make } = setup([], {});
    const router = make({ router: 'linear-head', threshold: 0.5 });
    const status = await router.ready;
    expect(status.state).toBe('fallback');
    const decision = await router.route('anything');
    expect(decision).toMatchObject({
      model: 'strong',
      tier: 'strong',
      fallback: true,
      score: null,
      threshold: null,
      device: null,
      calibration: 'fallback',
    });
    expect(decision.fallbackReason).toMatch(
      /^Router 'linear-head' could not load \(No router weights at http:\/\/app.test\/routers\/linear-head\/ .*the strong model answers every prompt\.$/,
    );
  });

  it("falls back to the weak model when told to, or rejects with fallback: 'error'", async () => {
    const { make } = setup([], {});
    expect(
      await make({ router: 'linear-head', threshold: 0.5, fallback: 'weak', weakModel: 'cheap' }).route('x'),
    ).toMatchObject({ model: 'cheap', fallback: true });
    const strict = make({ router: 'linear-head', threshold: 0.5, fallback: 'error' });
    await expect(strict.ready).rejects.toMatchObject({ code: 'model_not_found' });
    await expect(strict.route('x')).rejects.toMatchObject({ name: 'ModelLoadError', code: 'model_not_found' });
  });

  it('rejects, rather than falls back, for a router the worker does not know', async () => {
    const { make } = setup();
    const router = make({ router: 'no-such-router', threshold: 0.5 });
    await expect(router.ready).rejects.toSatisfy(
      (error: unknown) => error instanceof RouteError && error.code === 'router_not_found',
    );
    await expect(router.route('x')).rejects.toThrow(
      /Unknown router 'no-such-router'. Known routers: length, random, .*linear-head/,
    );
  });

  it('reports loading progress per file and overall, ending at 1', async () => {
    const { make } = setup();
    const events: LoadProgress[] = [];
    const router = make({ router: 'linear-head', threshold: 0.5, onProgress: (event) => events.push(event) });
    await router.ready;
    expect(events.at(-1)).toMatchObject({ stage: 'router', status: 'ready', progress: 1 });
    const done = events.filter((event) => event.status === 'done');
    expect(done.map((event) => event.file)).toEqual(['manifest.json', 'head.json']);
    expect(done.at(-1)!.progress).toBe(1);
  });

  it('survives a worker crash: the call in flight rejects, the next one routes again', async () => {
    const gate = { release: () => {}, started: 0 };
    const gated: RouterDefinition = {
      name: 'gated',
      description: '',
      requires: [],
      create: () => ({
        name: 'gated',
        score: async (prompts) => {
          gate.started++;
          if (gate.started === 1) await new Promise<void>((resolve) => (gate.release = resolve));
          return prompts.map(() => 0.7);
        },
      }),
    };
    const { make, workers } = setup([gated]);
    const router = make({ router: 'gated', threshold: 0.5 });
    const inFlight = router.route('first');
    while (gate.started === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    workers.started[0]!.crash();
    await expect(inFlight).rejects.toBeInstanceOf(WorkerCrashedError);
    expect(await router.route('second')).toMatchObject({ score: 0.7, tier: 'strong', fallback: false });
  });

  it('aborts a route through its signal', async () => {
    const { make } = setup();
    const router = make({ router: 'length', threshold: 0.5 });
    await expect(router.route('x', { signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: 'AbortError',
      code: 'aborted',
    });
  });

  it('checks its options once, with one clear sentence each', () => {
    const { make } = setup();
    const bad: [Omit<RouterOptions, 'worker' | 'modelBaseUrl'>, RegExp][] = [
      [{ router: '' }, /must name a router/],
      [{ router: 'Length', threshold: 0.5 }, /is not a router name/],
      [{ router: 'length' }, /Give a threshold .* or a strongPct/],
      [{ router: 'length', threshold: 0.5, strongPct: 0.5 }, /not threshold and strongPct/],
      [{ router: 'router-length-0.3', threshold: 0.5 }, /not a model string threshold and threshold/],
      [{ router: 'router-length-3' }, /threshold between 0 and 1/],
      [{ router: 'length', threshold: 1.5 }, /threshold must be a number between 0 and 1, got 1.5/],
      [{ router: 'length', strongPct: -0.1 }, /strongPct must be/],
      [{ router: 'length', threshold: 0.5, device: 'cpu' as 'wasm' }, /device must be one of auto, wasm, webgpu/],
      [{ router: 'length', threshold: 0.5, fallback: 'none' as 'weak' }, /fallback must be one of strong, weak, error/],
      [{ router: 'length', threshold: 0.5, strongModel: '' }, /strongModel must be a non-empty model name/],
      [{ router: 'length', threshold: 0.5, weakModel: 'router-mf-0.1' }, /not a router/],
      [{ router: 'length', threshold: 0.5, calibrationPrompts: ['x'] }, /calibrate a strongPct/],
      [
        { router: 'length', strongPct: 0.5, calibrationPrompts: ['x', ''] },
        /calibrationPrompts\[1\] must be a non-empty string/,
      ],
      [{ router: 'length', threshold: 0.5, adaptive: true }, /adaptive keeps a strongPct/],
      [{ router: 'length', threshold: 0.5, seed: 1.5 }, /seed must be an integer/],
    ];
    for (const [options, message] of bad) {
      expect(() => make(options), JSON.stringify(options)).toThrow(InvalidInputError);
      expect(() => make(options), JSON.stringify(options)).toThrow(message);
    }
    expect(() => createRouter({ router: 'length', threshold: 0.5, modelBaseUrl: 'not a url' })).toThrow(
      /modelBaseUrl must be a URL/,
    );
  });

  it('loads weights from <modelBaseUrl>/routers/<name>/ unless given weightsUrl', async () => {
    const elsewhere = 'https://cdn.test/weights/head/';
    const { make } = setup([], { [elsewhere]: linearHeadFiles() });
    expect((await make({ router: 'linear-head', threshold: 0.5 }).ready).state).toBe('fallback');
    expect(
      (await make({ router: 'linear-head', threshold: 0.5, weightsUrl: 'https://cdn.test/weights/head' }).ready).state,
    ).toBe('ready');
  });

  it('unloads on dispose and refuses to route afterwards', async () => {
    const { make } = setup();
    const router = make({ router: 'length', threshold: 0.5 });
    await router.ready;
    await router.dispose();
    await expect(router.route('x')).rejects.toThrow(/was disposed/);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { AbortError, InvalidInputError, ModelLoadError, WorkerCrashedError } from '../../src/core/errors.ts';
import type { RouterDefinition } from '../../src/core/registry.ts';
import { defaultRegistry } from '../../src/core/routers.ts';
import { WorkerClient } from '../../src/worker/worker-client.ts';
import { inProcessWorkers } from './in-process-worker.ts';
import { createFakeEncoder, linearHeadFiles, linearHeadRouter, memoryWeights } from './test-routers.ts';

const WEIGHTS = 'http://app.test/routers/linear-head/';
const LENGTH = { router: 'length', weightsUrl: 'http://app.test/routers/length/' };

/** A router whose scoring waits until the test lets it go, so a call can be caught in flight. */
function gatedRouter() {
  const gate = { release: () => {}, started: 0 };
  const definition: RouterDefinition = {
    name: 'gated',
    description: '',
    requires: [],
    create: () => ({
      name: 'gated',
      score: async (prompts) => {
        gate.started += 1;
        await new Promise<void>((resolve) => (gate.release = resolve));
        return prompts.map(() => 0.5);
      },
    }),
  };
  return { definition, gate };
}

const clients: WorkerClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.terminate();
});

function clientWith(definitions: RouterDefinition[] = []) {
  const weights = memoryWeights({ [WEIGHTS]: linearHeadFiles() });
  const workers = inProcessWorkers({
    registry: defaultRegistry.with(linearHeadRouter, ...definitions),
    weightsReader: weights.reader,
    loaders: { embedder: async () => createFakeEncoder() },
  });
  const client = new WorkerClient({ createWorker: workers.createWorker });
  clients.push(client);
  return { client, workers, weights };
}

describe('WorkerClient', () => {
  it('keeps the RouteError classes across the worker boundary', async () => {
    const { client } = clientWith();
    const { key } = await client.loadRouter(LENGTH);
    const error = await client.route(key, ['']).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ name: 'InvalidInputError', code: 'invalid_input' });
    const missing = await client
      .loadRouter({ router: 'linear-head', weightsUrl: 'http://app.test/none/' })
      .catch((caught: unknown) => caught);
    expect(missing).toBeInstanceOf(ModelLoadError);
    expect(missing).toMatchObject({ code: 'model_not_found' });
  });

  it('rejects pending calls with WorkerCrashedError when the worker dies, then restarts it and reloads its routers', async () => {
    const { definition, gate } = gatedRouter();
    const { client, workers } = clientWith([definition]);
    const gated = await client.loadRouter({ router: 'gated', weightsUrl: 'http://app.test/r/' });
    const head = await client.loadRouter({ router: 'linear-head', weightsUrl: WEIGHTS });
    const pending = client.route(gated.key, ['in flight']);
    await vi_waitFor(() => gate.started === 1);
    workers.started[0]!.crash('out of memory');
    await expect(pending).rejects.toBeInstanceOf(WorkerCrashedError);
    await expect(pending).rejects.toThrow('The router worker crashed: out of memory. The next call starts a new one.');
    expect(client.crashes).toBe(1);
    expect(workers.started[0]!.terminated).toBe(true);

    const [scored] = await client.route(head.key, ['after the crash']);
    expect(scored!.score).toBeGreaterThan(0);
    expect(workers.started).toHaveLength(2);
    const second = workers.started[1]!.service;
    await expect(second.loadRouter({ router: 'gated', weightsUrl: 'http://app.test/r/' })).resolves.toMatchObject({
      key: gated.key,
    });
  });

  it('replays the current encoder after a crash', async () => {
    const { client, workers } = clientWith();
    await client.loadEncoder({ dtype: 'fp32' });
    workers.started[0]!.crash();
    const [encoded] = await client.encode(['12ab']);
    expect(encoded!.embedding[0]).toBeCloseTo(0.5);
  });

  it('aborts a call on the page at once and stops its work in the worker', async () => {
    const { definition, gate } = gatedRouter();
    const { client } = clientWith([definition]);
    const { key } = await client.loadRouter({ router: 'gated', weightsUrl: 'http://app.test/r/' });
    const controller = new AbortController();
    const routing = client.route(
      key,
      Array.from({ length: 40 }, (_, index) => `p${index}`),
      { signal: controller.signal },
    );
    await vi_waitFor(() => gate.started === 1);
    controller.abort();
    await expect(routing).rejects.toBeInstanceOf(AbortError);
    // Once the abort message has reached the worker, the group in progress is the last one scored.
    await new Promise((resolve) => setTimeout(resolve, 20));
    gate.release();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(gate.started).toBe(1);
    await expect(client.route(key, ['x'], { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
  });

  it('terminate() rejects pending calls without counting a crash', async () => {
    const { definition, gate } = gatedRouter();
    const { client } = clientWith([definition]);
    const { key } = await client.loadRouter({ router: 'gated', weightsUrl: 'http://app.test/r/' });
    const pending = client.route(key, ['x']);
    await vi_waitFor(() => gate.started === 1);
    client.terminate();
    await expect(pending).rejects.toThrow('The router worker was terminated.');
    expect(client.crashes).toBe(0);
  });

  it('forgets an unloaded router: a new worker does not load it again', async () => {
    const { client, workers, weights } = clientWith();
    const options = { router: 'linear-head', weightsUrl: WEIGHTS };
    const { key } = await client.loadRouter(options);
    await client.unloadRouter(options, key);
    workers.started[0]!.crash();
    await client.loadRouter(LENGTH);
    expect(weights.reads).toHaveLength(2);
  });
});

async function vi_waitFor(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 200 && !condition(); attempt++)
    await new Promise((resolve) => setTimeout(resolve, 2));
  if (!condition()) throw new Error('condition not reached');
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../src/core/routers.ts';
import { parseRelayConfig } from '../../src/relay/config.ts';
import { type NodeRelay, startNodeRelay } from '../../src/relay/node.ts';
import { createClient } from '../../src/sdk/client.ts';
import { WorkerClient } from '../../src/worker/worker-client.ts';
import { type FakeUpstream, startFakeUpstream } from '../support/fake-upstream.ts';
import { inProcessWorkers } from '../worker/in-process-worker.ts';
import { lengthQualityRouter } from '../worker/test-routers.ts';

let upstream: FakeUpstream;
let relay: NodeRelay;
const worker = new WorkerClient({
  createWorker: inProcessWorkers({ registry: defaultRegistry.with(lengthQualityRouter) }).createWorker,
});

beforeAll(async () => {
  upstream = await startFakeUpstream();
  const models = {
    strong: { baseURL: upstream.url, model: 'provider-big', apiKeyEnv: 'KEY', pricing: { input: 10, output: 30 } },
    weak: { baseURL: upstream.url, model: 'provider-small', apiKeyEnv: 'KEY', pricing: { input: 0.1, output: 0.1 } },
  };
  relay = await startNodeRelay({
    config: parseRelayConfig({ models }, 'test config'),
    port: 0,
    env: { KEY: 'sk-test' },
    log: () => {},
  });
});

afterAll(async () => {
  worker.terminate();
  await relay.close();
  await upstream.close();
});

describe("model: 'router-auto'", () => {
  it('chooses among the relay models with the prices its /v1/models lists', async () => {
    const client = createClient({
      relayUrl: relay.url,
      router: { worker, modelBaseUrl: 'http://app.test/' },
      auto: {
        router: 'length-quality',
        models: [
          { name: 'strong', like: 'frontier', answerTokens: 100 },
          { name: 'weak', like: 'small', answerTokens: 100 },
        ],
        policy: { costWeight: { lambda: 100 } },
      },
    });
    const cheap = await client.chat.completions.create({
      model: 'router-auto',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(cheap.choice?.model).toBe('weak');
    expect(cheap.choice?.estimates.map((estimate) => estimate.model)).toEqual(['strong', 'weak']);
    expect(cheap.routing).toBeUndefined();
    expect(cheap.model).toBe('provider-small');
    // 600 characters: small predicts 0.3, strong 0.9 - 100 x (150 x 10 + 100 x 30) / 1e6 = 0.45 > 0.3.
    const stream = await client.chat.completions.create({
      model: 'router-auto',
      messages: [{ role: 'user', content: 'x'.repeat(600) }],
      stream: true,
    });
    expect(stream.choice?.model).toBe('strong');
    for await (const chunk of stream) expect(chunk.model).toBe('provider-big');
  });

  it('says what is missing without the auto option', async () => {
    const client = createClient({ relayUrl: relay.url, router: { worker } });
    await expect(
      client.chat.completions.create({ model: 'router-auto', messages: [{ role: 'user', content: 'hi' }] }),
    ).rejects.toThrow(/needs the client's auto option/);
  });
});

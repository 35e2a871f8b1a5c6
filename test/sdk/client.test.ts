import { afterAll, afterEach, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { AbortError, errorMessage, InvalidInputError, RelayError } from '../../src/core/errors.ts';
import { parseRelayConfig } from '../../src/relay/config.ts';
import { startNodeRelay, type NodeRelay } from '../../src/relay/node.ts';
import type { ChatCompletionStream } from '../../src/sdk/chat-stream.ts';
import { createClient, type ClientOptions, type RoutedChatCompletion } from '../../src/sdk/client.ts';
import type { ChatCompletionChunk } from '../../src/sdk/openai-types.ts';
import { WorkerClient } from '../../src/worker/worker-client.ts';
import { DEFAULT_CONTENT, startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { inProcessWorkers } from '../worker/in-process-worker.ts';

let upstream: FakeUpstream;
let relay: NodeRelay;
let keylessRelay: NodeRelay;
const worker = new WorkerClient({ createWorker: inProcessWorkers().createWorker });

function relayConfig(baseURL: string) {
  return parseRelayConfig(
    {
      models: {
        strong: { baseURL, model: 'provider-big', apiKeyEnv: 'TEST_PROVIDER_KEY', pricing: { input: 10, output: 30 } },
        weak: {
          baseURL,
          model: 'provider-small',
          apiKeyEnv: 'TEST_PROVIDER_KEY',
          pricing: { input: 0.5, output: 1.5 },
        },
      },
    },
    'test config',
  );
}

beforeAll(async () => {
  upstream = await startFakeUpstream();
  const config = relayConfig(upstream.url);
  relay = await startNodeRelay({ config, port: 0, env: { TEST_PROVIDER_KEY: 'sk-test' }, log: () => {} });
  keylessRelay = await startNodeRelay({ config, port: 0, env: {}, log: () => {} });
});

afterAll(async () => {
  worker.terminate();
  await relay.close();
  await keylessRelay.close();
  await upstream.close();
});

afterEach(() => {
  upstream.setReply({ kind: 'complete' });
});

const routerSettings: ClientOptions['router'] = { worker, modelBaseUrl: 'http://app.test/' };
const client = () => createClient({ relayUrl: relay.url, router: routerSettings });
const longPrompt = 'Prove that there are infinitely many primes, then generalise the argument. '.repeat(10);

describe('RouteLLMClient', () => {
  it('routes a model string on the device, calls the chosen alias, and returns the OpenAI answer with the decision', async () => {
    const completion = await client().chat.completions.create({
      model: 'router-length-0.5',
      messages: [{ role: 'user', content: longPrompt }],
    });
    expect(completion.routing).toMatchObject({
      model: 'strong',
      tier: 'strong',
      router: 'length',
      threshold: 0.5,
      fallback: false,
    });
    expect(completion.model).toBe('provider-big');
    expect(completion.choices[0]!.message.content).toBe(DEFAULT_CONTENT);
    const received = upstream.requests.at(-1)!;
    expect((received.json as { model: string }).model).toBe('provider-big');
    expect(received.headers.authorization).toBe('Bearer sk-test');

    const cheap = await client().chat.completions.create({
      model: 'router-length-0.5',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(cheap.routing).toMatchObject({ model: 'weak', tier: 'weak' });
    expect(cheap.model).toBe('provider-small');
  });

  it('sends a plain model name to the relay as it is, without routing', async () => {
    const completion = await client().chat.completions.create({
      model: 'weak',
      messages: [{ role: 'user', content: 'hi' }],
      temperature: 0,
    });
    expect(completion.routing).toBeUndefined();
    expect(completion.model).toBe('provider-small');
    expect(upstream.requests.at(-1)!.json).toMatchObject({
      temperature: 0,
      messages: [{ role: 'user', content: 'hi' }],
    });
  });

  it('streams chunks whose model names the model that answered, with the decision on the stream', async () => {
    const stream = await client().chat.completions.create({
      model: 'router-length-0.5',
      messages: [{ role: 'user', content: longPrompt }],
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(stream.routing).toMatchObject({ model: 'strong', tier: 'strong' });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(DEFAULT_CONTENT);
    expect(new Set(chunks.map((chunk) => chunk.model))).toEqual(new Set(['provider-big']));
    expect(chunks.at(-1)!.usage).toMatchObject({ completion_tokens: DEFAULT_CONTENT.split(' ').length });
    await expect(async () => {
      for await (const chunk of stream) void chunk;
    }).rejects.toThrow(/only once/);
  });

  it('aborts a stream end to end: the loop rejects with AbortError and the provider request is cancelled', async () => {
    upstream.setReply({ kind: 'complete', content: 'word '.repeat(200), chunkIntervalMs: 20 });
    const controller = new AbortController();
    const stream = await client().chat.completions.create(
      { model: 'router-length-0.5', messages: [{ role: 'user', content: 'hi' }], stream: true },
      { signal: controller.signal },
    );
    const received: string[] = [];
    await expect(async () => {
      for await (const chunk of stream) {
        received.push(chunk.choices[0]?.delta.content ?? '');
        if (received.length === 3) controller.abort();
      }
    }).rejects.toBeInstanceOf(AbortError);
    expect(await upstream.requests.at(-1)!.ended).toBe('aborted');
  });

  it('stream.abort() stops a stream as well', async () => {
    upstream.setReply({ kind: 'complete', content: 'word '.repeat(200), chunkIntervalMs: 20 });
    const stream = await client().chat.completions.create({
      model: 'weak',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    await expect(async () => {
      for await (const chunk of stream) {
        void chunk;
        stream.abort();
      }
    }).rejects.toBeInstanceOf(AbortError);
    expect(await upstream.requests.at(-1)!.ended).toBe('aborted');
  });

  it('rejects an answer cut off by the provider with a RelayError rather than a silent short answer', async () => {
    upstream.setReply({ kind: 'drop', afterChunks: 3 });
    // Depending on when the cut reaches the relay it fails the response or the stream: both must reject.
    const attempt = async () => {
      const stream = await client().chat.completions.create({
        model: 'weak',
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
      });
      for await (const chunk of stream) void chunk;
    };
    await expect(attempt()).rejects.toSatisfy(
      (error: unknown) => error instanceof RelayError && error.code === 'upstream_error',
    );
  });

  it("reports the relay's errors with its status, code and message", async () => {
    const keyless = createClient({ relayUrl: `${keylessRelay.url}/v1`, router: routerSettings });
    const error = await keyless.chat.completions
      .create({ model: 'router-length-0.5', messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RelayError);
    expect(error).toMatchObject({ status: 503, relayCode: 'model_unavailable', code: 'upstream_error' });
    expect(errorMessage(error)).toMatch(/set the environment variable TEST_PROVIDER_KEY/);

    await expect(
      client().chat.completions.create({ model: 'gpt-9', messages: [{ role: 'user', content: 'hi' }] }),
    ).rejects.toMatchObject({
      status: 404,
      code: 'relay_error',
      relayCode: 'model_not_found',
    });
  });

  it('says when the relay cannot be reached at all', async () => {
    const down = createClient({ relayUrl: 'http://127.0.0.1:9', router: routerSettings });
    const error = await down.chat.completions
      .create({ model: 'weak', messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RelayError);
    expect(error).toMatchObject({ status: 0, code: 'relay_unreachable' });
    expect(errorMessage(error)).toMatch(/^The relay at http:\/\/127.0.0.1:9 could not be reached/);
  });

  it('lists the relay models with their prices', async () => {
    expect(await client().models.list()).toEqual([
      expect.objectContaining({ id: 'strong', pricing: { input: 10, output: 30 } }),
      expect.objectContaining({ id: 'weak', pricing: { input: 0.5, output: 1.5 } }),
    ]);
    expect(await createClient({ relayUrl: keylessRelay.url }).models.list()).toEqual([]);
  });

  it('checks the request before anything is sent', async () => {
    const before = upstream.requests.length;
    const create = client().chat.completions.create;
    await expect(create({ model: '', messages: [{ role: 'user', content: 'hi' }] })).rejects.toThrow(InvalidInputError);
    await expect(create({ model: 'weak', messages: [] })).rejects.toThrow(/"messages" must be a non-empty array/);
    await expect(create({ model: 'router-length-0.5', messages: [{ role: 'user', content: '  ' }] })).rejects.toThrow(
      /nothing to route|has no text/,
    );
    await expect(create({ model: 'router-length-x', messages: [{ role: 'user', content: 'hi' }] })).rejects.toThrow(
      /is not router-<name>-<threshold>/,
    );
    expect(upstream.requests.length).toBe(before);
    expect(() => createClient({ relayUrl: 'http://[bad' })).toThrow(/relayUrl must be a URL/);
  });

  it('types a streamed request as a stream and any other as a completion', () => {
    const create = client().chat.completions.create;
    const messages = [{ role: 'user' as const, content: 'hi' }];
    // Checked by the type check of `npm test` (tsc), never run: calling create would send requests.
    const typeChecks = () => {
      expectTypeOf(
        create({ model: 'router-length-0.5', messages, stream: true }),
      ).resolves.toEqualTypeOf<ChatCompletionStream>();
      expectTypeOf(create({ model: 'router-length-0.5', messages })).resolves.toEqualTypeOf<RoutedChatCompletion>();
    };
    void typeChecks;
  });

  it('shares one router per model string', () => {
    const routed = client();
    expect(routed.router('router-length-0.5')).toBe(routed.router('router-length-0.5'));
    expect(routed.router('router-length-0.4')).not.toBe(routed.router('router-length-0.5'));
    expect(routed.router('strong')).toBeUndefined();
  });
});

import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import {
  createRelayApp,
  defineRelayConfig,
  parseRelayConfig,
  RelayConfigError,
  type RelayConfig,
} from '../../src/relay/index.ts';
import { DEFAULT_CONTENT, startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { HELLO, TEST_KEY } from './harness.ts';

/** The README's example config (examples/groq.json) as JSON.parse returns it, with every alias sent to `baseURL`. */
function readmeConfig(baseURL: string): RelayConfig {
  const text = readFileSync(new URL('../../src/relay/examples/groq.json', import.meta.url), 'utf8');
  return JSON.parse(text.replaceAll('https://api.groq.com/openai/v1', baseURL));
}

const chat = (body: unknown) =>
  new Request('http://relay.test/v1/chat/completions', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('createRelayApp', () => {
  let upstream: FakeUpstream | undefined;
  afterEach(async () => {
    vi.unstubAllEnvs();
    await upstream?.close();
    upstream = undefined;
  });

  it('takes a plain JSON config: lists its models and forwards a chat completion', async () => {
    upstream = await startFakeUpstream();
    const app = createRelayApp(readmeConfig(upstream.url), { env: { GROQ_API_KEY: TEST_KEY }, log: () => {} });

    const models = (await (await app.fetch(new Request('http://relay.test/v1/models'))).json()) as {
      data: { id: string; pricing: unknown }[];
    };
    expect(models.data.map((model) => [model.id, model.pricing])).toEqual([
      ['strong', { input: 0.59, output: 0.79 }],
      ['weak', { input: 0.05, output: 0.08 }],
    ]);

    const response = await app.fetch(chat({ ...HELLO, model: 'weak' }));
    expect(response.status).toBe(200);
    expect(
      ((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content,
    ).toBe(DEFAULT_CONTENT);
    expect(upstream.requests[0]!.json).toMatchObject({ model: 'llama-3.1-8b-instant' });
    expect(upstream.requests[0]!.headers.authorization).toBe(`Bearer ${TEST_KEY}`);
  });

  it('reads keys from process.env when given no env', async () => {
    vi.stubEnv('GROQ_API_KEY', TEST_KEY);
    const app = createRelayApp(readmeConfig('https://api.example/v1'), { log: () => {} });
    expect(await (await app.fetch(new Request('http://relay.test/health'))).json()).toEqual({
      status: 'ok',
      models: 2,
    });
  });

  it('takes a config from parseRelayConfig as it is', async () => {
    const app = createRelayApp(parseRelayConfig(readmeConfig('https://api.example/v1')), { env: {}, log: () => {} });
    expect(await (await app.fetch(new Request('http://relay.test/health'))).json()).toEqual({
      status: 'ok',
      models: 0,
    });
  });

  it('throws RelayConfigError naming the bad field of a JSON config', () => {
    const config: RelayConfig = JSON.parse(
      '{ "models": { "strong": { "baseURL": "https://api.example/v1", "model": "m", "pricing": { "input": 1 } } } }',
    );
    expect(() => createRelayApp(config)).toThrow(RelayConfigError);
    expect(() => createRelayApp(config)).toThrow(
      /^Invalid relay config: models\."strong"\.pricing\.output must be a price/,
    );
  });
});

describe('parseRelayConfig', () => {
  it('names the path of each bad field', () => {
    const bad = {
      models: {
        strong: {
          baseURL: 'https://api.example/v1',
          model: 'm',
          pricing: { input: 1, output: 2 },
          headers: { 'X-Title': 7 },
        },
      },
      cors: { credentials: 'yes' },
    };
    expect(() => parseRelayConfig(bad, 'relay.json')).toThrow(
      'Invalid relay config relay.json: models."strong".headers.X-Title must be a single-line string; cors.credentials must be true or false',
    );
  });
});

describe('defineRelayConfig', () => {
  it('returns the config it is given, typed', () => {
    const config = {
      models: { strong: { baseURL: 'https://api.example/v1', model: 'm', pricing: { input: 1, output: 2 } } },
    };
    expect(defineRelayConfig(config)).toBe(config);
    expectTypeOf(defineRelayConfig).parameter(0).toEqualTypeOf<RelayConfig>();
  });
});

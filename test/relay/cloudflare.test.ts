import { afterEach, describe, expect, it } from 'vitest';
import { createRelayWorker } from '../../src/relay/cloudflare.ts';
import { parseRelayConfig } from '../../src/relay/config.ts';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { configFor, HELLO, TEST_KEY } from './harness.ts';

const chatRequest = (body: unknown, headers: Record<string, string> = {}) =>
  new Request('https://relay.example/v1/chat/completions', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('createRelayWorker', () => {
  let upstream: FakeUpstream | undefined;
  afterEach(async () => {
    await upstream?.close();
    upstream = undefined;
  });

  it('serves the given config (a plain JSON object) with keys from the bindings', async () => {
    const relay = createRelayWorker(configFor('https://api.example/v1'));
    const models = (env: Record<string, unknown>) => relay.fetch(new Request('https://relay.example/v1/models'), env);
    expect(
      ((await (await models({ TEST_PROVIDER_KEY: TEST_KEY })).json()) as { data: { id: string }[] }).data.map(
        (model) => model.id,
      ),
    ).toEqual(['strong']);
    const noKeys = {};
    expect(((await (await models(noKeys)).json()) as { data: unknown[] }).data).toEqual([]);
    const chat = await relay.fetch(chatRequest(HELLO), noKeys);
    expect(chat.status).toBe(503);
    expect(((await chat.json()) as { error: { message: string } }).error.message).toContain('TEST_PROVIDER_KEY');
  });

  it("allows exactly the config's origins: no default origins are baked in", async () => {
    const relay = createRelayWorker(
      configFor('https://api.example/v1', { cors: { origins: ['https://app.example.com'] } }),
    );
    const env = { TEST_PROVIDER_KEY: TEST_KEY };
    const fromOrigin = (origin: string) =>
      relay.fetch(new Request('https://relay.example/v1/models', { headers: { origin } }), env);
    const configured = await fromOrigin('https://app.example.com');
    expect(configured.status).toBe(200);
    expect(configured.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    for (const origin of ['https://other.example', 'http://localhost:5173']) {
      const refused = await fromOrigin(origin);
      expect(refused.status, origin).toBe(403);
      expect(refused.headers.get('access-control-allow-origin'), origin).toBeNull();
    }
  });

  it('throws for an invalid config, naming the field, before any request', () => {
    expect(() => createRelayWorker(configFor('ftp://api.example/v1'))).toThrow(
      /models\."strong"\.baseURL must be an http\(s\) URL/,
    );
  });

  it('forwards to the provider with the key from a secret binding, ignoring bindings that are not strings', async () => {
    upstream = await startFakeUpstream();
    const relay = createRelayWorker(parseRelayConfig(configFor(upstream.url), 'test'));
    const response = await relay.fetch(chatRequest({ ...HELLO, stream: true }), {
      TEST_PROVIDER_KEY: TEST_KEY,
      SOME_KV: { get() {} },
    });
    expect(response.status).toBe(200);
    // The relay asked for the usage chunk to count the cost, and takes it out again: the client did not ask for it.
    expect(upstream.requests[0]!.json).toMatchObject({ stream_options: { include_usage: true } });
    const sent = upstream.requests[0]!.sent().toString();
    expect(sent).toContain('"usage"');
    expect(await response.text()).toBe(sent.replace(/data: \{[^\n]*"choices":\[\],"usage"[^\n]*\n\n/, ''));
    expect(upstream.requests[0]!.headers.authorization).toBe(`Bearer ${TEST_KEY}`);
  });

  it('limits each caller by the address Cloudflare reports', async () => {
    upstream = await startFakeUpstream();
    const relay = createRelayWorker(
      parseRelayConfig(configFor(upstream.url, { limits: { requestsPerMinute: 1 } }), 'test'),
    );
    const env = { TEST_PROVIDER_KEY: TEST_KEY };
    expect((await relay.fetch(chatRequest(HELLO, { 'cf-connecting-ip': '203.0.113.1' }), env)).status).toBe(200);
    expect((await relay.fetch(chatRequest(HELLO, { 'cf-connecting-ip': '203.0.113.1' }), env)).status).toBe(429);
    expect((await relay.fetch(chatRequest(HELLO, { 'cf-connecting-ip': '203.0.113.2' }), env)).status).toBe(200);
  });

  it('answers a JSON 500 naming wrangler.toml when the Durable Object binding the config names is missing', async () => {
    const relay = createRelayWorker(
      configFor('https://api.example/v1', { budgets: { usd: 1 }, store: { durableObjectBinding: 'RELAY_COUNTERS' } }),
    );
    for (const env of [{}, { RELAY_COUNTERS: 'not a namespace' }]) {
      const response = await relay.fetch(chatRequest(HELLO), env);
      expect(response.status).toBe(500);
      expect(await response.json()).toMatchObject({
        error: {
          code: 'relay_misconfigured',
          message: expect.stringContaining(
            'store.durableObjectBinding names RELAY_COUNTERS, which is not a Durable Object binding of this Worker: add it to wrangler.toml',
          ),
        },
      });
    }
  });

  it('answers a JSON 500 naming the problem when the bindings lack the client tokens', async () => {
    const relay = createRelayWorker(
      parseRelayConfig(configFor('https://api.example/v1', { auth: { tokensEnv: 'RELAY_TOKENS' } }), 'test'),
    );
    const response = await relay.fetch(chatRequest(HELLO), {});
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({
      error: { code: 'relay_misconfigured', message: expect.stringContaining('RELAY_TOKENS') },
    });
  });
});

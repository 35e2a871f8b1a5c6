import { afterEach, describe, expect, it, vi } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { configFor, eventually, HELLO, startTestRelay, TEST_KEY, type TestRelay } from './harness.ts';

let upstream: FakeUpstream | undefined;
let relay: TestRelay | undefined;

afterEach(async () => {
  vi.restoreAllMocks();
  await relay?.close();
  await upstream?.close();
  relay = undefined;
  upstream = undefined;
});

async function start(
  extra: Record<string, unknown> = {},
  env?: Record<string, string | undefined>,
): Promise<TestRelay> {
  upstream = await startFakeUpstream();
  relay = await startTestRelay(configFor(upstream.url, extra), env);
  return relay;
}

type ErrorJSON = { error: { message: string; type: string; code: string } };

async function expectError(response: Response, status: number, code: string): Promise<ErrorJSON> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/json');
  const body = (await response.json()) as ErrorJSON;
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(typeof body.error.type).toBe('string');
  return body;
}

describe('models and health', () => {
  it('lists the aliases that have keys, with their prices per 1M tokens', async () => {
    upstream = await startFakeUpstream();
    relay = await startTestRelay(
      {
        models: {
          strong: { baseURL: upstream.url, model: 'big', apiKeyEnv: 'STRONG_KEY', pricing: { input: 2.5, output: 10 } },
          weak: { baseURL: upstream.url, model: 'small', apiKeyEnv: 'WEAK_KEY', pricing: { input: 0.15, output: 0.6 } },
          local: { baseURL: upstream.url, model: 'llama3.2', pricing: { input: 0, output: 0 } },
        },
      },
      { STRONG_KEY: 'sk-strong', WEAK_KEY: '' },
    );
    const response = await relay.call('/v1/models');
    expect(response.status).toBe(200);
    const list = (await response.json()) as { object: string; data: Record<string, unknown>[] };
    expect(list.object).toBe('list');
    expect(list.data.map((model) => [model['id'], model['object'], model['pricing']])).toEqual([
      ['strong', 'model', { input: 2.5, output: 10 }],
      ['local', 'model', { input: 0, output: 0 }],
    ]);
    expect(JSON.stringify(list)).not.toContain('big');
    expect(await (await relay.call('/health')).json()).toEqual({ status: 'ok', models: 2 });
  });

  it('starts without keys, lists no models and answers chat with a 503 naming the variable to set', async () => {
    const noKeys = await start({}, {});
    expect(((await (await noKeys.call('/v1/models')).json()) as { data: unknown[] }).data).toEqual([]);
    const body = await expectError(await noKeys.chat(HELLO), 503, 'model_unavailable');
    expect(body.error.message).toContain('TEST_PROVIDER_KEY');
    expect(upstream!.requests).toHaveLength(0);
  });
});

describe('request checks', () => {
  it('accepts only configured aliases, never a URL or an inherited property name', async () => {
    await start();
    for (const model of [
      'weak',
      'STRONG',
      ' strong',
      'http://127.0.0.1:1/v1',
      `${upstream!.url}/chat/completions`,
      'constructor',
      '__proto__',
      'toString',
    ]) {
      const body = await expectError(await relay!.chat({ ...HELLO, model }), 404, 'model_not_found');
      expect(body.error.message).toContain('Available models: strong.');
    }
    expect(upstream!.requests).toHaveLength(0);
  });

  it('sends every request to the configured URL, whatever the client names in the query, headers or body', async () => {
    await start();
    const response = await relay!.call('/v1/chat/completions?baseURL=http://169.254.169.254/&url=http://127.0.0.1:1/', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-upstream-url': 'http://127.0.0.1:1/', host: 'evil.example' },
      body: JSON.stringify({ ...HELLO, baseURL: 'http://127.0.0.1:1/v1', api_base: 'http://127.0.0.1:1/v1' }),
    });
    expect(response.status).toBe(200);
    expect(upstream!.requests.map((received) => received.path)).toEqual(['/v1/chat/completions']);
    expect(upstream!.requests[0]!.headers.host).toBe(new URL(upstream!.url).host);
  });

  it('rejects malformed bodies with 400 and says what is wrong', async () => {
    await start();
    expect((await expectError(await relay!.chat('{"model": "strong",'), 400, 'invalid_json')).error.message).toMatch(
      /not valid JSON/,
    );
    expect((await expectError(await relay!.chat({ model: 'strong' }), 400, 'invalid_request')).error.message).toBe(
      '"messages" must be a non-empty array.',
    );
    expect(
      (await expectError(await relay!.chat({ ...HELLO, messages: [{ content: 'x' }] }), 400, 'invalid_request')).error
        .message,
    ).toBe('"messages[0].role" must be a string.');
    expect(
      (await expectError(await relay!.chat({ ...HELLO, stream: 'yes' }), 400, 'invalid_request')).error.message,
    ).toBe('"stream" must be true or false.');
    const deep = `{"model":"strong","messages":[{"role":"user","content":${'['.repeat(100_000)}${']'.repeat(100_000)}}]}`;
    expect((await expectError(await relay!.chat(deep), 400, 'invalid_request')).error.message).toBe(
      'The request body is nested too deeply.',
    );
    expect(upstream!.requests).toHaveLength(0);
  });

  it('wants JSON: other content types get 415', async () => {
    await start();
    const response = await relay!.call('/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify(HELLO),
    });
    await expectError(response, 415, 'unsupported_media_type');
  });

  it('refuses bodies over the limit with 413, with or without a Content-Length', async () => {
    await start({ limits: { maxBodyBytes: 1000 } });
    const big = JSON.stringify({ ...HELLO, messages: [{ role: 'user', content: 'x'.repeat(2000) }] });
    await expectError(await relay!.chat(big), 413, 'request_too_large');
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const response = await relay!.call('/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chunked,
      duplex: 'half',
    } as RequestInit);
    await expectError(response, 413, 'request_too_large');
    expect(upstream!.requests).toHaveLength(0);
  });

  it('answers unknown paths with 404 and wrong methods with 405, in JSON', async () => {
    await start();
    await expectError(await relay!.call('/v1/completions', { method: 'POST' }), 404, 'not_found');
    await expectError(await relay!.call('/v1/chat/completions/'), 404, 'not_found');
    const wrongMethod = await relay!.call('/v1/chat/completions');
    await expectError(wrongMethod, 405, 'method_not_allowed');
    expect(wrongMethod.headers.get('allow')).toBe('POST');
  });
});

describe('CORS', () => {
  const preflight = (origin: string) => ({
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization, content-type',
    },
  });

  it('by default lets pages on this machine call, on any port, and nobody else', async () => {
    await start();
    for (const origin of ['http://localhost:5173', 'http://127.0.0.1:4173', 'http://[::1]:3000', 'http://localhost']) {
      const response = await relay!.call('/v1/chat/completions', preflight(origin));
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
      expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    }
    for (const origin of [
      'https://evil.example',
      'http://localhost.evil.example:5173',
      'https://localhost:5173',
      'null',
    ]) {
      const response = await relay!.call('/v1/chat/completions', preflight(origin));
      await expectError(response, 403, 'origin_not_allowed');
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    }
    // A "simple" cross-site POST (no preflight) must not reach the provider either.
    await expectError(
      await relay!.chat(HELLO, { headers: { origin: 'https://evil.example', 'content-type': 'text/plain' } }),
      403,
      'origin_not_allowed',
    );
    expect(upstream!.requests).toHaveLength(0);
  });

  it('echoes an allowed origin on real responses and errors, so the page can read them', async () => {
    await start();
    const ok = await relay!.chat(HELLO, { headers: { origin: 'http://localhost:5173' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(ok.headers.get('vary')).toContain('Origin');
    const failed = await relay!.chat({ ...HELLO, model: 'nope' }, { headers: { origin: 'http://localhost:5173' } });
    expect(failed.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
  });

  it('uses the configured list, with credentials only for named origins', async () => {
    await start({ cors: { origins: ['https://app.example.com'], credentials: true } });
    const allowed = await relay!.call('/v1/models', { headers: { origin: 'https://app.example.com' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    await expectError(
      await relay!.call('/v1/models', { headers: { origin: 'http://localhost:5173' } }),
      403,
      'origin_not_allowed',
    );
  });

  it('answers * when any origin is allowed', async () => {
    await start({ cors: { origins: ['*'] } });
    const response = await relay!.call('/v1/models', { headers: { origin: 'https://anywhere.example' } });
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('client tokens', () => {
  const tokens = { TEST_PROVIDER_KEY: TEST_KEY, RELAY_TOKENS: 'alpha-token-1, beta-token-2' };

  it('needs a listed bearer token on /v1, but not on /health', async () => {
    await start({ auth: { tokensEnv: 'RELAY_TOKENS' } }, tokens);
    const missing = await relay!.chat(HELLO);
    await expectError(missing, 401, 'missing_token');
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    await expectError(
      await relay!.chat(HELLO, { headers: { authorization: 'Bearer gamma-token-3' } }),
      401,
      'invalid_token',
    );
    await expectError(
      await relay!.chat(HELLO, { headers: { authorization: 'Basic YWxwaGE6dG9rZW4=' } }),
      401,
      'invalid_token',
    );
    await expectError(
      await relay!.call('/v1/models', { headers: { authorization: 'Bearer alpha-token-1x' } }),
      401,
      'invalid_token',
    );
    expect(upstream!.requests).toHaveLength(0);

    expect((await relay!.chat(HELLO, { headers: { authorization: 'Bearer beta-token-2' } })).status).toBe(200);
    expect(upstream!.requests[0]!.headers.authorization).toBe(`Bearer ${TEST_KEY}`);
    expect((await relay!.call('/health')).status).toBe(200);
    await eventually(
      () => relay!.logs.some((entry) => entry.status === 200 && entry.model === 'strong'),
      'the log line',
    );
    const logged = JSON.stringify(relay!.logs);
    expect(logged).toContain('token#2');
    expect(logged).not.toContain('beta-token-2');
  });

  it('refuses to start when the token variable is not set', async () => {
    await expect(start({ auth: { tokensEnv: 'RELAY_TOKENS' } })).rejects.toThrow(/RELAY_TOKENS, which is not set/);
  });
});

describe('per-client limits', () => {
  it('answers 429 with Retry-After once a client spends its requests per minute, per client', async () => {
    await start(
      { auth: { tokensEnv: 'RELAY_TOKENS' }, limits: { requestsPerMinute: 3 } },
      { TEST_PROVIDER_KEY: TEST_KEY, RELAY_TOKENS: 'one-1,two-2' },
    );
    const as = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
    for (let request = 0; request < 3; request += 1) expect((await relay!.chat(HELLO, as('one-1'))).status).toBe(200);
    const limited = await relay!.chat(HELLO, as('one-1'));
    await expectError(limited, 429, 'rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await relay!.chat(HELLO, as('two-2'))).status).toBe(200);
  });

  it('caps requests in flight per client and frees the slot when a stream ends or is abandoned', async () => {
    await start({ limits: { maxConcurrentRequests: 2 } });
    upstream!.setReply({ kind: 'stall', afterChunks: 1 });
    const first = new AbortController();
    const second = new AbortController();
    const streams = [
      await relay!.chat({ ...HELLO, stream: true }, { signal: first.signal }),
      await relay!.chat({ ...HELLO, stream: true }, { signal: second.signal }),
    ];
    expect(streams.map((response) => response.status)).toEqual([200, 200]);
    const third = await relay!.chat(HELLO);
    await expectError(third, 429, 'too_many_concurrent_requests');
    expect(third.headers.get('retry-after')).toBe('1');

    upstream!.setReply({ kind: 'complete' });
    first.abort();
    await eventually(
      () => relay!.logs.some((entry) => entry.outcome === 'client_closed'),
      'the abandoned stream to be logged',
    );
    expect((await relay!.chat(HELLO)).status).toBe(200);
    second.abort();
  });
});

describe('the key stays with the relay', () => {
  it('never appears in a response, an error, a header or a log line, whatever happens upstream', async () => {
    const consoleOutput: string[] = [];
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, method).mockImplementation(
        (...args: unknown[]) => void consoleOutput.push(args.map(String).join(' ')),
      );
    }
    const stdout = vi.spyOn(process.stdout, 'write');
    const stderr = vi.spyOn(process.stderr, 'write');
    await start({ limits: { upstreamFirstByteTimeoutMs: 200, upstreamIdleTimeoutMs: 200 } });
    const replies: Parameters<FakeUpstream['setReply']>[0][] = [
      { kind: 'complete' },
      {
        kind: 'fail',
        status: 401,
        body: JSON.stringify({ error: { message: `Incorrect API key provided: ${TEST_KEY}` } }),
      },
      { kind: 'fail', status: 400, body: JSON.stringify({ error: { message: `bad: ${TEST_KEY}` } }) },
      { kind: 'fail', status: 429, body: TEST_KEY },
      { kind: 'fail', status: 500, body: `internal ${TEST_KEY}` },
      {
        kind: 'raw',
        headers: { 'content-type': 'application/json', 'x-echo': TEST_KEY, 'set-cookie': `k=${TEST_KEY}` },
        chunks: ['{}'],
      },
      { kind: 'stall' },
      { kind: 'stall', afterChunks: 1 },
      { kind: 'drop' },
      { kind: 'drop', afterChunks: 2 },
    ];
    const seen: string[] = [];
    for (const reply of replies) {
      for (const stream of [false, true]) {
        upstream!.setReply(reply);
        const response = await relay!.chat({ ...HELLO, stream });
        seen.push(JSON.stringify([...response.headers]));
        seen.push(await response.text().catch((error: unknown) => String(error)));
      }
    }
    seen.push(await (await relay!.call('/v1/models')).text());
    seen.push(await (await relay!.chat({ ...HELLO, model: TEST_KEY.slice(0, 10) })).text());
    await eventually(() => relay!.logs.length === replies.length * 2 + 2, 'every log line');

    expect(upstream!.requests).toHaveLength(replies.length * 2);
    for (const received of upstream!.requests) expect(received.headers.authorization).toBe(`Bearer ${TEST_KEY}`);
    const everything = [
      ...seen,
      ...relay!.logs.map((entry) => JSON.stringify(entry)),
      ...consoleOutput,
      ...stdout.mock.calls.map((call) => String(call[0])),
      ...stderr.mock.calls.map((call) => String(call[0])),
    ].join('\n');
    expect(everything).not.toContain(TEST_KEY);
    expect(everything).not.toContain('TEST_PROVIDER_KEY=');
  });

  it('logs one JSON line per request by default, without the key', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => void lines.push(String(line)));
    upstream = await startFakeUpstream();
    const { startNodeRelay } = await import('../../src/relay/node.ts');
    const { parseRelayConfig } = await import('../../src/relay/config.ts');
    const plain = await startNodeRelay({
      config: parseRelayConfig(configFor(upstream.url), 'test'),
      port: 0,
      env: { TEST_PROVIDER_KEY: TEST_KEY },
    });
    try {
      await fetch(`${plain.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(HELLO),
      }).then((r) => r.text());
      await eventually(() => lines.length === 1, 'the log line');
      expect(JSON.parse(lines[0]!)).toMatchObject({
        method: 'POST',
        path: '/v1/chat/completions',
        status: 200,
        model: 'strong',
        client: '127.0.0.1',
      });
      expect(lines[0]).not.toContain(TEST_KEY);
    } finally {
      await plain.close();
    }
  });
});

import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import {
  configFor,
  eventually,
  HELLO,
  startTestRelay,
  TEST_KEY,
  TRANSPORTS,
  type TestRelay,
  type TransportName,
} from './harness.ts';

describe.each(Object.keys(TRANSPORTS) as TransportName[])('through %s', (transport) => {
  let upstream: FakeUpstream;
  let relay: TestRelay;

  async function start(
    limits: Record<string, number> = {},
    reply?: Parameters<typeof startFakeUpstream>[0],
  ): Promise<void> {
    upstream = await startFakeUpstream(reply);
    relay = await startTestRelay(configFor(upstream.url, { limits }), undefined, transport);
  }

  afterEach(async () => {
    await relay?.close();
    await upstream?.close();
  });

  /** Everything the response body delivers, and the error that ended it early, if any. */
  async function readAll(response: Response): Promise<{ bytes: Buffer; error?: unknown }> {
    const chunks: Buffer[] = [];
    const reader = response.body!.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return { bytes: Buffer.concat(chunks) };
        chunks.push(Buffer.from(value));
      }
    } catch (error) {
      return { bytes: Buffer.concat(chunks), error };
    }
  }

  describe('forwarding a chat completion', () => {
    it('sends the client body with the provider model name, the key, and nothing from the client headers', async () => {
      await start();
      const clientBody =
        '{"model":"strong","messages":[{"role":"user","content":"Hi"}],"temperature":0.2,"max_tokens":64,' +
        '"tools":[{"type":"function","function":{"name":"f","parameters":{}}}],"__proto__":{"polluted":true}}';
      const response = await relay.chat(clientBody, {
        headers: {
          authorization: 'Bearer client-supplied-credential',
          cookie: 'session=client-cookie',
          'x-api-key': 'client-api-key',
          'proxy-authorization': 'Basic Y2xpZW50',
          'x-forwarded-for': '10.0.0.1',
          'x-forwarded-host': 'evil.example',
          'openai-organization': 'org-client',
        },
      });
      expect(response.status).toBe(200);
      expect(upstream.requests).toHaveLength(1);
      const received = upstream.requests[0]!;
      expect(received.method).toBe('POST');
      expect(received.path).toBe('/v1/chat/completions');
      expect(received.json).toEqual({ ...JSON.parse(clientBody), model: 'upstream-strong' });
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      expect(received.headers.authorization).toBe(`Bearer ${TEST_KEY}`);
      const headerText = JSON.stringify(received.headers);
      for (const leaked of [
        'client-supplied-credential',
        'client-cookie',
        'client-api-key',
        'Y2xpZW50',
        '10.0.0.1',
        'evil.example',
        'org-client',
      ]) {
        expect(headerText).not.toContain(leaked);
      }
      // What fetch itself adds (host, connection, user-agent, ...) plus what the relay sets; nothing else.
      const expected = [
        'accept',
        'accept-encoding',
        'accept-language',
        'authorization',
        'connection',
        'content-length',
        'content-type',
        'host',
        'sec-fetch-mode',
        'user-agent',
      ];
      for (const name of Object.keys(received.headers)) expect(expected).toContain(name);
    });

    it('passes a non-streaming answer through byte for byte, with the provider request id but no cookies', async () => {
      await start();
      const response = await relay.chat(HELLO);
      const { bytes } = await readAll(response);
      expect(bytes.equals(upstream.requests[0]!.sent())).toBe(true);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(response.headers.get('x-request-id')).toBe('req_fake');
      expect(JSON.parse(bytes.toString()).choices[0].message.content).toContain('fake upstream');
    });

    it('does not pass on the provider cookies or other headers', async () => {
      await start(
        {},
        {
          reply: {
            kind: 'raw',
            headers: {
              'content-type': 'application/json',
              'set-cookie': '__cf_bm=provider-cookie',
              'x-ratelimit-remaining-tokens': '9',
            },
            chunks: ['{"ok":true}'],
          },
        },
      );
      const response = await relay.chat(HELLO);
      expect(await response.text()).toBe('{"ok":true}');
      expect(response.headers.get('set-cookie')).toBeNull();
      expect(response.headers.get('x-ratelimit-remaining-tokens')).toBeNull();
    });

    it('asks for no encoding, and decodes an answer that comes compressed anyway', async () => {
      const answer = JSON.stringify({
        id: 'chatcmpl-gz',
        choices: [{ message: { role: 'assistant', content: 'ü'.repeat(500) } }],
      });
      await start(
        {},
        {
          reply: {
            kind: 'raw',
            headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
            chunks: [gzipSync(answer)],
          },
        },
      );
      const response = await relay.chat(HELLO);
      expect(upstream.requests[0]!.headers['accept-encoding']).toBe('identity');
      expect(response.headers.get('content-encoding')).toBeNull();
      expect(await response.text()).toBe(answer);
    });

    it('sends the fixed headers the config names for a provider', async () => {
      upstream = await startFakeUpstream();
      const { models, ...rest } = configFor(upstream.url);
      const config = { ...rest, models: { strong: { ...models['strong']!, headers: { 'X-Title': 'routellm-web' } } } };
      relay = await startTestRelay(config, undefined, transport);
      expect((await relay.chat(HELLO)).status).toBe(200);
      expect(upstream.requests[0]!.headers['x-title']).toBe('routellm-web');
    });

    it('sends no Authorization header to a provider that needs no key', async () => {
      upstream = await startFakeUpstream();
      relay = await startTestRelay(
        { models: { local: { baseURL: upstream.url, model: 'llama3.2', pricing: { input: 0, output: 0 } } } },
        {},
        transport,
      );
      const response = await relay.chat({ ...HELLO, model: 'local' });
      expect(response.status).toBe(200);
      expect(upstream.requests[0]!.headers.authorization).toBeUndefined();
    });
  });

  describe('streaming', () => {
    it('passes the provider SSE bytes through unchanged, however they are split', async () => {
      const euro = Buffer.from('€');
      await start(
        {},
        {
          reply: {
            kind: 'raw',
            headers: { 'content-type': 'text/event-stream; charset=utf-8' },
            chunks: [
              ': keep-alive comment\r\n\r\n',
              'data: {"choices":[{"delta":{"content":"price ',
              euro.subarray(0, 1),
              Buffer.concat([euro.subarray(1), Buffer.from(' 5 \\u2603 🙂"}}]}\n\n')]),
              'event: ping\ndata: \n\n',
              'data: [DONE]\n\n',
            ],
            chunkIntervalMs: 5,
          },
        },
      );
      const response = await relay.chat({ ...HELLO, stream: true });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      const { bytes, error } = await readAll(response);
      expect(error).toBeUndefined();
      expect(bytes.equals(upstream.requests[0]!.sent())).toBe(true);
      expect(upstream.requests[0]!.headers.accept).toBe('text/event-stream');
    });

    it('passes a whole streamed completion through and logs it as completed', async () => {
      await start();
      const response = await relay.chat({ ...HELLO, stream: true, stream_options: { include_usage: true } });
      const { bytes } = await readAll(response);
      expect(bytes.equals(upstream.requests[0]!.sent())).toBe(true);
      expect(bytes.toString()).toMatch(/"usage":\{"prompt_tokens":\d+/);
      expect(bytes.toString().endsWith('data: [DONE]\n\n')).toBe(true);
      await eventually(() => relay.logs.length === 1, 'the log line');
      expect(relay.logs[0]).toMatchObject({
        method: 'POST',
        path: '/v1/chat/completions',
        status: 200,
        model: 'strong',
        outcome: 'completed',
      });
    });

    it('aborts the provider request when the client hangs up mid-stream', async () => {
      await start({}, { reply: { kind: 'complete', content: 'word '.repeat(500), chunkIntervalMs: 20 } });
      const client = new AbortController();
      const response = await relay.chat({ ...HELLO, stream: true }, { signal: client.signal });
      const reader = response.body!.getReader();
      expect((await reader.read()).done).toBe(false);
      client.abort();
      expect(await upstream.requests[0]!.ended).toBe('aborted');
      await eventually(() => relay.logs.length === 1, 'the log line');
      expect(relay.logs[0]!.outcome).toBe('client_closed');
    });

    it('aborts the provider request when the client hangs up before the provider answers', async () => {
      await start({}, { reply: { kind: 'stall' } });
      const client = new AbortController();
      const pending = relay
        .chat({ ...HELLO, stream: true }, { signal: client.signal })
        .catch((error: unknown) => error);
      await eventually(() => upstream.requests.length === 1, 'the request upstream');
      client.abort();
      await pending;
      expect(await upstream.requests[0]!.ended).toBe('aborted');
    });

    it('ends the stream with an SSE error event, and aborts the provider request, when the provider goes silent mid-stream', async () => {
      await start({ upstreamIdleTimeoutMs: 200 }, { reply: { kind: 'stall', afterChunks: 2 } });
      const response = await relay.chat({ ...HELLO, stream: true });
      expect(response.status).toBe(200);
      const { bytes, error } = await readAll(response);
      expect(error).toBeUndefined();
      const sent = upstream.requests[0]!.sent().toString();
      expect(bytes.toString().startsWith(sent)).toBe(true);
      const tail = bytes.toString().slice(sent.length);
      expect(tail).toMatch(/^event: error\ndata: \{.*\}\n\n$/);
      expect(JSON.parse(tail.split('data: ')[1]!)).toEqual({
        error: {
          message: 'The provider sent nothing for 200 ms; the response was cut off.',
          type: 'upstream_error',
          code: 'upstream_timeout',
        },
      });
      expect(await upstream.requests[0]!.ended).toBe('aborted');
      await eventually(() => relay.logs.length === 1, 'the log line');
      expect(relay.logs[0]!.outcome).toBe('upstream_idle');
    });

    it("ends the stream with an SSE error event in OpenAI's shape when the provider drops the connection mid-stream", async () => {
      await start({}, { reply: { kind: 'drop', afterChunks: 3 } });
      const response = await relay.chat({ ...HELLO, stream: true });
      const { bytes, error } = await readAll(response);
      expect(error).toBeUndefined();
      const sent = upstream.requests[0]!.sent().toString();
      expect(bytes.toString()).toBe(
        `${sent}event: error\ndata: {"error":{"message":"The provider connection ended before the response was complete.","type":"upstream_error","code":"upstream_error"}}\n\n`,
      );
      await eventually(() => relay.logs.length === 1, 'the log line');
      expect(relay.logs[0]!.outcome).toBe('upstream_failed_mid_response');
    });
  });

  describe('provider failures become relay errors', () => {
    async function errorFor(reply: Parameters<FakeUpstream['setReply']>[0], limits: Record<string, number> = {}) {
      await start(limits, { reply });
      const response = await relay.chat(HELLO);
      return {
        status: response.status,
        headers: response.headers,
        body: (await response.json()) as { error: Record<string, string> },
      };
    }

    it('answers 504 when the provider does not start answering in time, and aborts it', async () => {
      const { status, body } = await errorFor({ kind: 'stall' }, { upstreamFirstByteTimeoutMs: 150 });
      expect(status).toBe(504);
      expect(body.error).toMatchObject({ type: 'upstream_error', code: 'upstream_timeout' });
      expect(await upstream.requests[0]!.ended).toBe('aborted');
    });

    it('answers 502 when the provider drops the connection before answering', async () => {
      const { status, body } = await errorFor({ kind: 'drop' });
      expect(status).toBe(502);
      expect(body.error.code).toBe('upstream_unreachable');
    });

    it('answers 502 when nothing listens at the provider address', async () => {
      upstream = await startFakeUpstream();
      const closedURL = upstream.url;
      await upstream.close();
      relay = await startTestRelay(configFor(closedURL), undefined, transport);
      const response = await relay.chat(HELLO);
      expect(response.status).toBe(502);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('upstream_unreachable');
    });

    it('passes on why the provider rejected a request, as a 400', async () => {
      const { status, body } = await errorFor({
        kind: 'fail',
        status: 400,
        body: JSON.stringify({ error: { message: 'max_tokens is too large: 100000.', type: 'invalid_request_error' } }),
      });
      expect(status).toBe(400);
      expect(body.error).toEqual({
        message: 'The provider rejected the request for model "strong": max_tokens is too large: 100000.',
        type: 'invalid_request_error',
        code: 'upstream_rejected_request',
      });
    });

    it('replaces a provider authentication error, which may quote the key, with one naming the key variable', async () => {
      const { status, body } = await errorFor({
        kind: 'fail',
        status: 401,
        body: JSON.stringify({
          error: { message: `Incorrect API key provided: ${TEST_KEY.slice(0, 8)}****${TEST_KEY.slice(-4)}.` },
        }),
      });
      expect(status).toBe(502);
      expect(body.error.code).toBe('upstream_auth_failed');
      expect(body.error.message).toContain('TEST_PROVIDER_KEY');
      expect(JSON.stringify(body)).not.toContain(TEST_KEY.slice(-4));
    });

    it('cuts the key out of any provider message it passes on', async () => {
      const { body } = await errorFor({ kind: 'fail', status: 400, body: `bad request from ${TEST_KEY} ok` });
      expect(body.error.message).toBe(
        'The provider rejected the request for model "strong": bad request from [redacted] ok',
      );
    });

    it('answers 429 with the provider Retry-After when the provider rate-limits', async () => {
      const { status, headers, body } = await errorFor({ kind: 'fail', status: 429, headers: { 'retry-after': '7' } });
      expect(status).toBe(429);
      expect(headers.get('retry-after')).toBe('7');
      expect(body.error).toMatchObject({ type: 'rate_limit_error', code: 'upstream_rate_limited' });
    });

    it('answers 502 for a provider server error or an unknown provider model', async () => {
      for (const providerStatus of [500, 503, 404]) {
        const { status, body } = await errorFor({ kind: 'fail', status: providerStatus });
        expect(status).toBe(502);
        expect(body.error.type).toBe('upstream_error');
        await relay.close();
        await upstream.close();
      }
    });

    it('does not follow a provider redirect, which would carry the key elsewhere', async () => {
      const { status, body } = await errorFor({
        kind: 'fail',
        status: 307,
        headers: { location: 'http://127.0.0.1:9/steal' },
      });
      expect(status).toBe(502);
      expect(body.error.message).toContain('redirect');
      expect(upstream.requests).toHaveLength(1);
    });
  });
});

/**
 * When providers fail: fallback chains before any byte reached the client (never after), a provider's 429 waited
 * out, retry hints for openai-node, and keys redacted from every provider byte, fuzzed over where they appear.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RelayConfig } from '../../src/relay/config.ts';
import {
  startFakeUpstream,
  type FakeReply,
  type FakeUpstream,
  type RecordedRequest,
} from '../support/fake-upstream.ts';
import { eventually, HELLO, startTestRelay, TEST_KEY, type TestRelay } from './harness.ts';

let upstream: FakeUpstream | undefined;
let relay: TestRelay | undefined;

afterEach(async () => {
  await relay?.close();
  await upstream?.close();
  relay = undefined;
  upstream = undefined;
});

const OTHER_KEY = 'gsk_other-provider-key-7f3e9a1c5b2d';
const modelOf = (request: RecordedRequest) => (request.json as { model: string }).model;

/** strong -> [backup, weak]; each alias a different provider model on the one fake, chosen by `reply` per model. */
async function start(
  reply: (model: string, request: RecordedRequest) => FakeReply,
  limits: RelayConfig['limits'] = {},
) {
  upstream = await startFakeUpstream({ reply: (request) => reply(modelOf(request), request) });
  const alias = (model: string, apiKeyEnv: string) => ({
    baseURL: upstream!.url,
    model,
    apiKeyEnv,
    pricing: { input: 1, output: 1 },
  });
  relay = await startTestRelay(
    {
      models: {
        strong: { ...alias('upstream-strong', 'TEST_PROVIDER_KEY'), fallbacks: ['backup', 'weak'] },
        backup: alias('upstream-backup', 'OTHER_PROVIDER_KEY'),
        weak: alias('upstream-weak', 'TEST_PROVIDER_KEY'),
      },
      limits: { upstreamFirstByteTimeoutMs: 300, ...limits },
    },
    { TEST_PROVIDER_KEY: TEST_KEY, OTHER_PROVIDER_KEY: OTHER_KEY },
  );
  return relay;
}

describe('fallback chains', () => {
  it('tries the next alias on a 5xx, a dropped connection or no first byte in time, and says who answered', async () => {
    const failures: Record<string, FakeReply> = {
      'upstream-strong': { kind: 'fail', status: 500 },
      'upstream-backup': { kind: 'stall' },
    };
    for (const stream of [false, true]) {
      await start((model) => failures[model] ?? { kind: 'complete' });
      const response = await relay!.chat({ ...HELLO, stream });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-routellm-model')).toBe('weak');
      expect(response.headers.get('x-routellm-fallback')).toBe('error');
      expect(await response.text()).toContain('"model":"weak"');
      expect(upstream!.requests.map(modelOf)).toEqual(['upstream-strong', 'upstream-backup', 'upstream-weak']);
      await eventually(() => relay!.logs.length === 1, 'the log line');
      expect(relay!.logs[0]).toMatchObject({
        status: 200,
        model: 'strong',
        answeredBy: 'weak',
        fallback: 'error',
        outcome: 'completed',
      });
      await relay!.close();
      await upstream!.close();
    }
    relay = undefined;
    upstream = undefined;
  });

  it('falls back on a connection dropped before the answer', async () => {
    await start((model) => (model === 'upstream-strong' ? { kind: 'drop' } : { kind: 'complete' }));
    const response = await relay!.chat(HELLO);
    expect(response.headers.get('x-routellm-model')).toBe('backup');
  });

  it('never falls back once bytes have reached the client: the stream ends with an error event', async () => {
    await start((model) => (model === 'upstream-strong' ? { kind: 'drop', afterChunks: 2 } : { kind: 'complete' }));
    const text = await (await relay!.chat({ ...HELLO, stream: true })).text();
    expect(text).toMatch(
      /event: error\ndata: \{"error":\{"message":"The provider connection ended before the response was complete\."/,
    );
    expect(upstream!.requests.map(modelOf)).toEqual(['upstream-strong']);
    await eventually(() => relay!.logs.length === 1, 'the log line');
    expect(relay!.logs[0]).toMatchObject({ outcome: 'upstream_failed_mid_response', status: 200 });
  });

  it('does not fall back on a request the provider rejects (4xx): another provider would reject it too', async () => {
    await start((model) => (model === 'upstream-strong' ? { kind: 'fail', status: 400 } : { kind: 'complete' }));
    expect((await relay!.chat(HELLO)).status).toBe(400);
    expect(upstream!.requests).toHaveLength(1);
  });

  it('answers with the last failure when every alias in the chain fails', async () => {
    await start(() => ({ kind: 'fail', status: 503 }));
    const response = await relay!.chat(HELLO);
    expect(response.status).toBe(502);
    expect(upstream!.requests).toHaveLength(3);
    await eventually(() => relay!.logs.length === 1, 'the log line');
    expect(relay!.logs[0]!.outcome).toBe('upstream_error');
  });
});

describe('a provider that rate-limits', () => {
  it('waits out a short Retry-After once, on the same provider', async () => {
    let calls = 0;
    await start((model) => {
      if (model !== 'upstream-strong') return { kind: 'complete' };
      calls += 1;
      return calls === 1 ? { kind: 'fail', status: 429, headers: { 'retry-after-ms': '200' } } : { kind: 'complete' };
    });
    const startedAt = Date.now();
    const response = await relay!.chat(HELLO);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-routellm-model')).toBe('strong');
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(190);
    expect(upstream!.requests.map(modelOf)).toEqual(['upstream-strong', 'upstream-strong']);
  });

  it('moves on to the next alias when the wait is over the limit', async () => {
    await start(
      (model) =>
        model === 'upstream-strong'
          ? { kind: 'fail', status: 429, headers: { 'retry-after': '30' } }
          : { kind: 'complete' },
      {
        upstreamRetryAfterMaxMs: 1000,
      },
    );
    const response = await relay!.chat(HELLO);
    expect(response.headers.get('x-routellm-model')).toBe('backup');
    expect(upstream!.requests.map(modelOf)).toEqual(['upstream-strong', 'upstream-backup']);
  });
});

describe('retry hints', () => {
  it('says x-should-retry: false when the key is not set or the provider refuses it', async () => {
    upstream = await startFakeUpstream({ reply: { kind: 'fail', status: 401 } });
    relay = await startTestRelay({
      models: {
        strong: { baseURL: upstream.url, model: 'm', apiKeyEnv: 'TEST_PROVIDER_KEY', pricing: { input: 1, output: 1 } },
      },
    });
    const refused = await relay.chat(HELLO);
    expect(refused.status).toBe(502);
    expect(refused.headers.get('x-should-retry')).toBe('false');
    await relay.close();
    relay = await startTestRelay(
      {
        models: {
          strong: {
            baseURL: upstream.url,
            model: 'm',
            apiKeyEnv: 'TEST_PROVIDER_KEY',
            pricing: { input: 1, output: 1 },
          },
        },
      },
      {},
    );
    const unset = await relay.chat(HELLO);
    expect(unset.status).toBe(503);
    expect(unset.headers.get('x-should-retry')).toBe('false');
  });
});

/** A small seeded generator, so a failing case can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Each run of text that starts with the first 8 characters of a key, as far as it goes on matching that key, cut. */
function redactedByHand(text: string, keys: readonly string[]): string {
  let out = '';
  for (let at = 0; at < text.length; ) {
    const key = keys.find((candidate) => text.startsWith(candidate.slice(0, 8), at));
    if (!key) {
      out += text[at];
      at += 1;
      continue;
    }
    let length = 8;
    while (length < key.length && text[at + length] === key[length]) length += 1;
    out += '[redacted]';
    at += length;
  }
  return out;
}

describe('keys never reach a client', () => {
  const SEED = 15;
  const CASES = 60;

  it(`redacts any configured key, or its first 8+ characters, wherever it appears and however the bytes are split (${CASES} cases, seed ${SEED})`, async () => {
    const next = random(SEED);
    const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
    let reply: FakeReply = { kind: 'complete' };
    await start(() => reply);
    for (let index = 0; index < CASES; index += 1) {
      const key = pick([TEST_KEY, OTHER_KEY]);
      const leaked = key.slice(0, 8 + Math.floor(next() * (key.length - 7)));
      const filler = () =>
        Array.from({ length: Math.floor(next() * 40) }, () =>
          pick(['a', ' ', 'k', 's', '-', 'é', '"', '\\n', key[0]!, key[1]!]),
        ).join('');
      const content = `${filler()}${leaked}${filler()}${next() < 0.5 ? leaked + leaked : ''}${filler()}`;
      const stream = next() < 0.6;
      const body = stream
        ? `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content } }] })}\n\ndata: [DONE]\n\n`
        : JSON.stringify({
            choices: [{ message: { role: 'assistant', content } }],
            usage: { prompt_tokens: 1, completion_tokens: 1 },
          });
      const bytes = Buffer.from(body);
      const chunks: Buffer[] = [];
      for (let at = 0; at < bytes.length; ) {
        const size = 1 + Math.floor(next() * 12);
        chunks.push(bytes.subarray(at, at + size));
        at += size;
      }
      reply = {
        kind: 'raw',
        headers: {
          'content-type': stream ? 'text/event-stream' : 'application/json',
          'x-request-id': next() < 0.3 ? `req_${leaked}` : 'req_1',
        },
        chunks,
      };
      const response = await relay!.chat({ ...HELLO, stream });
      const received = await response.text();
      const context = `case ${index}: ${JSON.stringify(content)}`;
      expect(response.status, context).toBe(200);
      for (const secret of [TEST_KEY, OTHER_KEY]) {
        expect(received, context).not.toContain(secret.slice(0, 8));
        expect(JSON.stringify([...response.headers]), context).not.toContain(secret.slice(0, 8));
      }
      // Only the key is cut: the rest of the answer is what the provider sent.
      const parsed = stream
        ? JSON.parse(received.split('\n\n')[0]!.slice(6)).choices[0].delta.content
        : JSON.parse(received).choices[0].message.content;
      expect(parsed, context).toBe(redactedByHand(content, [TEST_KEY, OTHER_KEY]));
    }
  });
});

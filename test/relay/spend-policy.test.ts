/**
 * What a client may spend, through a real relay in front of the fake provider: cost from the provider's usage,
 * budgets (per client, per alias) with their fallback or 429, the strong-share cap, who a client is behind proxies,
 * and what happens when the counters' store (a real redis-server) goes away.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RelayConfig } from '../../src/relay/config.ts';
import { startFakeUpstream, type FakeUpstream, type RecordedRequest } from '../support/fake-upstream.ts';
import { eventually, HELLO, startTestRelay, TEST_KEY, type TestRelay } from './harness.ts';
import { startRedis, type TestRedis } from './redis-server.ts';

let upstream: FakeUpstream | undefined;
let relay: TestRelay | undefined;

afterEach(async () => {
  await relay?.close();
  await upstream?.close();
  relay = undefined;
  upstream = undefined;
});

/** $1,000 per 1M tokens each way: a call costs a few cents, so the arithmetic is easy to follow. */
const PRICE = { input: 1000, output: 1000 };

function twoAliases(url: string, strong: Record<string, unknown> = {}): RelayConfig['models'] {
  return {
    strong: { baseURL: url, model: 'upstream-strong', apiKeyEnv: 'TEST_PROVIDER_KEY', pricing: PRICE, ...strong },
    weak: {
      baseURL: url,
      model: 'upstream-weak',
      apiKeyEnv: 'TEST_PROVIDER_KEY',
      pricing: { input: 100, output: 100 },
    },
  };
}

async function start(
  extra: Omit<RelayConfig, 'models'>,
  strong: Record<string, unknown> = {},
  env: Record<string, string> = {},
) {
  upstream = await startFakeUpstream();
  relay = await startTestRelay(
    { models: twoAliases(upstream.url, strong), ...extra },
    { TEST_PROVIDER_KEY: TEST_KEY, ...env },
  );
  return { upstream, relay };
}

/** What the provider reported for one exchange: from the non-streaming body or the streamed usage chunk. */
function reportedUsage(request: RecordedRequest): { prompt_tokens: number; completion_tokens: number } {
  const match = /"usage":(\{[^}]*\})/.exec(request.sent().toString());
  if (!match) throw new Error('the fake reported no usage');
  return JSON.parse(match[1]!) as { prompt_tokens: number; completion_tokens: number };
}

const costAt = (
  usage: { prompt_tokens: number; completion_tokens: number },
  price: { input: number; output: number },
) => (usage.prompt_tokens * price.input + usage.completion_tokens * price.output) / 1e6;

async function usageOf(relay: TestRelay, headers: Record<string, string> = {}) {
  const response = await relay.call('/v1/usage', { headers });
  expect(response.status).toBe(200);
  return (await response.json()) as {
    spentUsd: number;
    budgetUsd: number | null;
    models: Record<string, { spentUsd: number; budgetUsd: number | null }>;
  };
}

describe('cost from the provider usage', () => {
  it('counts a non-streaming answer, logs tokens and dollars, and reports the spend on GET /v1/usage', async () => {
    const { relay, upstream } = await start({});
    const response = await relay.chat(HELLO);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-routellm-model')).toBe('strong');
    await response.text();
    const expected = costAt(reportedUsage(upstream.requests[0]!), PRICE);
    await eventually(() => relay.logs.length === 1, 'the log line');
    const usage = reportedUsage(upstream.requests[0]!);
    expect(relay.logs[0]).toMatchObject({
      usage: { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens },
      costUsd: expected,
    });
    const report = await usageOf(relay);
    expect(report.spentUsd).toBeCloseTo(expected, 9);
    expect(report.models['strong']!.spentUsd).toBeCloseTo(expected, 9);
    expect(report.budgetUsd).toBeNull();
  });

  it('asks for the usage chunk on a stream, counts it, and takes it out when the client did not ask', async () => {
    const { relay, upstream } = await start({});
    const text = await (await relay.chat({ ...HELLO, stream: true })).text();
    expect(upstream.requests[0]!.json).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(upstream.requests[0]!.sent().toString()).toContain('"usage"');
    expect(text).not.toContain('"usage"');
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    await eventually(() => relay.logs.length === 1, 'the log line');
    expect(relay.logs[0]!.costUsd).toBe(costAt(reportedUsage(upstream.requests[0]!), PRICE));
  });

  it('leaves the usage chunk in when the client asked for it, keeping its other stream options', async () => {
    const { relay, upstream } = await start({});
    const text = await (
      await relay.chat({ ...HELLO, stream: true, stream_options: { include_usage: true, other: 1 } })
    ).text();
    expect(upstream.requests[0]!.json).toMatchObject({ stream_options: { include_usage: true, other: 1 } });
    expect(text).toBe(upstream.requests[0]!.sent().toString());
    expect((await usageOf(relay)).spentUsd).toBeGreaterThan(0);
  });
});

describe('budgets', () => {
  it('answers from budgetFallback once a client has spent its budget for an alias, and says so', async () => {
    const { relay, upstream } = await start({ budgets: { models: { strong: 0.01 } } }, { budgetFallback: 'weak' });
    const first = await relay.chat(HELLO);
    await first.text();
    const spent = costAt(reportedUsage(upstream.requests[0]!), PRICE);
    expect(spent).toBeGreaterThanOrEqual(0.01);
    await eventually(() => relay.logs.length === 1, 'the first log line');

    for (const stream of [false, true]) {
      const response = await relay.chat({ ...HELLO, stream });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-routellm-fallback')).toBe('budget');
      expect(response.headers.get('x-routellm-model')).toBe('weak');
      const text = await response.text();
      // The `model` field says which alias answered, in every chunk of a stream.
      const models = [...text.matchAll(/"model":"([^"]+)"/g)].map((match) => match[1]);
      expect(models.length).toBeGreaterThan(0);
      expect(new Set(models)).toEqual(new Set(['weak']));
    }
    expect(upstream.requests.map((request) => (request.json as { model: string }).model)).toEqual([
      'upstream-strong',
      'upstream-weak',
      'upstream-weak',
    ]);
    await eventually(() => relay.logs.length === 3, 'the log lines');
    expect(relay.logs[1]).toMatchObject({ model: 'strong', answeredBy: 'weak', fallback: 'budget' });
    const report = await usageOf(relay);
    expect(report.models['strong']).toEqual({ spentUsd: expect.closeTo(spent, 9), budgetUsd: 0.01 });
    expect(report.models['weak']!.spentUsd).toBeGreaterThan(0);
  });

  it('answers 429 with Retry-After and an OpenAI-style error once a client has spent its total, per client', async () => {
    const { relay } = await start(
      { budgets: { usd: 0.01, windowSeconds: 3600 }, auth: { tokensEnv: 'RELAY_TOKENS' } },
      {},
      { RELAY_TOKENS: 'alice-token,bob-token' },
    );
    const as = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
    expect((await relay.chat(HELLO, as('alice-token'))).status).toBe(200);
    await eventually(() => relay.logs.length === 1, 'the log line');
    const refused = await relay.chat(HELLO, as('alice-token'));
    expect(refused.status).toBe(429);
    expect(refused.headers.get('x-should-retry')).toBe('false');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(await refused.json()).toEqual({
      error: {
        message: expect.stringContaining('spent its budget of $0.01'),
        type: 'rate_limit_error',
        code: 'budget_exceeded',
      },
    });
    // Another client's budget is its own.
    expect((await relay.chat(HELLO, as('bob-token'))).status).toBe(200);
    expect((await usageOf(relay, as('bob-token').headers)).budgetUsd).toBe(0.01);
  });

  it('answers 429 for an alias whose budget is spent when it has no budgetFallback', async () => {
    const { relay } = await start({ budgets: { models: { strong: 0.000_001 } } });
    await (await relay.chat(HELLO)).text();
    await eventually(() => relay.logs.length === 1, 'the log line');
    const refused = await relay.chat(HELLO);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain('model "strong"');
    // The weak alias has no budget: it still answers.
    expect((await relay.chat({ ...HELLO, model: 'weak' })).status).toBe(200);
  });
});

describe('strong-share cap', () => {
  it("sends at most the configured share of a client's calls to the alias, the rest to its budgetFallback", async () => {
    const { relay, upstream } = await start(
      { maxShare: { strong: 0.3, windowSeconds: 60 } },
      { budgetFallback: 'weak' },
    );
    const fallbacks: (string | null)[] = [];
    for (let index = 0; index < 20; index += 1) {
      const response = await relay.chat(HELLO);
      expect(response.status).toBe(200);
      fallbacks.push(response.headers.get('x-routellm-fallback'));
      await response.text();
    }
    const strong = upstream.requests.filter(
      (request) => (request.json as { model: string }).model === 'upstream-strong',
    ).length;
    expect(strong).toBe(6);
    expect(fallbacks.filter((fallback) => fallback === 'share')).toHaveLength(14);
    // The first call of a window may be strong; after that the share holds at every step.
    expect(fallbacks[0]).toBeNull();
  });

  it('answers 429 over the share when the alias has no fallback', async () => {
    const { relay } = await start({ maxShare: { strong: 0.5 } });
    const statuses = [];
    for (let index = 0; index < 4; index += 1) statuses.push((await relay.chat(HELLO)).status);
    expect(statuses).toEqual([200, 429, 200, 429]);
  });
});

describe('who a client is', () => {
  const forwardedFor = (value: string) => ({ headers: { 'x-forwarded-for': value } });

  it('ignores X-Forwarded-For unless trustProxy says to believe it', async () => {
    const { relay } = await start({ budgets: { usd: 0.000_001 } });
    await (await relay.chat(HELLO, forwardedFor('198.51.100.1'))).text();
    await eventually(() => relay.logs.length === 1, 'the log line');
    expect(relay.logs[0]!.client).toBe('127.0.0.1');
    // A made-up address does not buy a fresh budget.
    expect((await relay.chat(HELLO, forwardedFor('198.51.100.2'))).status).toBe(429);
  });

  it('takes the address the trusted proxy saw, by hop count', async () => {
    const { relay } = await start({ budgets: { usd: 0.000_001 }, trustProxy: 1 });
    await (await relay.chat(HELLO, forwardedFor('10.9.9.9, 198.51.100.1'))).text();
    await eventually(() => relay.logs.length === 1, 'the log line');
    expect(relay.logs[0]!.client).toBe('198.51.100.1');
    expect((await relay.chat(HELLO, forwardedFor('198.51.100.1'))).status).toBe(429);
    expect((await relay.chat(HELLO, forwardedFor('198.51.100.2'))).status).toBe(200);
  });

  it('walks back through trusted proxy ranges only', async () => {
    const { relay } = await start({ trustProxy: ['127.0.0.0/8', '10.0.0.0/8'] });
    await (await relay.chat(HELLO, forwardedFor('203.0.113.7, 198.51.100.1, 10.1.2.3'))).text();
    await eventually(() => relay.logs.length === 1, 'the log line');
    // 10.1.2.3 is a trusted proxy; 198.51.100.1 is not, so what it claims (203.0.113.7) is not believed.
    expect(relay.logs[0]!.client).toBe('198.51.100.1');
  });
});

describe('when the store is away', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.kill();
  });

  for (const onUnavailable of ['closed', 'open'] as const) {
    it(`${onUnavailable === 'closed' ? 'refuses with a 503' : 'serves unmetered'} and logs it (onUnavailable: ${onUnavailable})`, async () => {
      upstream = await startFakeUpstream();
      relay = await startTestRelay(
        { models: twoAliases(upstream.url), budgets: { usd: 1 }, store: { redisUrlEnv: 'REDIS_URL', onUnavailable } },
        { TEST_PROVIDER_KEY: TEST_KEY, REDIS_URL: redis.url },
      );
      expect((await relay.chat(HELLO)).status).toBe(200);
      await redis.kill();
      const response = await relay.chat(HELLO);
      await eventually(() => relay!.logs.length === 2, 'the log lines');
      expect(relay.logs[1]!.storeError).toMatch(/Redis/);
      if (onUnavailable === 'closed') {
        expect(response.status).toBe(503);
        expect(response.headers.get('retry-after')).toBe('1');
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe('store_unavailable');
        expect(upstream.requests).toHaveLength(1);
      } else {
        expect(response.status).toBe(200);
        expect(upstream.requests).toHaveLength(2);
      }
      await redis.restart();
    });
  }

  it('counts across relays sharing one Redis', async () => {
    upstream = await startFakeUpstream();
    const config = {
      models: twoAliases(upstream.url),
      budgets: { usd: 0.000_001 },
      store: { redisUrlEnv: 'REDIS_URL' },
    };
    const env = { TEST_PROVIDER_KEY: TEST_KEY, REDIS_URL: redis.url };
    relay = await startTestRelay(config, env);
    const other = await startTestRelay(config, env);
    try {
      await (await relay.chat(HELLO)).text();
      await eventually(() => relay!.logs.length === 1, 'the log line');
      expect((await other.chat(HELLO)).status).toBe(429);
    } finally {
      await other.close();
    }
  });
});

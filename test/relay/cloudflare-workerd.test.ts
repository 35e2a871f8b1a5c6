/**
 * The relay on Cloudflare Workers, run in workerd (Cloudflare's runtime, through miniflare): the template and
 * wrangler.toml as they are deployed, and budgets and strong-share caps enforced across two isolates of one Worker
 * whose counters live in the RelayCounter Durable Objects.
 */
import type { Miniflare } from 'miniflare';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { RelayConfig } from '../../src/relay/config.ts';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { TEST_KEY, upstreamAlias } from './harness.ts';
import { bundleWorker, startWorkerd } from './workerd.ts';

const TEST_WORKER = fileURLToPath(new URL('./fixtures/cloudflare-test-worker.ts', import.meta.url));
const WRANGLER_TOML = fileURLToPath(new URL('../../src/relay/wrangler.toml', import.meta.url));

/** The settings of wrangler.toml the tests rely on (plain `key = "value"` lines). */
function wranglerSetting(toml: string, key: string): string {
  const match = new RegExp(`^${key}\\s*=\\s*"([^"]+)"`, 'm').exec(toml);
  if (!match) throw new Error(`wrangler.toml has no ${key}`);
  return match[1]!;
}

let workerd: Miniflare | undefined;
let upstream: FakeUpstream | undefined;
afterEach(async () => {
  await Promise.all([workerd?.dispose(), upstream?.close()]);
  workerd = undefined;
  upstream = undefined;
});

/** Two isolates of the test Worker in front of the fake provider, sharing one RelayCounter namespace. */
async function startTwoIsolates(config: Omit<RelayConfig, 'models'>) {
  upstream = await startFakeUpstream();
  const alias = (model: string) => upstreamAlias(upstream!.url, model);
  const relayConfig: RelayConfig = {
    models: { strong: { ...alias('upstream-strong'), budgetFallback: 'weak' }, weak: alias('upstream-weak') },
    store: { durableObjectBinding: 'RELAY_COUNTERS' },
    ...config,
  };
  workerd = startWorkerd({
    script: await bundleWorker(TEST_WORKER),
    bindings: { TEST_PROVIDER_KEY: TEST_KEY, RELAY_CONFIG_JSON: JSON.stringify(relayConfig) },
    durableObjects: { RELAY_COUNTERS: 'RelayCounter' },
    replicas: 2,
  });
  /** Each isolate as Node reaches it: its `fetch` handler. */
  type Isolate = { fetch(url: string, init?: RequestInit): Promise<Response> };
  const isolates = [
    (await workerd.getWorker('relay-0')) as unknown as Isolate,
    (await workerd.getWorker('relay-1')) as unknown as Isolate,
  ];
  const call = async (isolate: number, pathname: string, client: string, init: RequestInit = {}) => {
    const response = await isolates[isolate]!.fetch(`https://relay.example${pathname}`, {
      ...init,
      headers: { 'cf-connecting-ip': client, ...(init.headers as Record<string, string>) },
    });
    return {
      status: response.status,
      headers: Object.fromEntries(response.headers),
      text: await response.text(),
    };
  };
  const chat = (isolate: number, client: string, model: string, stream = false) =>
    call(isolate, '/v1/chat/completions', client, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'Hello?' }] }),
    });
  const spent = async (isolate: number, client: string) =>
    (JSON.parse((await call(isolate, '/v1/usage', client)).text) as { spentUsd: number }).spentUsd;
  return { chat, spent };
}

/** Polls until `read` gives a value other than `before` (spend is counted as an answer ends). */
async function changed(read: () => Promise<number>, before: number, timeoutMs = 5_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== before) return value;
    if (Date.now() > deadline) throw new Error(`still ${before} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the relay on Cloudflare Workers, in workerd', () => {
  it('deploys as src/relay/wrangler.toml says: the template exports the class its binding names and counts in it', async () => {
    const toml = readFileSync(WRANGLER_TOML, 'utf8');
    expect(wranglerSetting(toml, 'name')).toBe('routellm-relay');
    const doBinding = /\[\[durable_objects\.bindings\]\]\s*name\s*=\s*"([^"]+)"\s*class_name\s*=\s*"([^"]+)"/.exec(
      toml,
    );
    expect(doBinding?.slice(1)).toEqual(['RELAY_COUNTERS', 'RelayCounter']);
    expect(toml).toMatch(/new_sqlite_classes\s*=\s*\["RelayCounter"\]/);
    workerd = startWorkerd({
      script: await bundleWorker(path.resolve(path.dirname(WRANGLER_TOML), wranglerSetting(toml, 'main'))),
      compatibilityDate: wranglerSetting(toml, 'compatibility_date'),
      bindings: { RELAY_CLIENT_TOKENS: 'client-token-1', OPENAI_API_KEY: TEST_KEY },
      durableObjects: { RELAY_COUNTERS: 'RelayCounter' },
    });
    const usage = await workerd.dispatchFetch('https://relay.example/v1/usage', {
      headers: { authorization: 'Bearer client-token-1' },
    });
    expect(usage.status).toBe(200);
    expect(await usage.json()).toMatchObject({ client: 'token#1', spentUsd: 0, budgetUsd: 0.5 });
  });

  it("enforces a client's budget across two isolates: what one served counts in the other", async () => {
    // Each answer costs (1 prompt token x $2 + 11 completion tokens x $8) per 1M = $0.00009: five fit in $0.0004.
    const relay = await startTwoIsolates({ budgets: { usd: 0.0004 } });
    const client = '203.0.113.5';
    const statuses: number[] = [];
    let spentSoFar = 0;
    for (let index = 0; index < 10; index += 1) {
      const isolate = index % 2;
      const answer = await relay.chat(isolate, client, 'strong');
      statuses.push(answer.status);
      if (answer.status === 200) spentSoFar = await changed(() => relay.spent(1 - isolate, client), spentSoFar);
      else {
        expect(answer.status).toBe(429);
        expect(JSON.parse(answer.text)).toMatchObject({ error: { code: 'budget_exceeded' } });
        expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
        expect(answer.headers['x-should-retry']).toBe('false');
      }
    }
    // Isolates counting on their own would have served five each.
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429, 429, 429]);
    expect(spentSoFar).toBeCloseTo(0.000_45, 9);
    expect(upstream!.requests).toHaveLength(5);

    // Another client has its own budget; a streamed answer's cost (from the usage chunk) is counted too.
    const other = '203.0.113.6';
    const streamed = await relay.chat(0, other, 'strong', true);
    expect(streamed.status).toBe(200);
    expect(streamed.text).not.toContain('"usage"');
    expect(await changed(() => relay.spent(1, other), 0)).toBeGreaterThan(0);
  });

  it("caps a client's strong share across two isolates", async () => {
    const relay = await startTwoIsolates({ maxShare: { strong: 0.5 } });
    const client = '198.51.100.7';
    // Six weak calls through one isolate, then ten strong through both: the share is of all 16 calls.
    for (let index = 0; index < 6; index += 1) expect((await relay.chat(0, client, 'weak')).status).toBe(200);
    const answeredBy: string[] = [];
    for (let index = 0; index < 10; index += 1) {
      const answer = await relay.chat((index + 1) % 2, client, 'strong');
      expect(answer.status).toBe(200);
      answeredBy.push(
        answer.headers['x-routellm-fallback'] === 'share'
          ? `${answer.headers['x-routellm-model']} (share)`
          : answer.headers['x-routellm-model']!,
      );
    }
    // At most ceil(0.5 x calls) strong at every call: calls 7-13 all strong, then every other one. An isolate
    // counting alone would have let only its own calls' half through (the first strong one, then every other).
    expect(answeredBy).toEqual([...Array(7).fill('strong'), 'weak (share)', 'strong', 'weak (share)']);
    expect(answeredBy.filter((alias) => alias === 'strong').length).toBeLessThanOrEqual(Math.ceil(0.5 * 16));
  });

  it('keeps 60 concurrent strong requests from one client, spread over two isolates, within the strong share', async () => {
    const relay = await startTwoIsolates({
      maxShare: { strong: 0.5 },
      limits: { maxConcurrentRequests: 100, requestsPerMinute: 10_000 },
    });
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, index) => relay.chat(index % 2, '192.0.2.77', 'strong')),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(60).fill(200));
    const strong = answers.filter((answer) => answer.headers['x-routellm-model'] === 'strong').length;
    // At most the share, whatever the order the two isolates' counts reached the objects in.
    expect(strong).toBeLessThanOrEqual(30);
    expect(strong).toBeGreaterThan(0);
    expect(
      answers
        .filter((answer) => answer.headers['x-routellm-fallback'] === 'share')
        .every((answer) => answer.headers['x-routellm-model'] === 'weak'),
    ).toBe(true);
  });
});

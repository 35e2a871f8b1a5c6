/**
 * The proof: one client sends 1,000 chat requests, all asking for `strong`, spread over 3 relay processes
 * (the real routellm-relay command) that share one real redis-server. Whatever the browser asks, the client ends
 * within its strong-share cap and its budgets, counted from the usage the fake provider reported. Then Redis is
 * killed mid-run, and the relays behave as configured: closed refuses (nothing unmetered reaches the provider),
 * open serves unmetered and logs it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RelayLogEntry } from '../../src/relay/app.ts';
import { startFakeUpstream, type FakeUpstream, type RecordedRequest } from '../support/fake-upstream.ts';
import { HELLO, TEST_KEY } from './harness.ts';
import { startRedis, type TestRedis } from './redis-server.ts';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const STRONG_PRICE = { input: 1000, output: 1000 };
const WEAK_PRICE = { input: 100, output: 100 };
const SHARE = 0.5;
const STRONG_BUDGET = 3;
const TOTAL_BUDGET = 6;
const REQUESTS = 1000;
const CONCURRENCY = 12;

interface RelayProcess {
  readonly url: string;
  readonly logs: RelayLogEntry[];
  stop(): Promise<void>;
}

async function startRelayProcess(configPath: string, env: Record<string, string>): Promise<RelayProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', join(projectRoot, 'src/relay/node.ts'), '--port', '0', '--config', configPath],
    {
      cwd: projectRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout! });
  const logs: RelayLogEntry[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the relay exited with ${code}`)));
    lines.once('line', (line) => resolve(/(http:\/\/\S+)/.exec(line)?.[1] ?? ''));
  });
  lines.on('line', (line) => logs.push(JSON.parse(line) as RelayLogEntry));
  return {
    url,
    logs,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

const modelOf = (request: RecordedRequest) => (request.json as { model: string }).model;

/** US dollars for one exchange, from the usage the fake provider itself reported. */
function reportedCost(request: RecordedRequest): number {
  const match = /"usage":(\{[^}]*\})/.exec(request.sent().toString());
  if (!match) throw new Error('the fake reported no usage');
  const usage = JSON.parse(match[1]!) as { prompt_tokens: number; completion_tokens: number };
  const price = modelOf(request) === 'upstream-strong' ? STRONG_PRICE : WEAK_PRICE;
  return (usage.prompt_tokens * price.input + usage.completion_tokens * price.output) / 1e6;
}

/** `count` requests for strong, CONCURRENCY at a time, round-robin over the relays; `onSent(n)` after each. */
async function sendAll(
  relays: readonly RelayProcess[],
  count: number,
  onSent?: (sent: number) => Promise<void> | void,
) {
  const statuses: number[] = [];
  let sent = 0;
  const worker = async () => {
    while (sent < count) {
      const index = sent;
      sent += 1;
      const response = await fetch(`${relays[index % relays.length]!.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...HELLO, model: 'strong', stream: index % 2 === 0 }),
      });
      await response.text();
      statuses.push(response.status);
      await onSent?.(index + 1);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return statuses;
}

describe('1,000 strong requests from one client across 3 relays sharing one Redis', () => {
  let redis: TestRedis;
  let upstream: FakeUpstream;
  let directory: string;

  beforeAll(async () => {
    redis = await startRedis();
    upstream = await startFakeUpstream();
    directory = mkdtempSync(join(tmpdir(), 'relay-proof-'));
  });
  afterAll(async () => {
    await upstream.close();
    await redis.kill();
    rmSync(directory, { recursive: true, force: true });
  });

  async function startRelays(onUnavailable: 'open' | 'closed'): Promise<RelayProcess[]> {
    const configPath = join(directory, `relay-${onUnavailable}.json`);
    const alias = (model: string, pricing: typeof STRONG_PRICE) => ({
      baseURL: upstream.url,
      model,
      apiKeyEnv: 'TEST_PROVIDER_KEY',
      pricing,
    });
    writeFileSync(
      configPath,
      JSON.stringify({
        models: {
          strong: { ...alias('upstream-strong', STRONG_PRICE), budgetFallback: 'weak' },
          weak: alias('upstream-weak', WEAK_PRICE),
        },
        budgets: { usd: TOTAL_BUDGET, models: { strong: STRONG_BUDGET } },
        maxShare: { strong: SHARE },
        store: { redisUrlEnv: 'REDIS_URL', onUnavailable },
        limits: { requestsPerMinute: 1_000_000, maxConcurrentRequests: 1_000 },
      }),
    );
    const env = { TEST_PROVIDER_KEY: TEST_KEY, REDIS_URL: redis.url };
    return Promise.all([0, 1, 2].map(() => startRelayProcess(configPath, env)));
  }

  it('ends within the strong-share cap and the budgets', async () => {
    const relays = await startRelays('closed');
    try {
      const statuses = await sendAll(relays, REQUESTS);
      const counts: Record<number, number> = {};
      for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
      expect(counts).toEqual({ 200: REQUESTS });
      const requests = upstream.requests.slice(-REQUESTS);
      expect(requests).toHaveLength(REQUESTS);
      const strong = requests.filter((request) => modelOf(request) === 'upstream-strong');
      const strongSpend = strong.reduce((sum, request) => sum + reportedCost(request), 0);
      const totalSpend = requests.reduce((sum, request) => sum + reportedCost(request), 0);
      const maxStrongCost = Math.max(...strong.map(reportedCost));
      expect(strong.length).toBeLessThanOrEqual(Math.ceil(SHARE * REQUESTS));
      // Spend is counted when an answer ends, so requests already in flight may together go over by what they cost.
      expect(strongSpend).toBeLessThanOrEqual(STRONG_BUDGET + CONCURRENCY * maxStrongCost);
      expect(strongSpend).toBeGreaterThanOrEqual(STRONG_BUDGET);
      expect(totalSpend).toBeLessThanOrEqual(TOTAL_BUDGET);
      // Every relay served a third, and each one's usage report agrees with what the provider reported.
      await new Promise((resolve) => setTimeout(resolve, 200));
      for (const relay of relays)
        expect(relay.logs.filter((entry) => entry.path === '/v1/chat/completions').length).toBeGreaterThanOrEqual(333);
      const report = (await (await fetch(`${relays[2]!.url}/v1/usage`)).json()) as {
        spentUsd: number;
        models: Record<string, { spentUsd: number }>;
      };
      expect(report.spentUsd).toBeCloseTo(totalSpend, 6);
      expect(report.models['strong']!.spentUsd).toBeCloseTo(strongSpend, 6);
      console.log(
        `proof: ${strong.length} of ${REQUESTS} calls strong (cap ${Math.ceil(SHARE * REQUESTS)}), strong $${strongSpend.toFixed(4)} ` +
          `(budget $${STRONG_BUDGET}), total $${totalSpend.toFixed(4)} (budget $${TOTAL_BUDGET})`,
      );
    } finally {
      await Promise.all(relays.map((relay) => relay.stop()));
    }
  }, 120_000);

  for (const onUnavailable of ['closed', 'open'] as const) {
    it(`with Redis killed mid-run, ${onUnavailable === 'closed' ? 'refuses everything unmetered' : 'serves unmetered and logs each'} (onUnavailable: ${onUnavailable})`, async () => {
      await redis.restart();
      const relays = await startRelays(onUnavailable);
      const before = upstream.requests.length;
      let killedAfter = 0;
      try {
        const statuses = await sendAll(relays, 300, async (sent) => {
          if (sent === 150 && killedAfter === 0) {
            await redis.kill();
            killedAfter = upstream.requests.length - before;
          }
        });
        const served = upstream.requests.length - before;
        const refused = statuses.filter((status) => status === 503).length;
        await new Promise((resolve) => setTimeout(resolve, 200));
        const storeErrors = relays
          .flatMap((relay) => relay.logs)
          .filter((entry) => entry.storeError !== undefined).length;
        if (onUnavailable === 'closed') {
          // Those in flight when Redis went may finish; nothing sent after is served.
          expect(served).toBeLessThanOrEqual(killedAfter + CONCURRENCY);
          expect(refused).toBeGreaterThanOrEqual(300 - killedAfter - CONCURRENCY);
          expect(statuses.every((status) => status === 200 || status === 503)).toBe(true);
        } else {
          expect(refused).toBe(0);
          expect(served).toBe(300);
        }
        expect(storeErrors).toBeGreaterThanOrEqual(300 - killedAfter - CONCURRENCY);
      } finally {
        await Promise.all(relays.map((relay) => relay.stop()));
      }
    }, 120_000);
  }
});

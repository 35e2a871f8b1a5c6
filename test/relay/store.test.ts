/**
 * One suite for every RelayStore: the in-memory default, the Redis store against a real redis-server, and the
 * Durable Object store against real Durable Objects in workerd (Cloudflare's runtime, through miniflare).
 */
import type { Miniflare } from 'miniflare';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  DurableObjectStore,
  RelayCounter,
  type DurableObjectNamespaceLike,
  type DurableObjectStateLike,
} from '../../src/relay/durable-object-store.ts';
import { RedisStore } from '../../src/relay/redis-store.ts';
import { MemoryStore, RelayStoreError, type RelayStore } from '../../src/relay/store.ts';
import { startRedis, type TestRedis } from './redis-server.ts';
import { bundleWorker, startWorkerd } from './workerd.ts';

const TEST_WORKER = fileURLToPath(new URL('./fixtures/cloudflare-test-worker.ts', import.meta.url));

let redis: TestRedis;
let workerd: Miniflare;
/** The RelayCounter binding as Node reaches it: each call runs in the Durable Object inside workerd. */
let counters: DurableObjectNamespaceLike;
beforeAll(async () => {
  redis = await startRedis();
  workerd = startWorkerd({
    script: await bundleWorker(TEST_WORKER),
    durableObjects: { RELAY_COUNTERS: 'RelayCounter' },
  });
  counters = (await workerd.getDurableObjectNamespace('RELAY_COUNTERS')) as unknown as DurableObjectNamespaceLike;
});
afterAll(async () => {
  await Promise.all([redis.kill(), workerd.dispose()]);
});

const opened: RelayStore[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

/** Two handles on one store: two relay replicas. The memory store is one process's, so both are the same object. */
const KINDS: Record<string, () => [RelayStore, RelayStore]> = {
  memory: () => {
    const store = new MemoryStore();
    opened.push(store);
    return [store, store];
  },
  redis: () => {
    const stores: [RelayStore, RelayStore] = [new RedisStore({ url: redis.url }), new RedisStore({ url: redis.url })];
    opened.push(...stores);
    return stores;
  },
  // Two stores over one binding: two Worker isolates, whose calls meet in the same objects.
  'durable-object': () => {
    const stores: [RelayStore, RelayStore] = [new DurableObjectStore(counters), new DurableObjectStore(counters)];
    opened.push(...stores);
    return stores;
  },
};

let keyCounter = 0;
const freshKey = () => {
  keyCounter += 1;
  return `test:${process.pid}:${Date.now()}:${keyCounter}`;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(Object.keys(KINDS))('%s store', (kind) => {
  it('reads 0 for a counter never written', async () => {
    const [store] = KINDS[kind]!();
    expect(await store.get(freshKey())).toBe(0);
  });

  it('increments atomically: 400 concurrent increments from two replicas each see a different value', async () => {
    const [first, second] = KINDS[kind]!();
    const key = freshKey();
    const values = await Promise.all(
      Array.from({ length: 400 }, (_, index) => (index % 2 ? first : second).increment(key, 1, 60_000)),
    );
    expect(new Set(values).size).toBe(400);
    expect(Math.max(...values)).toBe(400);
    expect(await first.get(key)).toBe(400);
    expect(await second.get(key)).toBe(400);
  });

  it('adds fractional and negative amounts (dollars, and a count taken back)', async () => {
    const [store] = KINDS[kind]!();
    const key = freshKey();
    for (let index = 0; index < 10; index += 1) await store.increment(key, 0.000_125, 60_000);
    expect(await store.get(key)).toBeCloseTo(0.001_25, 12);
    expect(await store.increment(key, -0.000_25, 60_000)).toBeCloseTo(0.001, 12);
  });

  it('expires a counter its window after the first increment, and later increments do not extend it', async () => {
    const [store] = KINDS[kind]!();
    const key = freshKey();
    await store.increment(key, 5, 300);
    await sleep(150);
    expect(await store.increment(key, 1, 300)).toBe(6);
    await sleep(250);
    expect(await store.get(key)).toBe(0);
    expect(await store.increment(key, 2, 300)).toBe(2);
  });

  it('keeps counters apart by key', async () => {
    const [store] = KINDS[kind]!();
    const [a, b] = [freshKey(), freshKey()];
    await store.increment(a, 3, 60_000);
    expect(await store.get(b)).toBe(0);
  });
});

describe('redis store when Redis is away', () => {
  it('fails fast with RelayStoreError while Redis is down, and works again once it is back', async () => {
    const store = new RedisStore({ url: redis.url, reconnectDelayMs: 100 });
    opened.push(store);
    const key = freshKey();
    expect(await store.increment(key, 1, 60_000)).toBe(1);
    await redis.kill();
    const startedAt = Date.now();
    await expect(store.increment(key, 1, 60_000)).rejects.toBeInstanceOf(RelayStoreError);
    await expect(store.get(key)).rejects.toThrow(/Redis at 127\.0\.0\.1:\d+ is unreachable|closed/);
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    await redis.restart();
    await sleep(150);
    expect(await store.increment(key, 1, 60_000)).toBe(1);
  });

  it('gives up on a command Redis does not answer in time', async () => {
    const { createServer } = await import('node:net');
    const silent = createServer((socket) => socket.on('data', () => undefined));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const store = new RedisStore({
      url: `redis://127.0.0.1:${(silent.address() as { port: number }).port}`,
      commandTimeoutMs: 100,
    });
    opened.push(store);
    await expect(store.get('anything')).rejects.toThrow('Redis did not answer within 100 ms');
    silent.close();
  });

  it('does not mistake a busy connection for a stuck one: 300 commands always in flight for 3 timeouts all succeed', async () => {
    // Timeouts long enough for a loaded machine (the proof's 3 relays may run beside this test): 3 of them in a row.
    const store = new RedisStore({ url: redis.url, commandTimeoutMs: 500 });
    opened.push(store);
    const key = freshKey();
    const until = Date.now() + 1_500;
    const client = async () => {
      let count = 0;
      while (Date.now() < until) {
        await store.increment(key, 1, 60_000);
        count += 1;
      }
      return count;
    };
    const counts = await Promise.all(Array.from({ length: 300 }, client));
    expect(await store.get(key)).toBe(counts.reduce((sum, count) => sum + count, 0));
  });

  it('refuses a URL that is not redis://', () => {
    expect(() => new RedisStore({ url: 'http://127.0.0.1:6379' })).toThrow('must start with redis://');
    expect(() => new RedisStore({ url: 'redis://127.0.0.1/x' })).toThrow('database number');
  });
});

describe('durable-object store', () => {
  it('says when the Durable Object cannot be reached or fails, as RelayStoreError', async () => {
    const failing = (fetch: () => Promise<Response>): DurableObjectNamespaceLike => ({
      idFromName: (name) => ({ toString: () => name }),
      get: () => ({ fetch }),
    });
    const unreachable = new DurableObjectStore(failing(() => Promise.reject(new Error('Network connection lost.'))));
    await expect(unreachable.increment('k', 1, 1000)).rejects.toThrow(
      new RelayStoreError("The counter's Durable Object could not be reached: Network connection lost."),
    );
    const broken = new DurableObjectStore(failing(async () => new Response('Internal Server Error', { status: 500 })));
    await expect(broken.get('k')).rejects.toThrow("The counter's Durable Object answered 500");
    expect(() => new DurableObjectStore({} as DurableObjectNamespaceLike)).toThrow('Durable Object namespace binding');
  });

  it("deletes a counter's storage at its window's end, and an alarm that finds a newer window waits for its end", async () => {
    // The class on a stand-in state, to watch its storage (in workerd the suite above checks what clients see).
    const stored = new Map<string, unknown>();
    let alarmAt: number | undefined;
    const state: DurableObjectStateLike = {
      storage: {
        get: async <T>(key: string) => stored.get(key) as T | undefined,
        put: async (key, value) => void stored.set(key, value),
        deleteAll: async () => {
          stored.clear();
          alarmAt = undefined;
        },
        setAlarm: async (time) => {
          alarmAt = time;
        },
      },
      blockConcurrencyWhile: (callback) => callback(),
    };
    const counter = new RelayCounter(state);
    const increment = (amount: number, ttlMs: number) =>
      counter.fetch(
        new Request('https://relay-counter/increment', { method: 'POST', body: JSON.stringify({ amount, ttlMs }) }),
      );
    const startedAt = Date.now();
    expect(await (await increment(2, 100)).json()).toEqual({ value: 2 });
    expect(stored.get('counter')).toMatchObject({ value: 2 });
    expect(alarmAt).toBeGreaterThanOrEqual(startedAt + 100);
    const firstAlarm = alarmAt;
    await counter.alarm();
    expect(alarmAt).toBe(firstAlarm);
    expect(stored.size).toBe(1);
    await sleep(120);
    await counter.alarm();
    expect(stored.size).toBe(0);
    expect(await (await counter.fetch(new Request('https://relay-counter/value'))).json()).toEqual({ value: 0 });
    expect((await increment(Number.NaN, 100)).status).toBe(400);
  });
});

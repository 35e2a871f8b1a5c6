/**
 * The relay's counters on Cloudflare Workers, where every isolate has its own memory: each counter is one Durable
 * Object (`RelayCounter`), and `DurableObjectStore` is the RelayStore that reaches them through the namespace's
 * stubs. A Durable Object runs one event at a time and the counter is changed without awaiting anything in between,
 * so increments are atomic; an alarm at the window's end deletes the counter's storage, so finished windows cost
 * nothing. One object per counter (rather than one for all) spreads a busy relay over many objects, each of which
 * handles its own calls in order.
 *
 * Only Workers APIs are used (the shapes below are the few parts of them this needs), so the relay package gains no
 * dependency. The Worker's entry exports the class and wrangler.toml binds it:
 *
 *   export { RelayCounter } from 'routellm-web/relay/cloudflare';
 *   [[durable_objects.bindings]]  name = "RELAY_COUNTERS"  class_name = "RelayCounter"
 */
import { errorMessage } from './errors.ts';
import { RelayStoreError, type RelayStore } from './store.ts';

/** The parts of a Durable Object's storage the counter uses. */
export interface DurableObjectStorageLike {
  get<T>(key: string): Promise<T | undefined>;
  put<T>(key: string, value: T): Promise<void>;
  deleteAll(): Promise<void>;
  setAlarm(scheduledTime: number): Promise<void>;
}

/** The state the runtime hands a Durable Object's constructor. */
export interface DurableObjectStateLike {
  readonly storage: DurableObjectStorageLike;
  blockConcurrencyWhile<T>(callback: () => Promise<T>): Promise<T>;
}

/** An object's id, as the namespace makes it from a name. */
export interface DurableObjectIdLike {
  toString(): string;
}

/** A binding of a Durable Object class (`env.RELAY_COUNTERS`): names to ids, ids to stubs. */
export interface DurableObjectNamespaceLike {
  idFromName(name: string): DurableObjectIdLike;
  get(id: DurableObjectIdLike): { fetch(input: string, init?: RequestInit): Promise<Response> };
}

/** Whether a binding looks like a Durable Object namespace (a wrong binding type is a deploy mistake worth naming). */
export function isDurableObjectNamespace(value: unknown): value is DurableObjectNamespaceLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<DurableObjectNamespaceLike>).idFromName === 'function' &&
    typeof (value as Partial<DurableObjectNamespaceLike>).get === 'function'
  );
}

interface Counter {
  value: number;
  expiresAt: number;
}

const STORAGE_KEY = 'counter';
/** The stub's requests never leave Cloudflare; the host only makes the URL valid. */
const COUNTER_ORIGIN = 'https://relay-counter';

/** One counter, as a Durable Object: the class wrangler.toml binds. */
export class RelayCounter {
  readonly #storage: DurableObjectStorageLike;
  /** The counter as stored, read once before the first event and kept in step with storage after. */
  #counter: Counter | undefined;

  constructor(state: DurableObjectStateLike) {
    this.#storage = state.storage;
    void state.blockConcurrencyWhile(async () => {
      this.#counter = await this.#storage.get<Counter>(STORAGE_KEY);
    });
  }

  async fetch(request: Request): Promise<Response> {
    const now = Date.now();
    const path = new URL(request.url).pathname;
    if (request.method === 'GET' && path === '/value') {
      const counter = this.#counter;
      return Response.json({ value: counter && counter.expiresAt > now ? counter.value : 0 });
    }
    if (request.method === 'POST' && path === '/increment') {
      const body = (await request.json()) as { amount?: unknown; ttlMs?: unknown };
      const { amount, ttlMs } = body;
      if (typeof amount !== 'number' || !Number.isFinite(amount) || typeof ttlMs !== 'number' || !(ttlMs > 0))
        return Response.json({ error: 'amount must be a number and ttlMs a positive number' }, { status: 400 });
      // From here to the write nothing is awaited, so no other increment can run in between.
      const current = this.#counter;
      const created = current === undefined || current.expiresAt <= now;
      const counter = created
        ? { value: amount, expiresAt: now + ttlMs }
        : { value: current.value + amount, expiresAt: current.expiresAt };
      this.#counter = counter;
      // The runtime holds the response until these writes are durable (its output gate), so an answer is never
      // based on a count that could be lost.
      void this.#storage.put(STORAGE_KEY, counter);
      if (created) void this.#storage.setAlarm(counter.expiresAt);
      return Response.json({ value: counter.value });
    }
    return Response.json({ error: 'not found' }, { status: 404 });
  }

  /** The window ended: the counter and its storage go. An alarm that finds a newer window re-arms for its end. */
  async alarm(): Promise<void> {
    const counter = this.#counter;
    if (counter && counter.expiresAt > Date.now()) {
      await this.#storage.setAlarm(counter.expiresAt);
      return;
    }
    this.#counter = undefined;
    await this.#storage.deleteAll();
  }
}

export interface DurableObjectStoreOptions {
  /** Prepended to every key before it names an object, so two relays can share a namespace (default `routellm:`). */
  readonly keyPrefix?: string;
}

/** The RelayStore over a `RelayCounter` namespace: one object per counter, named by its key. */
export class DurableObjectStore implements RelayStore {
  readonly #namespace: DurableObjectNamespaceLike;
  readonly #keyPrefix: string;

  constructor(namespace: DurableObjectNamespaceLike, options: DurableObjectStoreOptions = {}) {
    if (!isDurableObjectNamespace(namespace))
      throw new RelayStoreError('DurableObjectStore needs a Durable Object namespace binding (env.RELAY_COUNTERS)');
    this.#namespace = namespace;
    this.#keyPrefix = options.keyPrefix ?? 'routellm:';
  }

  increment(key: string, amount: number, ttlMs: number): Promise<number> {
    return this.#call(key, '/increment', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ amount, ttlMs: Math.ceil(ttlMs) }),
    });
  }

  get(key: string): Promise<number> {
    return this.#call(key, '/value', { method: 'GET' });
  }

  /** Stubs hold no connection of their own. */
  async close(): Promise<void> {}

  async #call(key: string, path: string, init: RequestInit): Promise<number> {
    let response: Response;
    try {
      const stub = this.#namespace.get(this.#namespace.idFromName(this.#keyPrefix + key));
      response = await stub.fetch(COUNTER_ORIGIN + path, init);
    } catch (error) {
      throw new RelayStoreError(`The counter's Durable Object could not be reached: ${errorMessage(error)}`);
    }
    const body = (await response.json().catch(() => undefined)) as { value?: unknown; error?: unknown } | undefined;
    if (!response.ok || typeof body?.value !== 'number')
      throw new RelayStoreError(
        `The counter's Durable Object answered ${response.status}${typeof body?.error === 'string' ? `: ${body.error}` : ''}`,
      );
    return body.value;
  }
}

/**
 * Where the relay keeps the counters that must hold across requests (and, with a shared store, across replicas):
 * each client's spend and calls per window. The contract is one atomic operation, an increment whose counter expires
 * a fixed time after it was created, plus a read. The in-memory store is the default for one process; the Redis store
 * (redis-store.ts, Node only) is what several replicas share.
 */

export interface RelayStore {
  /**
   * Adds `amount` (may be negative or fractional) to the counter `key` and returns the new value, atomically: two
   * increments never see the same old value. A counter that does not exist starts at 0 and expires `ttlMs` after
   * this first increment; later increments do not extend it.
   */
  increment(key: string, amount: number, ttlMs: number): Promise<number>;
  /** The counter's value; 0 when it does not exist or has expired. */
  get(key: string): Promise<number>;
  /** Releases connections; the store is unusable afterwards. */
  close(): Promise<void>;
}

/** The store is unreachable or failed; the policy then fails open or closed as configured. */
export class RelayStoreError extends Error {
  override readonly name = 'RelayStoreError';
}

interface Counter {
  value: number;
  expiresAt: number;
}

/** Past this many counters, expired ones are dropped on the next increment so memory stays bounded. */
const SWEEP_THRESHOLD = 10_000;

/** One process's counters. JavaScript runs one increment at a time, so each is atomic without locks. */
export class MemoryStore implements RelayStore {
  readonly #counters = new Map<string, Counter>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  async increment(key: string, amount: number, ttlMs: number): Promise<number> {
    const now = this.#now();
    let counter = this.#counters.get(key);
    if (!counter || counter.expiresAt <= now) {
      if (!counter && this.#counters.size >= SWEEP_THRESHOLD) this.#sweep(now);
      counter = { value: 0, expiresAt: now + ttlMs };
      this.#counters.set(key, counter);
    }
    counter.value += amount;
    return counter.value;
  }

  async get(key: string): Promise<number> {
    const counter = this.#counters.get(key);
    return counter && counter.expiresAt > this.#now() ? counter.value : 0;
  }

  async close(): Promise<void> {
    this.#counters.clear();
  }

  /** How many counters are held (for tests of the memory bound). */
  get size(): number {
    return this.#counters.size;
  }

  #sweep(now: number): void {
    for (const [key, counter] of this.#counters) if (counter.expiresAt <= now) this.#counters.delete(key);
  }
}

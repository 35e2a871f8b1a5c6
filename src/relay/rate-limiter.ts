import { RelayConfigError } from './errors.ts';

/**
 * Per-client request rate: a token bucket per client that holds one minute's allowance and refills continuously,
 * so a client may burst up to `requestsPerMinute` and then sustains that rate. State lives in this process only;
 * a fleet of relays enforces the limit per instance.
 */
export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Past this many tracked clients, full buckets (idle clients) are dropped so memory stays bounded. */
const SWEEP_THRESHOLD = 10_000;

export class RateLimiter {
  readonly #capacity: number;
  readonly #refillPerMs: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(requestsPerMinute: number, now: () => number = Date.now) {
    if (!Number.isFinite(requestsPerMinute) || requestsPerMinute <= 0) {
      throw new RelayConfigError(`requestsPerMinute must be a positive number, got ${requestsPerMinute}`);
    }
    this.#capacity = requestsPerMinute;
    this.#refillPerMs = requestsPerMinute / 60_000;
    this.#now = now;
  }

  /** Spends one request of `client`'s allowance, or says how many seconds until one is available. */
  take(client: string): RateDecision {
    const now = this.#now();
    let bucket = this.#buckets.get(client);
    if (bucket) {
      bucket.tokens = Math.min(this.#capacity, bucket.tokens + (now - bucket.updatedAt) * this.#refillPerMs);
      bucket.updatedAt = now;
    } else {
      if (this.#buckets.size >= SWEEP_THRESHOLD) this.#sweep(now);
      bucket = { tokens: this.#capacity, updatedAt: now };
      this.#buckets.set(client, bucket);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.#refillPerMs / 1000)),
    };
  }

  /** How many clients are tracked (for tests of the memory bound). */
  get trackedClients(): number {
    return this.#buckets.size;
  }

  #sweep(now: number): void {
    for (const [client, bucket] of this.#buckets) {
      if (bucket.tokens + (now - bucket.updatedAt) * this.#refillPerMs >= this.#capacity) this.#buckets.delete(client);
    }
  }
}

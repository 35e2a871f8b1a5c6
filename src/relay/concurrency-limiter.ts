import { RelayConfigError } from './errors.ts';

/**
 * Per-client cap on requests in flight. A slot is held from the moment a chat request is forwarded until its
 * response has been fully sent, failed, or been abandoned by the client.
 */
export class ConcurrencyLimiter {
  readonly #maxPerClient: number;
  readonly #inFlight = new Map<string, number>();

  constructor(maxPerClient: number) {
    if (!Number.isSafeInteger(maxPerClient) || maxPerClient <= 0) {
      throw new RelayConfigError(`maxPerClient must be a positive whole number, got ${maxPerClient}`);
    }
    this.#maxPerClient = maxPerClient;
  }

  /** Takes a slot for `client`; returns its release function (safe to call more than once), or undefined when full. */
  tryAcquire(client: string): (() => void) | undefined {
    const current = this.#inFlight.get(client) ?? 0;
    if (current >= this.#maxPerClient) return undefined;
    this.#inFlight.set(client, current + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const remaining = (this.#inFlight.get(client) ?? 1) - 1;
      if (remaining === 0) this.#inFlight.delete(client);
      else this.#inFlight.set(client, remaining);
    };
  }

  inFlight(client: string): number {
    return this.#inFlight.get(client) ?? 0;
  }
}

/**
 * What a client may spend, enforced by the relay whatever the browser decided: a budget in US dollars per window
 * (a client's total, and per alias), and a cap on the share of a client's calls an alias may take. The counters live
 * in a RelayStore, so replicas sharing one store enforce one limit. Windows are fixed (aligned to the epoch), so every
 * replica agrees on when one ends.
 *
 * Spend is counted after each answer, from the usage the provider reports, so a client's concurrent requests can
 * together go over by what they cost (at most `limits.maxConcurrentRequests` answers per replica). The share is
 * counted before: a call over it never reaches the alias.
 */
import type { ParsedRelayConfig } from './config.ts';
import type { RelayStore } from './store.ts';

export type Admission =
  /** Serve `alias`; `fallback` says why it is not the one asked for. */
  | { readonly kind: 'serve'; readonly alias: string; readonly fallback?: 'budget' | 'share' }
  | {
      readonly kind: 'refuse';
      readonly reason: 'budget' | 'share';
      readonly message: string;
      readonly retryAfterSeconds: number;
    };

export interface UsageReport {
  readonly object: 'relay.usage';
  readonly client: string;
  /** When the budget window started and ends (ISO 8601), and its length. */
  readonly window: { readonly start: string; readonly end: string; readonly seconds: number };
  readonly spentUsd: number;
  /** The client's total budget, when one is set. */
  readonly budgetUsd: number | null;
  /** Per alias the client used or has a budget for. */
  readonly models: Record<string, { readonly spentUsd: number; readonly budgetUsd: number | null }>;
}

const DAY_MS = 86_400_000;

export class SpendPolicy {
  readonly #config: ParsedRelayConfig;
  readonly #store: RelayStore;
  readonly #now: () => number;
  readonly #budgetWindowMs: number;

  constructor(config: ParsedRelayConfig, store: RelayStore, now: () => number = Date.now) {
    this.#config = config;
    this.#store = store;
    this.#now = now;
    this.#budgetWindowMs = config.budgets?.windowMs ?? DAY_MS;
  }

  /** Whether any rule applies, so the relay can skip the store entirely when none does. */
  get enforcing(): boolean {
    return this.#config.budgets !== undefined || this.#config.maxShare !== undefined;
  }

  /** Decides which alias serves `client`'s call for `alias`, counting the call. Throws RelayStoreError. */
  async admit(client: string, alias: string): Promise<Admission> {
    let serving = alias;
    let fallback: 'budget' | 'share' | undefined;
    const maxShare = this.#config.maxShare;
    if (maxShare) {
      const window = this.#window(maxShare.windowMs);
      const share = maxShare.models.get(alias);
      const key = `calls:${window.id}:${client}:${alias}`;
      // Sent together, in this order: the store applies them in order (one pipelined Redis connection), so the
      // call is in the total before it is in the alias's count, and the pair costs one round trip.
      const [calls, aliasCalls] = await Promise.all([
        this.#store.increment(`calls:${window.id}:${client}`, 1, window.ttlMs),
        share === undefined ? Promise.resolve(0) : this.#store.increment(key, 1, window.ttlMs),
      ]);
      if (share !== undefined) {
        // At most ceil(share x calls): the first call of a window may be a strong one.
        if (aliasCalls > Math.ceil(share * calls - 1e-9)) {
          await this.#store.increment(key, -1, window.ttlMs);
          const instead = this.#config.models.get(alias)?.budgetFallback;
          if (instead === undefined) {
            return {
              kind: 'refuse',
              reason: 'share',
              message: `This client has used its share of model "${alias}" (at most ${Math.round(share * 100)}% of its calls); retry later or ask for another model.`,
              retryAfterSeconds: window.secondsLeft,
            };
          }
          serving = instead;
          fallback = 'share';
        }
      }
    }
    const budgets = this.#config.budgets;
    if (budgets) {
      const window = this.#window(budgets.windowMs);
      const spentOn = async (name: string) => this.#store.get(`spend:${window.id}:${client}:${name}`);
      const cap = budgets.models.get(serving);
      // One round trip for both reads.
      const [spent, spentOnServing] = await Promise.all([
        budgets.usd === undefined ? Promise.resolve(0) : this.#store.get(`spend:${window.id}:${client}`),
        cap === undefined ? Promise.resolve(0) : spentOn(serving),
      ]);
      if (budgets.usd !== undefined && spent >= budgets.usd) {
        return {
          kind: 'refuse',
          reason: 'budget',
          message: `This client has spent its budget of $${budgets.usd} for the current window; it renews in ${window.secondsLeft} s.`,
          retryAfterSeconds: window.secondsLeft,
        };
      }
      if (cap !== undefined && spentOnServing >= cap) {
        const instead = this.#config.models.get(serving)?.budgetFallback;
        const insteadCap = instead === undefined ? undefined : budgets.models.get(instead);
        if (instead === undefined || (insteadCap !== undefined && (await spentOn(instead)) >= insteadCap)) {
          return {
            kind: 'refuse',
            reason: 'budget',
            message: `This client has spent its budget of $${cap} for model "${serving}" for the current window; it renews in ${window.secondsLeft} s.`,
            retryAfterSeconds: window.secondsLeft,
          };
        }
        serving = instead;
        fallback = 'budget';
      }
    }
    return fallback === undefined ? { kind: 'serve', alias: serving } : { kind: 'serve', alias: serving, fallback };
  }

  /** Adds what a call to `alias` cost to the client's spend. Throws RelayStoreError. */
  async record(client: string, alias: string, usd: number): Promise<void> {
    if (!(usd > 0)) return;
    const window = this.#window(this.#budgetWindowMs);
    await Promise.all([
      this.#store.increment(`spend:${window.id}:${client}`, usd, window.ttlMs),
      this.#store.increment(`spend:${window.id}:${client}:${alias}`, usd, window.ttlMs),
    ]);
  }

  /** The client's spend in the current budget window. Throws RelayStoreError. */
  async report(client: string): Promise<UsageReport> {
    const window = this.#window(this.#budgetWindowMs);
    const budgets = this.#config.budgets;
    const aliases = [...this.#config.models.keys()];
    const [total, ...perAlias] = await Promise.all([
      this.#store.get(`spend:${window.id}:${client}`),
      ...aliases.map((alias) => this.#store.get(`spend:${window.id}:${client}:${alias}`)),
    ]);
    const models: Record<string, { spentUsd: number; budgetUsd: number | null }> = {};
    for (const [index, alias] of aliases.entries()) {
      const budgetUsd = budgets?.models.get(alias) ?? null;
      if (perAlias[index]! > 0 || budgetUsd !== null)
        models[alias] = { spentUsd: roundUsd(perAlias[index]!), budgetUsd };
    }
    return {
      object: 'relay.usage',
      client,
      window: {
        start: new Date(window.start).toISOString(),
        end: new Date(window.end).toISOString(),
        seconds: this.#budgetWindowMs / 1000,
      },
      spentUsd: roundUsd(total!),
      budgetUsd: budgets?.usd ?? null,
      models,
    };
  }

  #window(lengthMs: number) {
    const now = this.#now();
    const index = Math.floor(now / lengthMs);
    const start = index * lengthMs;
    const end = start + lengthMs;
    return {
      // The length is part of the id so that a config change of window never reads the old window's counters.
      id: `${lengthMs}:${index}`,
      start,
      end,
      ttlMs: end - now,
      secondsLeft: Math.max(1, Math.ceil((end - now) / 1000)),
    };
  }
}

/** Dollars to the nanodollar: float sums of tiny costs print as 0.30000000000000004 otherwise. */
function roundUsd(usd: number): number {
  return Math.round(usd * 1e9) / 1e9;
}

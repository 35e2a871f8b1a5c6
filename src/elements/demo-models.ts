import type { ChatModel } from './chat-models.ts';

/**
 * The demo's N-model mode: four models the `irt` router knows, at their list prices in USD per 1M input / output
 * tokens, copied from `../shared/data/prices/model-prices.json` (asOf DEMO_PRICES_AS_OF; each value is that table's
 * LiteLLM snapshot of 2025-02-06): gpt-4o-2024-05-13 at OpenAI; Meta-Llama-3.1-70B-Instruct and -8B-Instruct at
 * Together AI (their "Turbo" endpoints; no first-party API); Mixtral-8x7B-Instruct-v0.1 at Mistral AI's own API.
 *
 * The demo relay (src/relay/relay.config.json, what `npm start` runs) serves two aliases, `strong` and `weak`, and
 * no provider there serves the open models, so each model is answered by one of them (`relayModel`): the frontier
 * model by `strong`, the three open models by `weak`. The page says so; the meter prices each reply at the chosen
 * model's list price below.
 */
export const DEMO_MODELS: readonly ChatModel[] = [
  { name: 'gpt-4o-2024-05-13', inputPrice: 5, outputPrice: 15, relayModel: 'strong' },
  { name: 'Meta-Llama-3.1-70B-Instruct', inputPrice: 0.88, outputPrice: 0.88, relayModel: 'weak' },
  { name: 'mistralai/Mixtral-8x7B-Instruct-v0.1', inputPrice: 0.7, outputPrice: 0.7, relayModel: 'weak' },
  { name: 'Meta-Llama-3.1-8B-Instruct', inputPrice: 0.18, outputPrice: 0.18, relayModel: 'weak' },
];

/** The price table's `asOf` date. */
export const DEMO_PRICES_AS_OF = '2026-07-24';

import { InvalidInputError } from '../core/index.ts';
import type { DeploymentModel } from '../sdk/index.ts';

/**
 * A model of `<route-chat>`'s N-model mode: a DeploymentModel (its name, list prices in USD per 1M tokens, and
 * optionally `like` / `scores` / `labels` to place it on the router's scale) plus the relay alias that serves it.
 */
export interface ChatModel extends DeploymentModel {
  /** The relay alias to call when this model is chosen (default: `name`). */
  relayModel?: string;
}

/**
 * The cost weight lambda when the page sets none: quality - lambda x expected cost, cost in USD per request. At 10,
 * one point of predicted quality (0.01) is worth $0.001 a request: a frontier model at $5 / $15 per 1M tokens (about
 * $0.005 for a 300-token answer) is chosen when it is predicted about 5 points better than a cheap open model, which
 * the irt router predicts on hard prompts (proofs, code) and not on small talk.
 */
export const DEFAULT_COST_WEIGHT = 10;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/**
 * The N-model list as the page gave it: an array, or the `models` attribute's JSON text. Checks what the element
 * itself needs (a name, two prices, a relay alias when given); the router checks the rest (unique names, placements).
 * Undefined for no list (the two-model mode).
 */
export function parseChatModels(value: unknown): ChatModel[] | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  let list = value;
  if (typeof value === 'string') {
    try {
      list = JSON.parse(value);
    } catch {
      throw new InvalidInputError(
        'The models attribute must be JSON: [{ "name": ..., "inputPrice": ..., "outputPrice": ... }, ...].',
      );
    }
  }
  if (!Array.isArray(list) || list.length === 0)
    throw new InvalidInputError('models must be a non-empty array of { name, inputPrice, outputPrice }.');
  return list.map((model, index): ChatModel => {
    if (!isRecord(model) || typeof model['name'] !== 'string' || model['name'] === '')
      throw new InvalidInputError(`models[${index}] needs a name.`);
    for (const field of ['inputPrice', 'outputPrice'] as const) {
      const price = model[field];
      if (typeof price !== 'number' || !(price >= 0) || !Number.isFinite(price))
        throw new InvalidInputError(
          `Model '${model['name']}': ${field} must be a non-negative number (USD per 1M tokens).`,
        );
    }
    if (model['relayModel'] !== undefined && (typeof model['relayModel'] !== 'string' || model['relayModel'] === ''))
      throw new InvalidInputError(`Model '${model['name']}': relayModel must be a relay alias.`);
    return model as unknown as ChatModel;
  });
}

/** What the router is given: the models without the element's own field. */
export function deploymentModels(models: readonly ChatModel[]): DeploymentModel[] {
  return models.map(({ relayModel: _relayModel, ...model }) => model);
}

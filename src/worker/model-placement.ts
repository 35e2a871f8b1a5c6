import { InvalidInputError, type IrtRouter } from '../core/index.ts';

/**
 * How a model a router has not trained on is placed on its ability scale (see IrtRouter.withModel): like a known
 * model, by published accuracy (0..1) on reference sets the weights carry, or by a site's own labelled prompts.
 */
export type WorkerModelPlacement = Parameters<IrtRouter['withModel']>[1];

/** A model the worker adds to a router before it routes, under `name`. */
export interface PlacedModel {
  name: string;
  placement: WorkerModelPlacement;
}

/** Fewer labelled prompts than this say too little about a model to fit its ability and skills. */
export const MIN_PLACEMENT_LABELS = 10;

/** The ways a model can be placed, as fields of one object (a deployment model, a placed model's placement). */
export interface PlacementFields {
  like?: unknown;
  scores?: unknown;
  labels?: unknown;
}

/**
 * The placement that `fields` give for model `name` (undefined when none), checked: at most one of like, scores
 * and labels; scores a non-empty object of accuracies in [0, 1]; at least MIN_PLACEMENT_LABELS labels, each a
 * non-empty prompt with a quality in [0, 1]. Errors name the model.
 */
export function placementOf(name: string, fields: PlacementFields): WorkerModelPlacement | undefined {
  const given = (['like', 'scores', 'labels'] as const).filter((field) => fields[field] !== undefined);
  if (given.length > 1)
    throw new InvalidInputError(`Model '${name}' gives ${given.join(' and ')}: place it by exactly one of them.`);
  const { like, scores, labels } = fields;
  if (like !== undefined) {
    if (typeof like !== 'string' || like === '')
      throw new InvalidInputError(`Model '${name}': 'like' must name a model the router knows.`);
    return { like };
  }
  if (scores !== undefined) {
    if (typeof scores !== 'object' || scores === null || Array.isArray(scores) || Object.keys(scores).length === 0) {
      throw new InvalidInputError(
        `Model '${name}': 'scores' must map reference sets to published accuracies, e.g. { 'mmlu-pro': 0.45 }.`,
      );
    }
    for (const [set, score] of Object.entries(scores)) {
      if (typeof score !== 'number' || !(score >= 0 && score <= 1))
        throw new InvalidInputError(
          `Model '${name}': its score on '${set}' must be an accuracy in [0, 1], got ${score}.`,
        );
    }
    return { scores: { ...(scores as Record<string, number>) } };
  }
  if (labels !== undefined) {
    if (!Array.isArray(labels) || labels.length < MIN_PLACEMENT_LABELS) {
      throw new InvalidInputError(
        `Model '${name}': 'labels' must list at least ${MIN_PLACEMENT_LABELS} labelled prompts ({ prompt, quality }), got ${Array.isArray(labels) ? labels.length : typeof labels}.`,
      );
    }
    return {
      labels: labels.map((label: unknown, index) => {
        const { prompt, quality } = (typeof label === 'object' && label !== null ? label : {}) as Record<
          string,
          unknown
        >;
        if (typeof prompt !== 'string' || prompt.trim() === '')
          throw new InvalidInputError(`Model '${name}': labels[${index}].prompt must be a non-empty string.`);
        if (typeof quality !== 'number' || !(quality >= 0 && quality <= 1))
          throw new InvalidInputError(
            `Model '${name}': labels[${index}].quality must be in [0, 1], got ${String(quality)}.`,
          );
        return { prompt, quality };
      }),
    };
  }
  return undefined;
}

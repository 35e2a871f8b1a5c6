import { InvalidInputError } from './errors.ts';
import type { RouterDefinition } from './registry.ts';
import type { Router } from './router.ts';
import type { TextClassifier } from './text-classifier.ts';

/** The labels of routellm-web's own classifier (public/routers/classifier): who wins, weak or strong. */
export const CLASSIFIER_LABEL_VALUES: Readonly<Record<string, number>> = { weak: 0, strong: 1 };

export interface ClassifierRouterOptions {
  /**
   * How much each label says the strong model wins, in [0, 1]; the score is the probability-weighted sum, so it
   * stays a strong win rate for any label set. Default CLASSIFIER_LABEL_VALUES. RouteLLM's 3-class BERT routers
   * (labels strong wins, tie, weak wins, in that order) score as `{ LABEL_0: 1, LABEL_1: 0, LABEL_2: 0 }`.
   */
  readonly labelValues?: Readonly<Record<string, number>>;
}

/**
 * The `classifier` router, RouteLLM's "BERT" router made portable: a sequence classifier over the prompt (ours is
 * the USE-lite encoder with a trained head, one ONNX model run as a text-classification pipeline) whose label
 * probabilities become the strong model's win rate.
 */
export function createClassifierRouter(classifier: TextClassifier, options: ClassifierRouterOptions = {}): Router {
  const labelValues = options.labelValues ?? CLASSIFIER_LABEL_VALUES;
  const values = classifier.labels.map((label) => {
    const value = Object.hasOwn(labelValues, label) ? labelValues[label] : undefined;
    if (value === undefined) {
      throw new InvalidInputError(
        `Classifier '${classifier.id}' has label '${label}', which labelValues does not give a value (it has ${Object.keys(labelValues).join(', ') || 'none'}).`,
      );
    }
    if (!(value >= 0 && value <= 1))
      throw new InvalidInputError(`labelValues['${label}'] must be in [0, 1], got ${value}.`);
    return value;
  });
  const stray = Object.keys(labelValues).find((label) => !classifier.labels.includes(label));
  if (stray !== undefined) {
    throw new InvalidInputError(
      `labelValues names '${stray}', which classifier '${classifier.id}' does not have (its labels: ${classifier.labels.join(', ')}).`,
    );
  }

  return {
    name: 'classifier',
    async score(prompts, scoreOptions) {
      const probabilities = await classifier.classify(prompts, scoreOptions);
      if (probabilities.length !== prompts.length) {
        throw new InvalidInputError(
          `Classifier '${classifier.id}' returned ${probabilities.length} results for ${prompts.length} prompts.`,
        );
      }
      return probabilities.map((row) => {
        if (row.length !== values.length) {
          throw new InvalidInputError(
            `Classifier '${classifier.id}' returned ${row.length} probabilities for its ${values.length} labels.`,
          );
        }
        const strongWinRate = row.reduce((sum, probability, index) => sum + probability * values[index]!, 0);
        // Probabilities in float32 may sum to a hair above 1.
        return Math.min(1, Math.max(0, strongWinRate));
      });
    },
  };
}

/**
 * The `classifier` router of the registry. Its weights folder (public/routers/classifier) is the trained head the
 * classifier model was built from; the router reads `labelValues` from its manifest (routellm-web's own labels when
 * absent), and the SDK its calibration quantiles.
 */
export const classifierRouterDefinition: RouterDefinition = {
  name: 'classifier',
  description:
    "RouteLLM's BERT router on USE-lite: a trained head over the prompt's embedding and token statistics (one ONNX model).",
  requires: ['weights', 'textClassifier'],
  create: (context) =>
    createClassifierRouter(context.textClassifier!, { labelValues: manifestLabelValues(context.weights!.manifest) }),
};

function manifestLabelValues(manifest: Readonly<Record<string, unknown>>): Readonly<Record<string, number>> {
  const labelValues = manifest['labelValues'];
  if (labelValues === undefined) return CLASSIFIER_LABEL_VALUES;
  if (
    typeof labelValues !== 'object' ||
    labelValues === null ||
    Array.isArray(labelValues) ||
    !Object.values(labelValues).every((value) => typeof value === 'number')
  ) {
    throw new InvalidInputError("The classifier manifest's labelValues must map each label to a number.");
  }
  return labelValues as Record<string, number>;
}

import { InvalidInputError } from './errors.ts';
import type { LabelQuery, LabelScorer } from './label-scorer.ts';
import type { RouterDefinition } from './registry.ts';
import type { Router } from './router.ts';

/**
 * RouteLLM's causal-LLM router question (lm-sys/RouteLLM, Apache-2.0: routellm/routers/causal_llm/system_ft_v5.txt
 * and classifier_ft_v5.txt): the model rates, 1 to 5, how well an AI assistant (the weak model) will answer.
 */
export const ROUTELLM_SYSTEM_MESSAGE = `[Instruction]
Based on the question provided below, predict the score an expert evaluator would give to an AI assistant's response, considering its helpfulness, relevance, adherence to facts, depth, creativity, and detail. Your prediction should infer the level of proficiency needed to address the question effectively. Use a scale from 1 to 5, where a higher score indicates a higher anticipated quality of response. Provide your prediction as: "[[predicted rating]]".

Score criteria:
- **4-5**: The AI assistant can produce a very strong answer, showing deep understanding, creativity, detailed insight, and high relevance.
- **3**: The AI assistant can provide an adequate answer with moderate detail, relevance, and factual accuracy.
- **1-2**: The AI assistant will struggle to produce a strong answer due to the question's difficulty, vagueness, or the assistant's limitations.
`;

/** The user turn; `{question}` is replaced by the prompt being routed. */
export const ROUTELLM_CLASSIFIER_MESSAGE = '[Question]\n{question}\n\nPrediction:\n';

export interface CausalLlmRouterOptions {
  /**
   * The rating tokens, lowest rating first (default '1' to '5'). RouteLLM's fine-tuned checkpoints add
   * `[[1]]` ... `[[5]]` as special tokens; instruct models from the Hub write `[[` and then a digit token.
   */
  readonly labels?: readonly string[];
  /** Text the answer starts with before the rating (default '[[', the format the system message asks for). */
  readonly answerPrefix?: string;
  /**
   * RouteLLM's score_threshold (default 4): a rating at or above it means the weak model answers well. The strong
   * win rate is the probability of a lower rating, among the rating tokens.
   */
  readonly scoreThreshold?: number;
  readonly systemMessage?: string;
  /** Must contain `{question}`. */
  readonly classifierMessage?: string;
}

const DEFAULT_RATING_LABELS = ['1', '2', '3', '4', '5'] as const;
const DEFAULT_SCORE_THRESHOLD = 4;
const DEFAULT_ANSWER_PREFIX = '[[';

/**
 * The `causal-llm` router as RouteLLM computes it: ask a causal LM its classification question, read the
 * probabilities of the rating tokens where the rating goes, renormalise them over the ratings (RouteLLM takes a
 * softmax over the rating logits), and score = 1 - P(rating >= scoreThreshold).
 */
export function createCausalLlmRouter(scorer: LabelScorer, options: CausalLlmRouterOptions = {}): Router {
  const labels = options.labels ?? DEFAULT_RATING_LABELS;
  const scoreThreshold = options.scoreThreshold ?? DEFAULT_SCORE_THRESHOLD;
  const answerPrefix = options.answerPrefix ?? DEFAULT_ANSWER_PREFIX;
  const systemMessage = options.systemMessage ?? ROUTELLM_SYSTEM_MESSAGE;
  const classifierMessage = options.classifierMessage ?? ROUTELLM_CLASSIFIER_MESSAGE;
  if (
    labels.length < 2 ||
    new Set(labels).size !== labels.length ||
    labels.some((label) => typeof label !== 'string' || label === '')
  ) {
    throw new InvalidInputError('labels must be at least two distinct non-empty strings.');
  }
  if (!(Number.isInteger(scoreThreshold) && scoreThreshold >= 2 && scoreThreshold <= labels.length)) {
    throw new InvalidInputError(
      `scoreThreshold must be an integer rating from 2 to ${labels.length}, got ${scoreThreshold}.`,
    );
  }
  if (!classifierMessage.includes('{question}'))
    throw new InvalidInputError('classifierMessage must contain {question}.');

  // RouteLLM's prompt format strips every message before templating it.
  const queryOf = (prompt: string): LabelQuery => ({
    messages: [
      { role: 'system', content: systemMessage.trim() },
      { role: 'user', content: classifierMessage.replace('{question}', () => prompt).trim() },
    ],
    answerPrefix,
  });

  return {
    name: 'causal-llm',
    async score(prompts, scoreOptions) {
      const probabilities = await scorer.scoreLabels(prompts.map(queryOf), labels, scoreOptions);
      if (probabilities.length !== prompts.length) {
        throw new InvalidInputError(
          `Label scorer '${scorer.id}' returned ${probabilities.length} results for ${prompts.length} prompts.`,
        );
      }
      return probabilities.map((row) => {
        if (row.length !== labels.length) {
          throw new InvalidInputError(
            `Label scorer '${scorer.id}' returned ${row.length} probabilities for ${labels.length} labels.`,
          );
        }
        return strongWinRate(row, scoreThreshold, scorer.id);
      });
    },
  };
}

/** P(rating < threshold) among the ratings: RouteLLM's 1 - binary_prob. */
function strongWinRate(ratingProbabilities: readonly number[], scoreThreshold: number, scorerId: string): number {
  const total = ratingProbabilities.reduce((sum, probability) => sum + probability, 0);
  if (!(total > 0) || !Number.isFinite(total)) {
    throw new InvalidInputError(
      `Label scorer '${scorerId}' gave the rating tokens no usable probability (total ${total}).`,
    );
  }
  const low = ratingProbabilities.slice(0, scoreThreshold - 1).reduce((sum, probability) => sum + probability, 0);
  return low / total;
}

export const causalLlmRouterDefinition: RouterDefinition = {
  name: 'causal-llm',
  description:
    "RouteLLM's causal-LLM router: a causal LM rates 1-5 how well the weak model will answer; P(rating < 4) is the score.",
  requires: ['labelScorer'],
  create: (context) => createCausalLlmRouter(context.labelScorer!),
};

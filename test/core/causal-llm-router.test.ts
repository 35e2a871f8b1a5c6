import { describe, expect, it } from 'vitest';
import {
  ROUTELLM_CLASSIFIER_MESSAGE,
  ROUTELLM_SYSTEM_MESSAGE,
  createCausalLlmRouter,
} from '../../src/core/causal-llm-router.ts';
import { InvalidInputError } from '../../src/core/errors.ts';
import type { LabelQuery, LabelScorer } from '../../src/core/label-scorer.ts';

/** A scorer that records what it was asked and answers with fixed rating probabilities. */
function fakeScorer(
  answer: (query: LabelQuery, labels: readonly string[]) => number[],
): LabelScorer & { asked: { queries: readonly LabelQuery[]; labels: readonly string[] }[] } {
  const asked: { queries: readonly LabelQuery[]; labels: readonly string[] }[] = [];
  return {
    id: 'fake-lm',
    asked,
    async scoreLabels(queries, labels) {
      asked.push({ queries, labels });
      return queries.map((query) => answer(query, labels));
    },
  };
}

describe('createCausalLlmRouter', () => {
  it("asks RouteLLM's question: its system message, the prompt in its classifier message, each stripped, answer opened with [[", async () => {
    const scorer = fakeScorer(() => [0.1, 0.1, 0.1, 0.1, 0.1]);
    await createCausalLlmRouter(scorer).score(['  What is 2 + 2?\n']);
    const [{ queries, labels }] = scorer.asked as [{ queries: LabelQuery[]; labels: string[] }];
    expect(labels).toEqual(['1', '2', '3', '4', '5']);
    expect(queries).toEqual([
      {
        messages: [
          { role: 'system', content: ROUTELLM_SYSTEM_MESSAGE.trim() },
          { role: 'user', content: '[Question]\n  What is 2 + 2?\n\n\nPrediction:' },
        ],
        answerPrefix: '[[',
      },
    ]);
    expect(ROUTELLM_SYSTEM_MESSAGE).toContain('Provide your prediction as: "[[predicted rating]]".');
    expect(ROUTELLM_CLASSIFIER_MESSAGE).toBe('[Question]\n{question}\n\nPrediction:\n');
  });

  it('scores 1 - P(rating >= 4), renormalised over the rating tokens', async () => {
    // Raw probabilities summing to 0.5: the rest of the vocabulary holds the other half.
    const router = createCausalLlmRouter(fakeScorer(() => [0.05, 0.05, 0.1, 0.2, 0.1]));
    expect(await router.score(['a', 'b'])).toEqual([0.4, 0.4]);
    const lenient = createCausalLlmRouter(
      fakeScorer(() => [0.05, 0.05, 0.1, 0.2, 0.1]),
      { scoreThreshold: 5 },
    );
    expect((await lenient.score(['a']))[0]).toBeCloseTo(0.8, 12);
  });

  it('keeps a $ pattern in the prompt as it is', async () => {
    const scorer = fakeScorer(() => [1, 1, 1, 1, 1]);
    await createCausalLlmRouter(scorer).score(["Replace $& and $' in a string"]);
    expect(scorer.asked[0]!.queries[0]!.messages[1]!.content).toBe(
      "[Question]\nReplace $& and $' in a string\n\nPrediction:",
    );
  });

  it('takes other labels, prefixes and messages (a RouteLLM checkpoint with [[1]]..[[5]] tokens)', async () => {
    const scorer = fakeScorer((_, labels) => labels.map((_, index) => (index === 0 ? 1 : 0)));
    const router = createCausalLlmRouter(scorer, {
      labels: ['[[1]]', '[[2]]', '[[3]]', '[[4]]', '[[5]]'],
      answerPrefix: '',
      systemMessage: 'Rate.',
      classifierMessage: 'Q: {question}',
    });
    expect(await router.score(['x'])).toEqual([1]);
    expect(scorer.asked[0]!.queries[0]).toEqual({
      messages: [
        { role: 'system', content: 'Rate.' },
        { role: 'user', content: 'Q: x' },
      ],
      answerPrefix: '',
    });
  });

  it('rejects bad options and a scorer that breaks its contract', async () => {
    const scorer = fakeScorer(() => [0.2, 0.2, 0.2, 0.2, 0.2]);
    expect(() => createCausalLlmRouter(scorer, { scoreThreshold: 1 })).toThrow(
      'scoreThreshold must be an integer rating from 2 to 5, got 1.',
    );
    expect(() => createCausalLlmRouter(scorer, { labels: ['1', '1'] })).toThrow(InvalidInputError);
    expect(() => createCausalLlmRouter(scorer, { classifierMessage: 'no slot' })).toThrow(
      'classifierMessage must contain {question}.',
    );
    const short = createCausalLlmRouter(fakeScorer(() => [0.5, 0.5]));
    await expect(short.score(['x'])).rejects.toThrow("Label scorer 'fake-lm' returned 2 probabilities for 5 labels.");
    const empty = createCausalLlmRouter(fakeScorer(() => [0, 0, 0, 0, 0]));
    await expect(empty.score(['x'])).rejects.toThrow(
      "Label scorer 'fake-lm' gave the rating tokens no usable probability (total 0).",
    );
  });
});

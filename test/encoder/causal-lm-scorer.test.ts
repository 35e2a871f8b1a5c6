import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ROUTELLM_CLASSIFIER_MESSAGE,
  ROUTELLM_SYSTEM_MESSAGE,
  createCausalLlmRouter,
} from '../../src/core/causal-llm-router.ts';
import { AbortError, InvalidInputError, ModelLoadError } from '../../src/core/errors.ts';
import type { ChatMessage, LabelQuery } from '../../src/core/label-scorer.ts';
import { createCausalLmScorer, labelProbabilities } from '../../src/encoder/causal-lm-scorer.ts';
import {
  type TinyCausalLmVariant,
  referenceChatText,
  referenceNextTokenProbabilities,
  referenceTokenIds,
  writeTinyCausalLm,
} from './tiny-causal-lm-fixture.ts';

const RATINGS = ['1', '2', '3', '4', '5'];

function routeLlmQuery(prompt: string): LabelQuery {
  return {
    messages: [
      { role: 'system', content: ROUTELLM_SYSTEM_MESSAGE.trim() },
      { role: 'user', content: ROUTELLM_CLASSIFIER_MESSAGE.replace('{question}', prompt).trim() },
    ],
    answerPrefix: '[[',
  };
}

/** What the scorer must return: the float64 network's next-token probabilities of the rating tokens. */
function referenceRatings(query: LabelQuery, seed = 0): number[] {
  const probabilities = referenceNextTokenProbabilities(
    referenceTokenIds(referenceChatText(query.messages) + query.answerPrefix),
    seed,
  );
  return RATINGS.map((rating) => probabilities[referenceTokenIds(rating)[0]!]!);
}

function expectRelativelyClose(actual: readonly number[], expected: readonly number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, index) => expect(Math.abs(value - expected[index]!) / expected[index]!).toBeLessThan(1e-4));
}

const folders: string[] = [];
function tinyModel(
  variant: TinyCausalLmVariant,
  options: { seed?: number; chatTemplate?: string | null } = {},
): string {
  const folder = writeTinyCausalLm({ variant, ...options });
  folders.push(dirname(folder));
  return folder;
}
afterAll(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

const QUESTIONS = [
  'What is 2 + 2?',
  'Write a proof that there are infinitely many primes, in the style of Euclid. ✓ [[x]]',
];

describe.each<TinyCausalLmVariant>(['cache', 'cache-keep-logits', 'no-cache'])('a causal LM exported %s', (variant) => {
  it('returns exactly the probabilities of the rating tokens after the chat-formatted question', async () => {
    const scorer = await createCausalLmScorer({ model: tinyModel(variant), dtype: 'fp32' });
    try {
      const queries = QUESTIONS.map(routeLlmQuery);
      const probabilities = await scorer.scoreLabels(queries, RATINGS);
      queries.forEach((query, index) => expectRelativelyClose(probabilities[index]!, referenceRatings(query)));
      expect(probabilities[0]).not.toEqual(probabilities[1]);
    } finally {
      await scorer.dispose();
    }
  });
});

describe('createCausalLmScorer', () => {
  let folder: string;
  beforeAll(() => {
    folder = tinyModel('cache', { seed: 7 });
  });

  it('reads a prompt into the KV cache in passes of any size with the same result', async () => {
    const query = routeLlmQuery(QUESTIONS[1]!);
    const expected = referenceRatings(query, 7);
    for (const prefillTokens of [1, 13, 100_000]) {
      const scorer = await createCausalLmScorer({ model: folder, dtype: 'fp32', prefillTokens });
      try {
        expectRelativelyClose((await scorer.scoreLabels([query], RATINGS))[0]!, expected);
      } finally {
        await scorer.dispose();
      }
    }
  });

  it('identifies itself and the device it runs on', async () => {
    const scorer = await createCausalLmScorer({ model: folder, dtype: 'fp32' });
    try {
      expect(scorer).toMatchObject({
        id: 'tiny-causal-lm@fp32',
        dtype: 'fp32',
        device: 'cpu',
        deviceReason: 'Node runs onnxruntime-node on the CPU',
      });
    } finally {
      await scorer.dispose();
    }
  });

  it('refuses labels that are not one token after the answer prefix, and malformed queries', async () => {
    const scorer = await createCausalLmScorer({ model: folder, dtype: 'fp32' });
    try {
      const query = routeLlmQuery('hello');
      await expect(scorer.scoreLabels([query], ['1', '12'])).rejects.toThrow(
        "Label '12' is not a single token after the answer prefix '[['",
      );
      // ']' + ']' merge into one token, so ']' alone is not the token the model would read after a ']' prefix.
      await expect(scorer.scoreLabels([{ ...query, answerPrefix: ']' }], [']'])).rejects.toThrow(InvalidInputError);
      await expect(scorer.scoreLabels([query], ['1', '1'])).rejects.toThrow('labels must be distinct.');
      await expect(scorer.scoreLabels([query], [])).rejects.toThrow(InvalidInputError);
      const badRole = { messages: [{ role: 'robot', content: 'x' } as unknown as ChatMessage], answerPrefix: '' };
      await expect(scorer.scoreLabels([badRole], RATINGS)).rejects.toThrow(
        "queries[0].messages[0] must be { role: 'system' | 'user' | 'assistant', content: string }.",
      );
      await expect(scorer.scoreLabels([{ messages: [], answerPrefix: '' }], RATINGS)).rejects.toThrow(
        'queries[0].messages must be a non-empty array.',
      );
    } finally {
      await scorer.dispose();
    }
  });

  it('refuses a prompt longer than the model reads', async () => {
    const scorer = await createCausalLmScorer({ model: folder, dtype: 'fp32' });
    try {
      await expect(scorer.scoreLabels([routeLlmQuery('x'.repeat(2000))], RATINGS)).rejects.toThrow(
        /queries\[0\] is \d+ tokens with its chat template; model ".*" reads at most 1024\./,
      );
    } finally {
      await scorer.dispose();
    }
  });

  it('stops between prompts when aborted, and rejects calls after dispose', async () => {
    const scorer = await createCausalLmScorer({ model: folder, dtype: 'fp32' });
    const controller = new AbortController();
    controller.abort();
    await expect(scorer.scoreLabels([routeLlmQuery('hi')], RATINGS, { signal: controller.signal })).rejects.toThrow(
      AbortError,
    );
    await scorer.dispose();
    await expect(scorer.scoreLabels([routeLlmQuery('hi')], RATINGS)).rejects.toThrow(
      'This label scorer was disposed; create a new one.',
    );
  });

  it('fails to load a model without a chat template, a missing folder, or a Hub model without allowRemoteModels', async () => {
    const noTemplate = tinyModel('cache', { chatTemplate: null });
    await expect(createCausalLmScorer({ model: noTemplate, dtype: 'fp32' })).rejects.toMatchObject({
      code: 'model_load_failed',
      message: '"tiny-causal-lm" has no chat template, so it cannot be asked a chat question.',
    });
    const missing = createCausalLmScorer({ model: `${folder}-missing`, dtype: 'fp32' });
    await expect(missing).rejects.toBeInstanceOf(ModelLoadError);
    await expect(missing).rejects.toMatchObject({ code: 'model_not_found' });
    await expect(
      createCausalLmScorer({ model: 'onnx-community/not-downloaded', localModelPath: dirname(folder) }),
    ).rejects.toThrow(/was not found: .* Pass allowRemoteModels: true to download it from the Hugging Face Hub\./);
    await expect(createCausalLmScorer({ model: folder, prefillTokens: 0 })).rejects.toThrow(
      'options.prefillTokens must be a positive integer, got 0.',
    );
  });
});

describe('the causal-llm router on a causal LM', () => {
  it("scores RouteLLM's way: P(rating < 4) among the rating tokens", async () => {
    const scorer = await createCausalLmScorer({ model: tinyModel('cache'), dtype: 'fp32' });
    try {
      const router = createCausalLlmRouter(scorer);
      const scores = await router.score(QUESTIONS);
      QUESTIONS.forEach((question, index) => {
        const ratings = referenceRatings(routeLlmQuery(question));
        const expected = (ratings[0]! + ratings[1]! + ratings[2]!) / ratings.reduce((sum, value) => sum + value, 0);
        expect(scores[index]).toBeCloseTo(expected, 6);
      });
    } finally {
      await scorer.dispose();
    }
  });
});

describe('labelProbabilities', () => {
  it('is the softmax of the logits at the label ids, without overflow or underflow at large logits', () => {
    expect(labelProbabilities(Float32Array.of(0, Math.log(3)), [1, 0])).toEqual([
      expect.closeTo(0.75, 7),
      expect.closeTo(0.25, 7),
    ]);
    for (const base of [-800, 1000]) {
      expect(labelProbabilities(Float32Array.of(base, base + Math.log(4)), [0])[0]).toBeCloseTo(0.2, 6);
    }
  });
});

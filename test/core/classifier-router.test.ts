import { describe, expect, it } from 'vitest';
import { createClassifierRouter } from '../../src/core/classifier-router.ts';
import { InvalidInputError } from '../../src/core/errors.ts';
import type { TextClassifier } from '../../src/core/text-classifier.ts';

function fakeClassifier(
  labels: string[],
  classify: (text: string) => number[],
): TextClassifier & { calls: (readonly string[])[] } {
  const calls: (readonly string[])[] = [];
  return {
    id: 'fake-classifier@fp32-00000000',
    labels,
    calls,
    async classify(texts) {
      calls.push(texts);
      return texts.map(classify);
    },
  };
}

describe('createClassifierRouter', () => {
  it("scores P(strong) with routellm-web's labels, in one classify call per batch", async () => {
    const classifier = fakeClassifier(['weak', 'strong'], (text) => (text.length > 3 ? [0.2, 0.8] : [0.9, 0.1]));
    const router = createClassifierRouter(classifier);
    expect(router.name).toBe('classifier');
    expect(await router.score(['hi', 'hello'])).toEqual([0.1, 0.8]);
    expect(classifier.calls).toEqual([['hi', 'hello']]);
  });

  it('weights any label set by its value: RouteLLM 3-class BERT checkpoints score P(strong wins)', async () => {
    const classifier = fakeClassifier(['LABEL_0', 'LABEL_1', 'LABEL_2'], () => [0.5, 0.3, 0.2]);
    const routeLlm = createClassifierRouter(classifier, { labelValues: { LABEL_0: 1, LABEL_1: 0, LABEL_2: 0 } });
    expect(await routeLlm.score(['x'])).toEqual([0.5]);
    const tiesHalf = createClassifierRouter(classifier, { labelValues: { LABEL_0: 1, LABEL_1: 0.5, LABEL_2: 0 } });
    expect(await tiesHalf.score(['x'])).toEqual([0.65]);
  });

  it('clamps float32 rounding into [0, 1]', async () => {
    const router = createClassifierRouter(fakeClassifier(['weak', 'strong'], () => [0, 1.0000001]));
    expect(await router.score(['x'])).toEqual([1]);
  });

  it('rejects label values that do not match the model, and a classifier that breaks its contract', async () => {
    const classifier = fakeClassifier(['LABEL_0', 'LABEL_1'], () => [0.5, 0.5]);
    expect(() => createClassifierRouter(classifier)).toThrow(
      "Classifier 'fake-classifier@fp32-00000000' has label 'LABEL_0', which labelValues does not give a value (it has weak, strong).",
    );
    expect(() => createClassifierRouter(classifier, { labelValues: { LABEL_0: 0, LABEL_1: 2 } })).toThrow(
      "labelValues['LABEL_1'] must be in [0, 1], got 2.",
    );
    expect(() => createClassifierRouter(classifier, { labelValues: { LABEL_0: 0, LABEL_1: 1, LABEL_2: 1 } })).toThrow(
      InvalidInputError,
    );
    const wrongWidth = createClassifierRouter(fakeClassifier(['weak', 'strong'], () => [1]));
    await expect(wrongWidth.score(['x'])).rejects.toThrow(
      "Classifier 'fake-classifier@fp32-00000000' returned 1 probabilities for its 2 labels.",
    );
  });
});

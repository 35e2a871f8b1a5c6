import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortError, ModelLoadError } from '../../src/core/errors.ts';
import { createTextClassifier } from '../../src/encoder/text-classifier.ts';
import { writeTinyBert } from './tiny-bert-fixture.ts';

/**
 * The loader's checks, on a tiny BERT-layout folder whose config.json each test rewrites (the model's graph is only
 * run by test/encoder/classifier-model.test.ts, on the real classifier).
 */
let folder: string;
beforeAll(() => {
  folder = writeTinyBert();
});
afterAll(() => rmSync(dirname(folder), { recursive: true, force: true }));

function writeConfig(config: Record<string, unknown>): void {
  writeFileSync(
    join(folder, 'config.json'),
    JSON.stringify({ model_type: 'bert', architectures: ['BertForSequenceClassification'], ...config }),
  );
}

describe('createTextClassifier', () => {
  it('reads the labels in output order from id2label', async () => {
    writeConfig({ id2label: { 1: 'strong', 0: 'weak', 2: 'tie' } });
    const classifier = await createTextClassifier({ model: folder, dtype: 'fp32' });
    try {
      expect(classifier.labels).toEqual(['weak', 'strong', 'tie']);
      expect(classifier).toMatchObject({
        dtype: 'fp32',
        device: 'cpu',
        deviceReason: 'Node runs onnxruntime-node on the CPU',
      });
      expect(classifier.id).toMatch(/^tiny-bert@fp32-[0-9a-f]{8}$/);
    } finally {
      await classifier.dispose();
    }
  });

  it('checks texts, stops when aborted, and rejects calls after dispose', async () => {
    writeConfig({ id2label: { 0: 'weak', 1: 'strong' } });
    const classifier = await createTextClassifier({ model: folder, dtype: 'fp32' });
    await expect(classifier.classify(['fine', '  '])).rejects.toThrow(
      'texts[1] is empty; there is nothing to classify.',
    );
    await expect(classifier.classify(['fine', 3 as unknown as string])).rejects.toThrow(
      'texts[1] must be a string, got number.',
    );
    const controller = new AbortController();
    controller.abort();
    await expect(classifier.classify(['the cat'], { signal: controller.signal })).rejects.toThrow(AbortError);
    await classifier.dispose();
    await expect(classifier.classify(['the cat'])).rejects.toThrow('This classifier was disposed; create a new one.');
  });

  it('refuses models that are not single-label sequence classifiers', async () => {
    writeConfig({});
    await expect(createTextClassifier({ model: folder, dtype: 'fp32' })).rejects.toThrow(
      'config.json of "tiny-bert" has no id2label with at least two labels; it is not a sequence classifier.',
    );
    writeConfig({ id2label: { 0: 'a', 2: 'b' } });
    await expect(createTextClassifier({ model: folder, dtype: 'fp32' })).rejects.toThrow(
      'config.json of "tiny-bert" must label outputs 0..1 in id2label.',
    );
    writeConfig({ id2label: { 0: 'a', 1: 'b' }, problem_type: 'multi_label_classification' });
    await expect(createTextClassifier({ model: folder, dtype: 'fp32' })).rejects.toMatchObject({
      code: 'model_load_failed',
      message: expect.stringContaining('multi-label'),
    });
  });

  it('says how to build the default model, or to allow the Hub, when a model is missing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'routellm-no-models-'));
    try {
      const missing = createTextClassifier({ localModelPath: empty });
      await expect(missing).rejects.toBeInstanceOf(ModelLoadError);
      await expect(missing).rejects.toMatchObject({
        code: 'model_not_found',
        message: expect.stringMatching(
          /^Classifier model "routellm-classifier" \(q8\) was not found: .* `npm run build:classifier` builds it\.$/,
        ),
      });
      await expect(createTextClassifier({ model: 'someone/bert-router', localModelPath: empty })).rejects.toThrow(
        /Pass allowRemoteModels: true to download it from the Hugging Face Hub\.$/,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

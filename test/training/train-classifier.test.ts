import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFromDefinition } from '../../src/core/registry.ts';
import { readRouterFolder, writeRouterFolder } from '../../src/node/router-weights.ts';
import { TOKEN_CLASSES } from '../../src/node/onnx/classifier/features.ts';
import { EMBEDDING_DIMENSIONS, HEAD_WEIGHTS_FILE } from '../../src/node/onnx/classifier/head.ts';
import type { PromptFeatureSource } from '../../src/training/classifier/prompt-features.ts';
import { createClassifierTrainer } from '../../src/training/train-classifier.ts';
import { TRAINERS, trainedFolder } from '../../src/training/trainers.ts';
import { syntheticTrainingData } from './synthetic-data.ts';

/** Stand-in for the encoder and tokenizer: instructions and questions on two axes; the statistic is the word count. */
function fakeFeatures() {
  const calls = { opened: 0, disposed: 0 };
  const open = async (): Promise<PromptFeatureSource> => {
    calls.opened++;
    return {
      encoderId: 'fake-encoder@test',
      features: async (texts) =>
        texts.map((text) => {
          const embedding = new Float32Array(EMBEDDING_DIMENSIONS);
          embedding[text.startsWith('write') ? 1 : 0] = 1;
          const statistics = new Float64Array(1 + TOKEN_CLASSES.length);
          statistics[0] = Math.log1p(text.split(' ').length);
          return { embedding, statistics };
        }),
      dispose: async () => void calls.disposed++,
    };
  };
  return { open, calls };
}

describe('the classifier trainer', () => {
  it('is registered with npm run train', () => {
    expect(TRAINERS.get('classifier')?.definition.name).toBe('classifier');
  });

  it('trains a head that npm run train writes, reads back and scores through the registry definition', async () => {
    const { open, calls } = fakeFeatures();
    const trainer = createClassifierTrainer(open);
    const data = syntheticTrainingData(60);
    try {
      const trained = await trainer.train(data, { seed: 0 });
      // Only the mmlu rows: AlpacaEval's chat family is left out, GSM8K has no labels.
      expect(trained.rows).toEqual({ labelledExamples: 60 });
      const { fields, files } = trainedFolder(trained);
      expect([...files.keys()]).toEqual([HEAD_WEIGHTS_FILE]);
      expect(fields).toMatchObject({
        model: 'routellm-classifier',
        labelValues: { weak: 0, strong: 1 },
        format: 'routellm-classifier-head/1',
      });

      const folder = path.join(await mkdtemp(path.join(tmpdir(), 'routellm-classifier-')), 'classifier');
      await writeRouterFolder(folder, { router: 'classifier', ...fields }, files);
      const weights = await readRouterFolder(folder);
      const router = await createFromDefinition(trainer.definition, { ...(await trainer.context!(weights)), weights });
      const long = data.prompts.find((prompt) => prompt.family === 'mmlu' && prompt.text.length > 100)!.text;
      const short = data.prompts.find((prompt) => prompt.family === 'mmlu' && prompt.text.length < 30)!.text;
      const [longScore, shortScore] = await router.score([long, short]);
      expect(longScore).toBeGreaterThan(shortScore!);

      const again = await trainer.train(data, { seed: 0 });
      expect(trainedFolder(again).files.get(HEAD_WEIGHTS_FILE)).toEqual(files.get(HEAD_WEIGHTS_FILE));
    } finally {
      await trainer.dispose!();
    }
    expect(calls).toEqual({ opened: 1, disposed: 1 });
  });

  it('builds the classifier model only from the committed head folder', async () => {
    const trainer = createClassifierTrainer(fakeFeatures().open);
    expect(await trainer.build!(path.join(tmpdir(), 'elsewhere'))).toMatch(
      /^Not built: routellm-classifier is built from public\/routers\/classifier/,
    );
  });
});

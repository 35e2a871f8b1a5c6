import { describe, expect, it } from 'vitest';
import { trainMf } from '../../src/training/train-mf.ts';
import { mfModelScore, mfProjectPrompt, mfInputs, type MfModel } from '../../src/core/mf-router.ts';
import { sigmoid } from '../../src/core/logistic.ts';
import { STRONG_MODEL, WEAK_MODEL } from '../../src/training/dataset.ts';
import { syntheticTrainingData } from './synthetic-data.ts';

describe('trainMf', () => {
  const data = syntheticTrainingData(80);
  const trained = trainMf(data, 0);
  const models = trained.parameters['models'] as string[];
  const model: MfModel = {
    models,
    rank: trained.parameters['rank'] as number,
    embeddingDimensions: 3,
    modelEmbeddings: trained.tensors['modelEmbeddings']!.data,
    projection: trained.tensors['projection']!.data,
    classifier: trained.tensors['classifier']!.data,
    featureMean: trained.tensors['featureMean']!.data,
    featureScale: trained.tensors['featureScale']!.data,
  };
  const winRate = (prompt: number, strong: string, weak: string) => {
    const projected = mfProjectPrompt(
      model,
      mfInputs(model, data.prompts[prompt]!.embedding, data.prompts[prompt]!.text),
    );
    return sigmoid(
      mfModelScore(model, models.indexOf(strong), projected) - mfModelScore(model, models.indexOf(weak), projected),
    );
  };

  it('learns that the strong model gains on long mmlu questions and big beats small there', () => {
    const long = data.prompts.findIndex((prompt) => prompt.family === 'mmlu' && prompt.text.length > 100);
    const chat = data.prompts.findIndex((prompt) => prompt.family === 'chat');
    expect(winRate(long, STRONG_MODEL, WEAK_MODEL)).toBeGreaterThan(winRate(chat, STRONG_MODEL, WEAK_MODEL));
    expect(winRate(long, 'big', 'small')).toBeGreaterThan(0.6);
  });

  it('records the models of every source and the best epoch', () => {
    expect(models).toEqual(expect.arrayContaining([STRONG_MODEL, WEAK_MODEL, 'big', 'small', 'other']));
    expect(trained.details['bestEpoch']).toBeGreaterThan(0);
  });
});

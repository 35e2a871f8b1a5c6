import { describe, expect, it } from 'vitest';
import { trainKnnGain } from '../../src/training/train-knn-gain.ts';
import { syntheticTrainingData } from './synthetic-data.ts';

describe('trainKnnGain', () => {
  const data = syntheticTrainingData();
  const trained = trainKnnGain(data, 0);
  const families = trained.parameters['families'] as string[];
  const weightOf = (family: string) => ({
    local: trained.tensors['localWeight']!.data[families.indexOf(family)]!,
    global: trained.tensors['globalWeight']!.data[families.indexOf(family)]!,
  });

  it('adopts a length term where length predicts the gain or the difficulty, and none for chat', () => {
    const mmlu = weightOf('mmlu');
    expect(mmlu.local + mmlu.global).toBeGreaterThan(0);
    const gsm = weightOf('grade-school-math');
    expect(gsm.local + gsm.global).toBeGreaterThan(0);
    expect(weightOf('chat')).toEqual({ local: 0, global: 0 });
  });

  it('ships labelled rows first, then difficulty-only rows, and is deterministic for a seed', () => {
    expect(trained.rows).toEqual({ labelledPrompts: 180, difficultyOnlyPrompts: 120 });
    expect(trained.tensors['gains']!.shape).toEqual([180]);
    // The synthetic embeddings have 3 dimensions, so all 3 principal axes are kept.
    expect(trained.tensors['embeddings']!.shape).toEqual([300, 3]);
    expect(trained.tensors['projection']!.shape).toEqual([3, 3]);
    expect(trained.compression.components).toBe(3);
    expect(trainKnnGain(data, 0).parameters).toEqual(trained.parameters);
  });
});

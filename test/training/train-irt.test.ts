import { describe, expect, it } from 'vitest';
import { irtRouterDefinition } from '../../src/core/irt-router.ts';
import { packTensors, TENSOR_FILE, TENSOR_FORMAT_VERSION } from '../../src/core/router-tensors.ts';
import { poolingModelName, STRONG_MODEL, type TrainingData, WEAK_MODEL } from '../../src/training/dataset.ts';
import {
  DEFAULT_IRT_SETTINGS,
  type IrtCrossValidation,
  irtTrainingPrompts,
  sourcePairApgr,
  trainIrt,
} from '../../src/training/train-irt.ts';
import { fakeEmbedder } from '../core/fake-embedder.ts';
import { syntheticTrainingData } from './synthetic-data.ts';

/**
 * The synthetic data plus a many-model source whose best model ('big', also in the battles) gains on the long
 * questions over 'small' (also in the battles) and 'tiny' (only here), so one of its pairs is known elsewhere.
 */
function withManyModelSource(data: TrainingData): TrainingData {
  const prompts = [...data.prompts];
  const correctness = [...data.correctness];
  for (let i = 0; i < 80; i++) {
    const long = i % 2 === 0;
    correctness.push({
      prompt: prompts.length,
      correctness: new Map([
        ['big', 1],
        ['small', long ? 0 : 1],
        ['tiny', long || i % 8 === 1 ? 0 : 1],
      ]),
    });
    prompts.push({
      text: `${long ? 'a long professional question with several clauses to read '.repeat(3) : 'brief one'} pro ${i}`,
      source: 'mmlu-pro',
      family: 'mmlu',
      embedding: Float32Array.of(0.99, 0, 0.14),
    });
  }
  return { ...data, prompts, correctness };
}

describe('trainIrt', () => {
  const data = withManyModelSource(syntheticTrainingData(200));
  const settings = { ...DEFAULT_IRT_SETTINGS, epochs: 150, skills: 2, learningRate: 0.05 };
  const trained = trainIrt(data, 0, settings);

  it('knows every model of every source, and the deployment pair', () => {
    const models = trained.parameters['models'] as string[];
    expect(models).toEqual(expect.arrayContaining([STRONG_MODEL, WEAK_MODEL, 'other', 'big', 'small']));
    expect(trained.parameters['strong']).toBe(STRONG_MODEL);
    expect(trained.rows['prompts']).toBe(irtTrainingPrompts(data).length);
  });

  it('leaves the multi-model test split out of training', () => {
    expect(trained.rows['multiModelTestPromptsLeftOut']).toBeGreaterThan(0);
    expect(trained.rows['prompts']! + trained.rows['multiModelTestPromptsLeftOut']!).toBe(data.prompts.length);
  });

  it('routes the prompts on which the strong model gains above those on which it does not', async () => {
    const folder = packTensors(trained.tensors);
    const embedder = fakeEmbedder({ long: [1, 0.05, 0], short: [1, 0.05, 0], poem: [0.05, 1, 0] }, 'fake-encoder@test');
    const router = await irtRouterDefinition.create({
      embedder,
      weights: {
        manifest: {
          router: 'irt',
          encoder: { id: 'fake-encoder@test' },
          parameters: trained.parameters,
          tensorFormat: TENSOR_FORMAT_VERSION,
          tensors: folder.entries,
        },
        files: new Map([[TENSOR_FILE, folder.bytes]]),
      },
    });
    const longText = `${'a much longer question with many words in it '.repeat(4)} #1`;
    embedder.embed = async (texts) =>
      texts.map((text) => (text === 'write a poem' ? Float32Array.of(0, 1, 0) : Float32Array.of(1, 0, 0)));
    const [long, short] = await router.score([longText, 'short question #1']);
    expect(long).toBeGreaterThan(short!);
  });

  it('records a leave-one-source-out table and a length choice per family', () => {
    const crossValidation = (trained.details['crossValidation'] ?? {}) as Record<string, Record<string, unknown>>;
    expect(Object.keys(crossValidation['leaveOneSourceOut']!)).toContain('mmlu-gold');
    expect(crossValidation['families']).toHaveProperty('mmlu');
  });

  it('holds a source out together with one of its model pairs, whose labels it drops from every other source', () => {
    const crossValidation = trained.details['crossValidation'] as IrtCrossValidation;
    const entry = crossValidation.leaveOnePairOut['mmlu-pro']!;
    expect([entry.strong, entry.weak]).toEqual(['big', 'tiny']);
    // 'tiny' has labels only in the held-out source; 'big' battles 'small' on the training prompts, under its own
    // name on the mmlu questions (AlpacaEval's chat battles know their models under AlpacaEval's names).
    const training = new Set(irtTrainingPrompts(data));
    const bigElsewhere = data.battles.filter(
      (battle) =>
        training.has(battle.prompt) &&
        [battle.modelA, battle.modelB].some(
          (model) => poolingModelName(data.prompts[battle.prompt]!.source, model) === 'big',
        ),
    ).length;
    expect(bigElsewhere).toBeGreaterThan(0);
    expect(entry.labelsElsewhere).toBe(bigElsewhere);
    // 'big' gains on the long questions and few short ones: prompt length orders the pair well (random is 0.5).
    expect(entry.length).toBeGreaterThan(0.6);
    for (const value of [entry.gain, entry.adjusted, entry.gainPairKnown]) expect(value).toBeGreaterThanOrEqual(0);
    // The deployment-pair-only source has no pair without a deployment model.
    expect(crossValidation.leaveOnePairOut).not.toHaveProperty('mmlu-gold');
  });

  it('scores pair routing on a source by its own model pairs', () => {
    const prompts = data.prompts.flatMap((prompt, index) => (prompt.source === 'mmlu-gold' ? [index] : []));
    const byLength = prompts.map((prompt) => data.prompts[prompt]!.text.length);
    const result = sourcePairApgr(data, prompts, byLength)!;
    const reversed = sourcePairApgr(
      data,
      prompts,
      byLength.map((length) => -length),
    )!;
    // The deployment pair differs exactly on the long questions ('other' is a coin toss): length orders it well.
    expect(result.pairs).toBeGreaterThanOrEqual(1);
    expect(result.apgr).toBeGreaterThan(reversed.apgr + 0.2);
  });
});

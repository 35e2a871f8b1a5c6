import { describe, expect, it } from 'vitest';
import { createPrng } from '../../src/core/prng.ts';
import { sigmoid } from '../../src/core/logistic.ts';
import {
  type BattleObservation,
  type CorrectnessObservation,
  fitFamilyClassifier,
  fitItemResponseModel,
} from '../../src/training/item-response-fit.ts';

/** 300 prompts with one input u in [-1, 1] and a constant; difficulty = 2u; three models of ability 2, 0, -2. */
function synthetic() {
  const next = createPrng(5);
  const prompts = 300;
  const inputs = new Float32Array(prompts * 2);
  const abilities = [2, 0, -2];
  const correctness: CorrectnessObservation[] = [];
  const battles: BattleObservation[] = [];
  for (let p = 0; p < prompts; p++) {
    const u = 2 * next() - 1;
    inputs[2 * p] = u;
    inputs[2 * p + 1] = 1;
    abilities.forEach((ability, model) => {
      const value = next() < sigmoid(ability - 2 * u) ? 1 : 0;
      correctness.push({ prompt: p, model, value, weight: 1 });
    });
    const [a, b] = next() < 0.5 ? [0, 2] : [2, 1];
    battles.push({
      prompt: p,
      modelA: a,
      modelB: b,
      winRateA: next() < sigmoid(abilities[a]! - abilities[b]!) ? 1 : 0,
      judge: 0,
      lengthLogRatio: 0,
      weight: 1,
    });
  }
  return { inputs, correctness, battles };
}

const settings = {
  skills: 1,
  promptPenalty: 1e-4,
  modelPenalty: 1e-4,
  epochs: 400,
  learningRate: 0.05,
  seed: 1,
};

/** Logit of model m on an input u under a fit (skill 1 reads the prompt's demand). */
function logitOf(fit: ReturnType<typeof fitItemResponseModel>, m: number, u: number): number {
  const difficulty = fit.promptWeights[0]! * u + fit.promptWeights[1]!;
  const demand = fit.promptWeights[2]! * u + fit.promptWeights[3]!;
  return fit.modelWeights[2 * m]! + fit.modelWeights[2 * m + 1]! * demand - difficulty;
}

describe('fitItemResponseModel', () => {
  it('recovers the models order and that a larger input is a harder prompt from correctness', () => {
    const { inputs, correctness } = synthetic();
    const fit = fitItemResponseModel(
      { inputs, inputCount: 2, modelCount: 3, judgeCount: 0, correctness, battles: [] },
      settings,
    );
    for (const u of [-0.5, 0, 0.5]) {
      expect(logitOf(fit, 0, u)).toBeGreaterThan(logitOf(fit, 1, u));
      expect(logitOf(fit, 1, u)).toBeGreaterThan(logitOf(fit, 2, u));
    }
    expect(logitOf(fit, 1, 0.8)).toBeLessThan(logitOf(fit, 1, -0.8) - 1);
    expect(fit.loss).toBeLessThan(0.6);
  });

  it('learns the models order from battles alone', () => {
    const { inputs, battles } = synthetic();
    const fit = fitItemResponseModel(
      { inputs, inputCount: 2, modelCount: 3, judgeCount: 1, correctness: [], battles },
      settings,
    );
    expect(logitOf(fit, 0, 0)).toBeGreaterThan(logitOf(fit, 1, 0));
    expect(logitOf(fit, 1, 0)).toBeGreaterThan(logitOf(fit, 2, 0));
    expect(fit.judgeScale[0]).toBeGreaterThan(0);
  });

  it('is reproducible for a seed', () => {
    const { inputs, correctness } = synthetic();
    const problem = { inputs, inputCount: 2, modelCount: 3, judgeCount: 0, correctness, battles: [] };
    const quick = { ...settings, epochs: 20 };
    expect(fitItemResponseModel(problem, quick).modelWeights).toEqual(
      fitItemResponseModel(problem, quick).modelWeights,
    );
  });
});

describe('fitFamilyClassifier', () => {
  it('separates two families by their input', () => {
    const inputs = Float32Array.of(1, 1, 0.8, 1, -1, 1, -0.9, 1);
    const weights = fitFamilyClassifier(inputs, 2, Int32Array.of(0, 0, 1, 1), 2, { epochs: 200 });
    const first = (u: number) => weights[0]! * u + weights[1]! - (weights[2]! * u + weights[3]!);
    expect(first(1)).toBeGreaterThan(0);
    expect(first(-1)).toBeLessThan(0);
  });
});

import { describe, expect, it } from 'vitest';
import { sigmoid } from '../../src/core/logistic.ts';
import { placeByLabels, placeByScores, referenceAccuracy } from '../../src/core/model-placement.ts';

// Rows [ability, skill]; prompt traits [difficulty, demand].
const modelWeights = Float32Array.of(2, 1, 0, 1, -2, 1);
const width = 2;
const traits = Float32Array.from({ length: 40 }, (_, index) => (index % 2 === 0 ? (index / 2 - 10) / 5 : 0.5));
const references = { names: ['exam'], traits: [traits] };

describe('placing a model the router never trained on', () => {
  it('reads a mean accuracy off a reference set', () => {
    const row = Float64Array.of(0, 0);
    const expected = Array.from({ length: 20 }, (_, p) => sigmoid(-((p - 10) / 5))).reduce((a, b) => a + b) / 20;
    expect(referenceAccuracy(row, traits, width)).toBeCloseTo(expected, 6);
  });

  it('solves the ability whose predicted accuracy matches a published score', () => {
    const target = referenceAccuracy(Float64Array.of(1, 1), traits, width);
    const row = placeByScores(modelWeights, width, references, { exam: target });
    expect(referenceAccuracy(row, traits, width)).toBeCloseTo(target, 4);
    // Every known model has skill 1, so the placed one does too, and its ability is then 1.
    expect(row[1]).toBeCloseTo(1, 6);
    expect(row[0]).toBeCloseTo(1, 3);
  });

  it('refuses unknown reference sets and impossible scores', () => {
    expect(() => placeByScores(modelWeights, width, references, { arena: 0.5 })).toThrow(
      /No reference set 'arena'.*exam/,
    );
    expect(() => placeByScores(modelWeights, width, references, { exam: 1.5 })).toThrow(/\[0, 1\]/);
    expect(() => placeByScores(modelWeights, width, references, {})).toThrow(/at least one score/);
  });

  it('fits a row to labelled prompts: right on the easy ones, wrong on the hard ones', () => {
    const labels = Array.from({ length: 60 }, (_, index) => {
      const difficulty = (index - 30) / 10;
      return { traits: Float64Array.of(difficulty, 0.5), quality: difficulty < 0.5 ? 1 : 0 };
    });
    const row = placeByLabels(modelWeights, width, labels);
    const logit = (difficulty: number) => row[0]! + row[1]! * 0.5 - difficulty;
    expect(sigmoid(logit(-2))).toBeGreaterThan(0.8);
    expect(sigmoid(logit(2.5))).toBeLessThan(0.2);
    expect(() => placeByLabels(modelWeights, width, [])).toThrow(/at least one/);
  });
});

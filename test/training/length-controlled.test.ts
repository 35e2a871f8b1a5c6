import { describe, expect, it } from 'vitest';
import type { JudgedBattle } from '../../src/node/alpaca-eval.ts';
import { fitLengthControlled, lengthControlledWinRates } from '../../src/training/length-controlled.ts';
import { sigmoid } from '../../src/core/logistic.ts';
import { createPrng } from '../../src/core/prng.ts';

/** Battles simulated from known strengths and per-annotator length biases; instruction 1 separates models twice as much. */
function simulate(): JudgedBattle[] {
  const strength: Record<string, number> = { base: 0, good: 1, poor: -1 };
  const bias: Record<string, number> = { verbose: 1, fair: 0 };
  const next = createPrng(5);
  const battles: JudgedBattle[] = [];
  for (let i = 0; i < 12000; i++) {
    const instructionId = i % 2;
    const model = next() < 0.5 ? 'good' : 'poor';
    const annotator = next() < 0.5 ? 'verbose' : 'fair';
    const modelChars = Math.round(100 * Math.exp(next() * 2 - 1));
    const discrimination = instructionId === 1 ? 2 : 1;
    const logOdds =
      discrimination * (strength[model]! - strength['base']!) + bias[annotator]! * Math.log(modelChars / 100);
    battles.push({
      instructionId,
      baseline: 'base',
      model,
      annotator,
      modelWinRate: next() < sigmoid(logOdds) ? 1 : 0,
      baselineChars: 100,
      modelChars,
    });
  }
  return battles;
}

describe('length-controlled labels', () => {
  const battles = simulate();

  it("separates model strength from each annotator's taste for length", () => {
    const fit = fitLengthControlled(battles);
    expect(fit.lengthBias.get('verbose')).toBeCloseTo(1, 0);
    expect(Math.abs(fit.lengthBias.get('fair')!)).toBeLessThan(0.15);
    expect(fit.strength.get('good')! - fit.strength.get('poor')!).toBeGreaterThan(1.5);
  });

  it('gives the more discriminating instruction the larger strong-vs-weak win rate', () => {
    const { winRates } = lengthControlledWinRates(battles, { strong: 'good', weak: 'poor' });
    expect(winRates.get(1)!).toBeGreaterThan(winRates.get(0)!);
    expect(winRates.get(0)!).toBeGreaterThan(0.5);
  });

  it('refuses a pair model without battles', () => {
    expect(() => lengthControlledWinRates(battles, { strong: 'gpt-9', weak: 'poor' })).toThrow(
      /'gpt-9' has no battles/,
    );
  });
});

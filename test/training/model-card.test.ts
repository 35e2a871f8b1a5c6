import { describe, expect, it } from 'vitest';
import { modelCard, weightsLicence } from '../../src/training/model-card.ts';

describe('weightsLicence', () => {
  it('is CC BY-NC only when AlpacaEval data was used', () => {
    expect(weightsLicence(['alpaca-eval', 'mmlu-gold'], [], undefined).license).toMatch(/^CC BY-NC 4\.0/);
    expect(weightsLicence(['alpaca-eval'], ['mine.csv'], 'MIT').license).toMatch(/^CC BY-NC 4\.0/);
    expect(weightsLicence(['mmlu-gold', 'golden'], [], undefined).license).toMatch(/^MIT \/ Apache-2\.0/);
    expect(weightsLicence(['mmlu-gold', 'golden'], [], undefined).note).not.toContain('BY-NC');
  });

  it('carries the licence the user declares for their files, and says when none was', () => {
    const declared = weightsLicence([], ['mine.csv'], 'CC-BY-4.0', 'A note about the built model.');
    expect(declared.license).toBe('CC-BY-4.0: the licence declared for mine.csv (see LICENSE.md)');
    expect(declared.dataLicences).toEqual({ 'mine.csv': 'CC-BY-4.0' });
    expect(declared.note).toContain('- mine.csv: CC-BY-4.0');
    expect(declared.note).toContain('A note about the built model.');
    const undeclared = weightsLicence(['gsm8k-train'], ['mine.csv'], undefined);
    expect(undeclared.license).toBe(
      'not declared (pass --license when training): the licence declared for mine.csv; other data MIT / Apache-2.0 (see LICENSE.md)',
    );
    expect(undeclared.dataLicences).toEqual({
      'gsm8k-train': 'MIT (GSM8K)',
      'mine.csv': 'not declared (pass --license when training)',
    });
  });
});

describe('modelCard', () => {
  const manifest = {
    router: 'mf',
    pair: { strong: 'big', weak: 'small' },
    seed: 3,
    trainingSeconds: 1.5,
    encoder: { id: 'enc@1' },
    parameters: { models: ['big', 'small', 'tiny'] },
    license: 'MIT / Apache-2.0, the licences of the training data (see LICENSE.md)',
    dataLicenses: { 'mmlu-gold': 'MIT (MMLU)' },
    data: {
      sources: ['mmlu-gold'],
      rows: { prompts: 1432 },
      report: {
        read: { 'mmlu-gold': 1500 },
        kept: { 'mmlu-gold': 1432, battles: 0 },
        removed: { 'empty prompts': 0 },
        decontaminated: { byBenchmark: { mmlu: 68 }, checked: true },
      },
    },
    benchmarks: {
      mmlu: { APGR: 0.62, bootstrap: { low: 0.6, high: 0.64 }, randomAPGR: 0.5 },
      'mmlu-heldout': { APGR: 0.59, randomAPGR: 0.5 },
    },
  };

  it('says what data, models, seed and results the router has, and what it is for', () => {
    const card = modelCard(manifest);
    expect(card).toMatch(/^# `mf` router\n/);
    expect(card).toContain('| mmlu-gold | 1,500 |');
    expect(card).toContain('| mmlu-gold | 1,432 |');
    expect(card).not.toContain('| battles |');
    expect(card).toContain('- Removed as (near-)copies of benchmark prompts: mmlu 68.');
    expect(card).toContain('- Model set (3): big, small, tiny.');
    expect(card).toContain('- Seed: 3 (the same seed gives byte-identical weights).');
    expect(card).toContain("has not been checked on the user's prompts");
    expect(card).toContain('judge MMLU\nby `mmlu-heldout`');
    expect(card).toContain('| mmlu | 0.620 | 0.600-0.640 | 0.500 |');
    expect(card).toContain('## Intended use');
    expect(card.trimEnd().endsWith(manifest.license)).toBe(true);
    expect(card).not.toContain('Held out of training');
  });

  it("prints the held-out tables of a router's cross-validation", () => {
    const card = modelCard({
      ...manifest,
      training: {
        crossValidation: {
          leaveOneSourceOut: { 'mmlu-pro': { prompts: 4195, pairs: 3, gain: 0.507, length: 0.462, adjusted: 0.4637 } },
          leaveOnePairOut: {
            'mmlu-pro': {
              strong: 'big',
              weak: 'tiny',
              labelsElsewhere: 812,
              length: 0.45,
              gain: 0.51,
              adjusted: 0.47,
              gainPairKnown: 0.52,
            },
          },
        },
      },
    });
    expect(card).toContain('| mmlu-pro | 4195 | 3 | 0.507 | 0.464 | 0.462 |');
    expect(card).toContain('| mmlu-pro | big vs tiny | 812 | 0.510 | 0.470 | 0.450 | 0.520 |');
  });
});

import { describe, expect, it } from 'vitest';
import { TOKEN_CLASSES, promptStatistics, tokenClassTable } from '../../../../src/node/onnx/classifier/features.ts';
import {
  type ClassifierHead,
  decodeHead,
  encodeHead,
  headLogOdds,
  validateHead,
} from '../../../../src/node/onnx/classifier/head.ts';
import { type HeadExample, crossValidateHead, trainHead } from '../../../../src/training/classifier/train-head.ts';
import { createPrng } from '../../../../src/core/prng.ts';

const CLASSES = TOKEN_CLASSES.map((entry) => entry.name);

/**
 * Toy examples a head can learn: two kinds of prompt (embeddings on either side of the first axis, as task families
 * sit apart in embedding space); the strong model wins on one kind, and on longer prompts (the first statistic).
 */
function toyExamples(count: number, seed: number): HeadExample[] {
  const next = createPrng(seed);
  return Array.from({ length: count }, () => {
    const kind = next() < 0.5 ? -1 : 1;
    const embedding = Float32Array.from({ length: 512 }, (_, index) => (index === 0 ? kind : 0.1 * (next() - 0.5)));
    const norm = Math.hypot(...embedding);
    embedding.forEach((value, index) => (embedding[index] = value / norm));
    const statistics = Float64Array.from({ length: 1 + CLASSES.length }, () => 3 * next());
    const logOdds = 2 * kind + 2 * (statistics[0]! - 1.5);
    return { embedding, statistics, target: 1 / (1 + Math.exp(-logOdds)), weight: 1 + next() };
  });
}

describe('prompt statistics', () => {
  it('counts token classes through the lookup table: ln(1 + tokens), ln(1 + count) per class', () => {
    const pieces = ['�', '▁the', '▁12', '=', '{', '3'];
    const table = tokenClassTable(pieces, TOKEN_CLASSES);
    expect(Array.from(table)).toEqual([
      0, 0, 0, 1, /**/ 0, 0, 0, 0, /**/ 1, 0, 0, 0, /**/ 0, 1, 0, 0, /**/ 0, 0, 1, 0, /**/ 1, 0, 0, 0,
    ]);
    const statistics = promptStatistics([1, 2, 5, 3, 0, 4], table, TOKEN_CLASSES.length);
    expect(Array.from(statistics)).toEqual([Math.log(7), Math.log(3), Math.log(2), Math.log(2), Math.log(2)]);
  });
});

describe('the head format', () => {
  it('round-trips through head.bin and the manifest fields, and computes the same log-odds', () => {
    const head = trainHead(toyExamples(64, 1), CLASSES, { hidden: 4, l2: 1e-3, epochs: 2 }, { seed: 1, members: 2 });
    const { fields, files } = encodeHead(head);
    const decoded = decodeHead({ manifest: fields, files });
    expect(decoded).toEqual(head);
    const [example] = toyExamples(1, 2);
    expect(headLogOdds(decoded, example!.embedding, example!.statistics)).toBe(
      headLogOdds(head, example!.embedding, example!.statistics),
    );
  });

  it('rejects heads whose layers do not chain to one output, and weight files of the wrong size', () => {
    const head = trainHead(toyExamples(16, 1), CLASSES, { hidden: 2, l2: 1e-3, epochs: 1 }, { seed: 1, members: 1 });
    const broken: ClassifierHead = { ...head, layers: [head.layers[0]!] };
    expect(() => validateHead(broken)).toThrow('head: the last layer must have one output (the log-odds)');
    expect(() => validateHead({ ...head, tokenClasses: ['emoji'] })).toThrow(/unknown token class 'emoji'/);
    const { fields, files } = encodeHead(head);
    const short = new Map([['head.bin', files.get('head.bin')!.slice(4)]]);
    expect(() => decodeHead({ manifest: fields, files: short })).toThrow('head.bin is shorter than the manifest');
    expect(() => decodeHead({ manifest: { ...fields, format: 'other/1' }, files })).toThrow(
      /format must be routellm-classifier-head\/1/,
    );
  });
});

describe('training the head', () => {
  it('learns the toy rule, and is the same for the same seed', () => {
    const examples = toyExamples(600, 3);
    const settings = { seed: 7, members: 2 };
    const head = trainHead(examples, CLASSES, { hidden: 8, l2: 1e-4, epochs: 30 }, settings);
    expect(trainHead(examples, CLASSES, { hidden: 8, l2: 1e-4, epochs: 30 }, settings)).toEqual(head);
    const held = toyExamples(200, 4);
    const agree = held.filter(
      (example) => headLogOdds(head, example.embedding, example.statistics) > 0 === example.target > 0.5,
    ).length;
    expect(agree / held.length).toBeGreaterThan(0.9);
  });

  it('exports an ensemble as one network whose log-odds are the mean of its members', () => {
    const examples = toyExamples(100, 5);
    const hyper = { hidden: 3, l2: 1e-3, epochs: 3 };
    const ensemble = trainHead(examples, CLASSES, hyper, { seed: 10, members: 2 });
    const first = trainHead(examples, CLASSES, hyper, { seed: 10, members: 1 });
    const second = trainHead(examples, CLASSES, hyper, { seed: 11, members: 1 });
    expect(ensemble.layers[0]!.outputs).toBe(6);
    for (const example of toyExamples(5, 6)) {
      const mean =
        (headLogOdds(first, example.embedding, example.statistics) +
          headLogOdds(second, example.embedding, example.statistics)) /
        2;
      expect(headLogOdds(ensemble, example.embedding, example.statistics)).toBeCloseTo(mean, 5);
    }
  });

  it('picks the candidate with the lowest cross-validated log loss', () => {
    const examples = toyExamples(300, 8);
    // A penalty this large pins every weight near zero, so it cannot be the best fit of a learnable rule.
    const result = crossValidateHead(examples, { hidden: [8], l2: [1e-4, 10], epochs: [5, 20] }, { seed: 2, folds: 3 });
    expect(result.candidates).toHaveLength(4);
    const best = Math.min(...result.candidates.map((candidate) => candidate.validationLogLoss));
    expect(result.candidates.find((candidate) => candidate.validationLogLoss === best)).toMatchObject(result.chosen);
    expect(result.chosen.l2).toBe(1e-4);
  });
});

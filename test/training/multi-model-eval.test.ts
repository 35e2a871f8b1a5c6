import { describe, expect, it } from 'vitest';
import { isMultiModelTestPrompt } from '../../src/training/many-models.ts';
import { loadModelPrices } from '../../src/training/model-prices.ts';
import {
  type MultiModelDataset,
  loadMultiModelDataset,
  pairBenchmarks,
} from '../../src/training/multi-model-datasets.ts';
import {
  formatMultiModelSummary,
  multiModelSummaryEntry,
  priorPredictorFactory,
  runMultiModelEval,
} from '../../src/training/multi-model-eval.ts';
import { jsonl, sharedFixture } from './shared-fixture.ts';

const prices = {
  asOf: '2026-07-24',
  aliases: { 'big-alias': 'big' },
  prices: {
    big: { input: 10, output: 30 },
    mid: { input: 1, output: 2 },
    'Meta-Llama-3_1-8B-Instruct': { input: 0.2, output: 0.2 },
  },
};

/** The first questions `question N` whose MMLU-Pro prompt (with its two options) falls in the test split, and in the training split. */
function promptsBySplit(count: number): { test: string[]; train: string[] } {
  const test: string[] = [];
  const train: string[] = [];
  for (let index = 0; test.length < count || train.length < count; index++) {
    const prompt = `question ${index}`;
    if (isMultiModelTestPrompt(`${prompt}\nA. yes\nB. no`)) {
      if (test.length < count) test.push(prompt);
    } else if (train.length < count) train.push(prompt);
  }
  return { test, train };
}

describe('price table', () => {
  it('finds a price by spelling, alias or canonical name', async () => {
    const root = await sharedFixture({ 'data/prices/model-prices.json': JSON.stringify(prices) });
    const table = await loadModelPrices(root);
    expect(table.asOf).toBe('2026-07-24');
    expect(table.priceOf('big-alias', 'x/big-alias')).toMatchObject({ key: 'big', inputPrice: 10, outputPrice: 30 });
    // The golden folders spell it Meta-Llama-3.1-8B-Instruct: one canonical name with MMLU-Pro's spelling.
    expect(table.priceOf('Meta-Llama-3.1-8B-Instruct', 'Meta-Llama-3.1-8B-Instruct')).toMatchObject({
      inputPrice: 0.2,
    });
    expect(table.priceOf('unknown', 'x/unknown')).toBeUndefined();
  });
});

describe('multi-model datasets', () => {
  it('keeps the test split, priced models with labels, and the training split means', async () => {
    const { test, train } = promptsBySplit(3);
    // 'cheap' has no price; 'mid' misses one test prompt (under 95%: left out).
    const row = (question: string, correct: Record<string, number>) => ({
      question,
      options: ['yes', 'no'],
      category: 'math',
      correct,
    });
    const rows = [
      ...test.map((question, index) =>
        row(question, {
          'big-alias': 1,
          cheap: 0,
          'Meta-Llama-3_1-8B-Instruct': index === 0 ? 1 : 0,
          ...(index > 0 ? { mid: 1 } : {}),
        }),
      ),
      ...train.map((question, index) =>
        row(question, { 'big-alias': index === 0 ? 0 : 1, cheap: 1, mid: 1, 'Meta-Llama-3_1-8B-Instruct': 0 }),
      ),
    ];
    const root = await sharedFixture({
      'data/prices/model-prices.json': JSON.stringify(prices),
      'data/many-models/mmlu-pro.jsonl': jsonl(rows),
    });
    const dataset = await loadMultiModelDataset('mmlu-pro', root, await loadModelPrices(root));
    expect(dataset.models.map((model) => model.name)).toEqual(['mmlu-pro/big-alias', 'Meta-Llama-3.1-8B-Instruct']);
    expect(dataset.unpriced).toEqual(['mmlu-pro/cheap']);
    expect(dataset.sparse).toEqual(['mmlu-pro/mid']);
    expect(dataset.prompts).toEqual(test.map((question) => `${question}\nA. yes\nB. no`));
    expect(dataset.labels.map((labels) => [...labels])).toEqual([
      [1, 1],
      [1, 0],
      [1, 0],
    ]);
    expect(dataset.trainPromptCount).toBe(3);
    expect(dataset.trainMeans.get('mmlu-pro/big-alias')).toBeCloseTo(2 / 3, 12);
    expect(dataset.trainMeans.get('Meta-Llama-3.1-8B-Instruct')).toBe(0);
    // Published: the mean over all six prompts.
    expect(dataset.publishedScores.get('mmlu-pro/big-alias')).toBeCloseTo(5 / 6, 12);
    expect(dataset.publishedScores.get('Meta-Llama-3.1-8B-Instruct')).toBeCloseTo(1 / 6, 12);
  });
});

describe('multi-model evaluation', () => {
  // Four 8-character prompts (2 tokens each), three models; answer lengths set so costs are round numbers.
  const dataset: MultiModelDataset = {
    name: 'mmlu-pro',
    title: 'test',
    keptAs: 'mmlu-pro',
    qualityUnit: '% correct',
    models: [
      { name: 'A', inputPrice: 0, outputPrice: 100, answerTokens: 100 }, // $0.01 per request
      { name: 'B', inputPrice: 0, outputPrice: 20, answerTokens: 100 }, // $0.002
      { name: 'C', inputPrice: 0, outputPrice: 5, answerTokens: 100 }, // $0.0005
    ],
    prompts: ['prompt 1', 'prompt 2', 'prompt 3', 'prompt 4'],
    labels: [
      [1, 1, 1],
      [1, 1, 0],
      [1, 0, 0],
      [1, 1, 0],
    ].map((row) => Float64Array.from(row)),
    trainMeans: new Map([
      ['A', 0.9],
      ['B', 0.7],
      ['C', 0.3],
    ]),
    publishedScores: new Map([
      ['A', 0.95],
      ['B', 0.72],
      ['C', 0.28],
    ]),
    trainPromptCount: 10,
    unpriced: [],
    sparse: [],
    droppedPrompts: 0,
  };

  it('routes on the prior: single models, oracle, no saving', async () => {
    const report = await runMultiModelEval(dataset, priorPredictorFactory);
    const evaluation = report.run.evaluation;
    expect(report.run.predictor).toBe('prior');
    expect(evaluation.bestModel).toMatchObject({ model: 'A', quality: 1 });
    expect(evaluation.bestModel.costPer1000Usd).toBeCloseTo(10, 9);
    expect(evaluation.oracle.costPer1000Usd).toBeCloseTo(3.625, 9);
    expect(evaluation.savedAtBestQuality).toBeCloseTo(0, 9);
    const entry = multiModelSummaryEntry(report);
    expect(entry).toMatchObject({ dataset: 'mmlu-pro', testPrompts: 4, trainPrompts: 10 });
    expect(formatMultiModelSummary([report])).toMatch(/^mmlu-pro\s+3\s+4\s+A 1\.000\s+0\.0%/m);
  });

  it('holds a model out and maps it in by its published score', async () => {
    const report = await runMultiModelEval(dataset, priorPredictorFactory, 'B');
    // Without B's training mean, B is predicted at its published 0.72: the prior's choices do not change.
    expect(report.heldOut?.model).toBe('B');
    expect(report.heldOut?.models).toEqual(['A', 'B', 'C']);
    expect(report.heldOut?.evaluation.aiq).toBeCloseTo(report.run.evaluation.aiq, 9);
    await expect(runMultiModelEval(dataset, priorPredictorFactory, 'Z')).rejects.toThrow(
      /not among mmlu-pro's routed models/,
    );
  });

  it('makes two-model benchmarks of the best model against models further down, in the quality unit', () => {
    // Three models: the weak ranks a quarter and half way down are both B (rank 1), three quarters down is C.
    const pairs = pairBenchmarks(dataset);
    expect(pairs.map(({ name, strongModel, weakModel }) => [name, strongModel, weakModel])).toEqual([
      ['mmlu-pro-p50', 'A', 'B'],
      ['mmlu-pro-p100', 'A', 'C'],
    ]);
    expect(pairs[1]!.items.map((item) => [item.strongQuality, item.weakQuality])).toEqual([
      [100, 100],
      [100, 0],
      [100, 0],
      [100, 0],
    ]);
    // A pair whose strong model does not lead by MIN_PAIR_GAP is not scored.
    const close = pairBenchmarks({ ...dataset, publishedScores: new Map([...dataset.publishedScores, ['B', 0.93]]) });
    expect(close.map((pair) => pair.name)).toEqual(['mmlu-pro-p100']);
  });
});

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKEN_CLASSES, promptStatistics, tokenClassTable } from '../../src/node/onnx/classifier/features.ts';
import { type ClassifierHead, encodeHead, headLogOdds } from '../../src/node/onnx/classifier/head.ts';
import { writeRouterFolder } from '../../src/node/router-weights.ts';
import { buildClassifierModel } from '../../src/node/onnx/classifier/build-classifier-model.ts';
import { createClassifierRouter } from '../../src/core/classifier-router.ts';
import { createPrng } from '../../src/core/prng.ts';
import { createEncoder } from '../../src/encoder/index.ts';
import { createTextClassifier } from '../../src/encoder/text-classifier.ts';
import { PROJECT_ROOT, ensureUseLiteBuilt } from './use-lite-fixture.ts';

/** A seeded random head: 512 + 5 inputs, 8 ReLU units, one log-odds output; big enough to spread scores. */
function randomHead(seed: number): ClassifierHead {
  const next = createPrng(seed);
  const uniform = (count: number, scale: number) =>
    Float32Array.from({ length: count }, () => (2 * next() - 1) * scale);
  const statistics = 1 + TOKEN_CLASSES.length;
  const inputs = 512 + statistics;
  return {
    tokenClasses: TOKEN_CLASSES.map((entry) => entry.name),
    statisticMean: uniform(statistics, 1),
    statisticScale: Float32Array.from({ length: statistics }, () => 0.5 + next()),
    layers: [
      { inputs, outputs: 8, weight: uniform(inputs * 8, 0.3), bias: uniform(8, 0.1) },
      { inputs: 8, outputs: 1, weight: uniform(8, 1), bias: uniform(1, 0.1) },
    ],
  };
}

const TEXTS = [
  'How do I reverse a linked list in Python?',
  'Solve for x: 3x + 7 = 22, then compute x^2 - 4.',
  'def f(a):\n    return {k: v for k, v in a.items() if v[0] == "x"}',
  // Well past one 128-token window, with digits and characters outside the vocabulary (newlines, CJK).
  `${'The quarterly report lists 14 regions, 3 product lines and 27 distributors. '.repeat(14)}\n東京 ${'Summarise it in 5 bullet points. '.repeat(3)}`,
];

let root: string;
let modelDir: string;
const head = randomHead(3);

beforeAll(async () => {
  ensureUseLiteBuilt();
  root = mkdtempSync(join(tmpdir(), 'routellm-classifier-'));
  const { fields, files } = encodeHead(head);
  await writeRouterFolder(join(root, 'head'), { router: 'classifier', ...fields }, files);
  modelDir = join(root, 'routellm-classifier');
  const result = await buildClassifierModel({ headDir: join(root, 'head'), outDir: modelDir });
  expect(result.built).toBe(true);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** What the graph must compute: sigmoid(head(chunk-pooled USE-lite embedding, statistics of the token ids)). */
async function expectedStrongWinRates(dtype: 'fp32' | 'q8'): Promise<number[]> {
  const encoder = await createEncoder({ dtype, overflow: 'chunk' });
  env.localModelPath = join(PROJECT_ROOT, 'public/models/');
  const tokenizer = await AutoTokenizer.from_pretrained('universal-sentence-encoder-lite', { local_files_only: true });
  try {
    const vocabulary = (
      JSON.parse(
        readFileSync(join(PROJECT_ROOT, 'public/models/universal-sentence-encoder-lite/tokenizer.json'), 'utf8'),
      ) as { model: { vocab: [string, number][] } }
    ).model.vocab.map(([piece]) => piece);
    const table = tokenClassTable(vocabulary, TOKEN_CLASSES);
    const embeddings = await encoder.embed(TEXTS);
    return TEXTS.map((text, index) => {
      const statistics = promptStatistics(tokenizer.encode(text), table, TOKEN_CLASSES.length);
      return 1 / (1 + Math.exp(-headLogOdds(head, embeddings[index]!, statistics)));
    });
  } finally {
    await encoder.dispose();
  }
}

describe('the classifier model (USE-lite + head in one ONNX graph)', () => {
  it.each(['fp32', 'q8'] as const)(
    'runs as a text-classification pipeline and reproduces head(encoder) in %s',
    async (dtype) => {
      const classifier = await createTextClassifier({ model: modelDir, dtype });
      try {
        expect(classifier.labels).toEqual(['weak', 'strong']);
        expect(classifier.id).toMatch(new RegExp(`^routellm-classifier@${dtype}-[0-9a-f]{8}$`));
        const probabilities = await classifier.classify(TEXTS);
        const expected = await expectedStrongWinRates(dtype);
        probabilities.forEach((row, index) => {
          expect(row[0]! + row[1]!).toBeCloseTo(1, 6);
          expect(row[1]).toBeCloseTo(expected[index]!, 4);
        });
        expect(new Set(probabilities.map((row) => row[1]!.toFixed(3))).size).toBe(TEXTS.length);
      } finally {
        await classifier.dispose();
      }
    },
  );

  it('gives each prompt the same result alone or in a padded batch', async () => {
    const alone = await createTextClassifier({ model: modelDir });
    const batched = await createTextClassifier({ model: modelDir, batchSize: 4 });
    try {
      const [one, many] = [await alone.classify(TEXTS), await batched.classify(TEXTS)];
      many.forEach((row, index) => expect(row[1]).toBeCloseTo(one[index]![1]!, 5));
    } finally {
      await Promise.all([alone.dispose(), batched.dispose()]);
    }
  });

  it('is the classifier router: score = P(strong)', async () => {
    const classifier = await createTextClassifier({ model: modelDir });
    try {
      const router = createClassifierRouter(classifier);
      const scores = await router.score(TEXTS.slice(0, 2));
      const probabilities = await classifier.classify(TEXTS.slice(0, 2));
      expect(scores).toEqual(probabilities.map((row) => row[1]));
    } finally {
      await classifier.dispose();
    }
  });

  it('is not rebuilt while the head and the converter are unchanged', async () => {
    expect((await buildClassifierModel({ headDir: join(root, 'head'), outDir: modelDir })).built).toBe(false);
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateRouter } from '../../src/core/evaluate.ts';
import { defaultRegistry } from '../../src/core/routers.ts';
import { BenchmarkLoader } from '../../src/node/benchmarks.ts';
import { resolveSharedDir, ROUTELLM_EVALS_SUBDIR } from '../../src/node/paths.ts';

interface GoldenBenchmark {
  weak: number;
  strong: number;
  AUC: number;
  APGR: number;
  'CPT(20%)': number;
  'CPT(50%)': number;
  'CPT(80%)': number;
  n?: number;
  n_questions?: number;
  curve: { threshold: number; strong_percentage: number; accuracy: number }[];
}

const sharedDir = resolveSharedDir(undefined);
const golden = JSON.parse(
  readFileSync(path.join(sharedDir, ROUTELLM_EVALS_SUBDIR, 'golden-length-router.json'), 'utf8'),
) as Record<'mt-bench' | 'mmlu' | 'gsm8k', GoldenBenchmark>;
const loader = new BenchmarkLoader(sharedDir);
const TOLERANCE = 1e-6;

describe('golden test: the length router reproduces golden-length-router.json to 1e-6', () => {
  for (const name of ['mt-bench', 'mmlu', 'gsm8k'] as const) {
    it(name, async () => {
      const expected = golden[name];
      const evaluation = await evaluateRouter(defaultRegistry.get('length'), await loader.load(name));
      const close = (actual: number, wanted: number, what: string) =>
        expect(Math.abs(actual - wanted), `${name} ${what}: ${actual} vs ${wanted}`).toBeLessThanOrEqual(TOLERANCE);

      expect(evaluation.n).toBe(expected.n ?? expected.n_questions);
      close(evaluation.weak, expected.weak, 'weak');
      close(evaluation.strong, expected.strong, 'strong');
      close(evaluation.auc, expected.AUC, 'AUC');
      close(evaluation.apgr, expected.APGR, 'APGR');
      close(evaluation.cpt[20], expected['CPT(20%)'], 'CPT(20%)');
      close(evaluation.cpt[50], expected['CPT(50%)'], 'CPT(50%)');
      close(evaluation.cpt[80], expected['CPT(80%)'], 'CPT(80%)');
      expect(evaluation.curve).toHaveLength(expected.curve.length);
      expected.curve.forEach((point, index) => {
        const actual = evaluation.curve[index]!;
        close(actual.threshold, point.threshold, `curve[${index}].threshold`);
        close(actual.strongPercentage, point.strong_percentage, `curve[${index}].strong_percentage`);
        close(actual.quality, point.accuracy, `curve[${index}].quality`);
      });
    });
  }
});

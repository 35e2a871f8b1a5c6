import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { InvalidInputError } from '../core/index.ts';
import { readJsonl } from '../node/index.ts';

/** Where the golden task-family folders sit inside the shared data folder (see data/golden/README.md). */
export const GOLDEN_SUBDIR = path.join('data', 'golden');

/** The kinds of task the golden folders cover. */
export type GoldenFamily = 'math' | 'code-reasoning' | 'code-generation';

/**
 * Which of a golden folder's models play the deployment pair (GPT-4 Turbo vs Mixtral-8x7B, the pair of the
 * RouteLLM benchmarks). Model names differ between sources, so the mapping is explicit, per folder:
 * - MATH has no Mixtral; GPT-3.5 Turbo is the listed model whose published MATH accuracy is closest to Mixtral's.
 * - EvalPerf has neither; Llama-3-8B-Instruct's HumanEval pass rate is closest to Mixtral's, GPT-4o is its GPT-4.
 */
export const GOLDEN_SOURCES: Readonly<Record<string, { family: GoldenFamily; strong: string; weak: string }>> = {
  'zeroeval_math-l5': { family: 'math', strong: 'gpt-4-turbo-2024-04-09', weak: 'gpt-3.5-turbo-0125' },
  zeroeval_crux: { family: 'code-reasoning', strong: 'gpt-4-turbo-2024-04-09', weak: 'Mixtral-8x7B-Instruct-v0.1' },
  cruxeval_leaderboard: { family: 'code-reasoning', strong: 'gpt-4-turbo-2024-04-09', weak: 'mixtral-8x7b' },
  evalperf: {
    family: 'code-generation',
    strong: 'gpt-4o-2024-08-06_openai_temp_1.0',
    weak: 'meta-llama--Meta-Llama-3-8B-Instruct_vllm_temp_1.0',
  },
};

/** Keys of a golden row that are not a model's correctness. */
const NON_MODEL_FIELDS = new Set(['id', 'prompt', 'task', 'gold', 'source', 'code', 'input', 'output']);

export interface GoldenRow {
  /** Folder name, e.g. 'zeroeval_crux'. */
  readonly source: string;
  readonly family: GoldenFamily;
  readonly id: string;
  readonly prompt: string;
  /** Correctness (0/1, or a pass fraction) of every model that answered, by that source's model name. */
  readonly correctness: ReadonlyMap<string, number>;
  /** The deployment pair's correctness, by the mapping in GOLDEN_SOURCES. */
  readonly strongCorrect: number;
  readonly weakCorrect: number;
}

export interface GoldenData {
  readonly rows: readonly GoldenRow[];
  /** Rows without prompt text (EvalPerf's MBPP tasks) or without both pair models' results. */
  readonly skipped: number;
}

/** Reads every golden folder named in GOLDEN_SOURCES. */
export async function loadGolden(sharedDir: string): Promise<GoldenData> {
  const dir = path.join(sharedDir, GOLDEN_SUBDIR);
  const present = new Set(await readdir(dir).catch(() => []));
  const rows: GoldenRow[] = [];
  let skipped = 0;
  for (const [source, { family, strong, weak }] of Object.entries(GOLDEN_SOURCES)) {
    if (!present.has(source)) throw new InvalidInputError(`Golden folder ${path.join(dir, source)} is missing.`);
    const file = path.join(dir, source, 'golden.jsonl');
    (await readJsonl(file)).forEach((record, index) => {
      const where = `${file}, line ${index + 1}`;
      const prompt = record['prompt'];
      const correctness = new Map<string, number>();
      for (const [key, value] of Object.entries(record)) {
        if (NON_MODEL_FIELDS.has(key) || key.endsWith('__dps_norm') || value === null) continue;
        if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
          throw new InvalidInputError(
            `${where}: model '${key}' must have a correctness in [0, 1], got ${JSON.stringify(value)}.`,
          );
        }
        correctness.set(key, value);
      }
      const strongCorrect = correctness.get(strong);
      const weakCorrect = correctness.get(weak);
      if (
        typeof prompt !== 'string' ||
        prompt.trim() === '' ||
        strongCorrect === undefined ||
        weakCorrect === undefined
      ) {
        skipped++;
        return;
      }
      rows.push({ source, family, id: String(record['id']), prompt, correctness, strongCorrect, weakCorrect });
    });
  }
  return { rows, skipped };
}

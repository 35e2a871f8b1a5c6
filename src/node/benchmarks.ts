import { readdir } from 'node:fs/promises';
import path from 'node:path';
import {
  ROUTELLM_MODEL_PAIR,
  type Benchmark,
  createCorrectnessBenchmark,
  type CorrectnessRow,
  createCustomBenchmark,
  type CustomBenchmarkFields,
  InvalidInputError,
  splitMmluGold,
  type MmluGoldSplit,
  createMtBench,
  type MtBenchJudgement,
  type MtBenchQuestion,
} from '../core/index.ts';
import { ROUTELLM_EVALS_SUBDIR } from './paths.ts';
import { readCsv, readJsonl, readRecords, requireFields, type FileRecord } from './records.ts';

/** Benchmarks `npm run eval` knows, in the order results are shown. */
export const BENCHMARK_NAMES = ['mt-bench', 'mmlu', 'mmlu-heldout', 'gsm8k', 'custom'] as const;
export type BenchmarkName = (typeof BENCHMARK_NAMES)[number];

export function isBenchmarkName(name: string): name is BenchmarkName {
  return (BENCHMARK_NAMES as readonly string[]).includes(name);
}

/** A user's benchmark file and which of its fields hold the prompt and each model's quality. */
export interface CustomBenchmarkFile {
  readonly file: string;
  readonly fields: CustomBenchmarkFields;
}

function field<T>(record: FileRecord, name: string, check: (value: unknown) => value is T, where: string): T {
  const value = record[name];
  if (!check(value)) throw new InvalidInputError(`${where}: field '${name}' is missing or has the wrong type.`);
  return value;
}
const isString = (value: unknown): value is string => typeof value === 'string';
const isNumber = (value: unknown): value is number => typeof value === 'number';
const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every(isString);

/** RouteLLM's CSVs write correctness as pandas booleans: True / False. */
function readCorrectness(record: FileRecord, column: string, where: string): boolean {
  const value = record[column];
  if (value === 'True') return true;
  if (value === 'False') return false;
  throw new InvalidInputError(`${where}: column '${column}' must be True or False, got ${JSON.stringify(value)}.`);
}

async function readContaminatedPrompts(file: string): Promise<string[]> {
  return (await readJsonl(file)).map((record, index) =>
    field(record, 'eval_prompt', isString, `${file}, line ${index + 1}`),
  );
}

/** The turns of all 80 MT-Bench questions, contaminated ones included (training must avoid every one of them). */
export async function loadMtBenchQuestions(sharedDir: string): Promise<MtBenchQuestion[]> {
  const file = path.join(sharedDir, ROUTELLM_EVALS_SUBDIR, 'mt_bench', 'question.jsonl');
  return (await readJsonl(file)).map((record, index) => {
    const where = `${file}, line ${index + 1}`;
    const category = record['category'];
    return {
      questionId: field(record, 'question_id', isNumber, where),
      turns: field(record, 'turns', isStringArray, where),
      ...(typeof category === 'string' ? { category } : {}),
    };
  });
}

async function loadMtBench(sharedDir: string): Promise<Benchmark> {
  const dir = path.join(sharedDir, ROUTELLM_EVALS_SUBDIR, 'mt_bench');
  const judgementsFile = path.join(dir, 'judgements.jsonl');
  const judgements: MtBenchJudgement[] = (await readJsonl(judgementsFile)).map((record, index) => {
    const where = `${judgementsFile}, line ${index + 1}`;
    return {
      questionId: field(record, 'question_id', isNumber, where),
      model: field(record, 'model', isString, where),
      turn: field(record, 'turn', isNumber, where),
      score: field(record, 'score', isNumber, where),
    };
  });
  return createMtBench({
    questions: await loadMtBenchQuestions(sharedDir),
    judgements,
    contaminatedPrompts: await readContaminatedPrompts(path.join(dir, 'contaminated_prompts.jsonl')),
  });
}

async function readCorrectnessRows(file: string, idPrefix: string): Promise<CorrectnessRow[]> {
  const records = await readCsv(file);
  const { weak, strong } = ROUTELLM_MODEL_PAIR;
  requireFields(records, ['prompt', weak, strong], file);
  return records.map((record, index) => {
    // Line numbers are unreliable with multi-line prompts; the row number is stable.
    const where = `${file}, row ${index + 1}`;
    return {
      id: `${idPrefix}#${index + 1}`,
      prompt: field(record, 'prompt', isString, where),
      weakCorrect: readCorrectness(record, weak, where),
      strongCorrect: readCorrectness(record, strong, where),
    };
  });
}

/** All 14,042 MMLU rows (57 domain files, in file-name order so row ids and seeded draws are stable). */
async function readMmluRows(sharedDir: string): Promise<CorrectnessRow[]> {
  const responsesDir = path.join(sharedDir, ROUTELLM_EVALS_SUBDIR, 'mmlu', 'responses');
  const files = (await readdir(responsesDir)).filter((name) => /^mmlu_.+\.csv$/.test(name)).sort();
  if (files.length === 0) throw new InvalidInputError(`No mmlu_<domain>.csv files in ${responsesDir}.`);
  const perFile = await Promise.all(
    files.map((name) => readCorrectnessRows(path.join(responsesDir, name), name.slice('mmlu_'.length, -'.csv'.length))),
  );
  return perFile.flat();
}

async function loadGsm8k(sharedDir: string): Promise<Benchmark> {
  const dir = path.join(sharedDir, ROUTELLM_EVALS_SUBDIR, 'gsm8k');
  return createCorrectnessBenchmark({
    name: 'gsm8k',
    rows: await readCorrectnessRows(path.join(dir, 'gsm8k_responses.csv'), 'gsm8k'),
    contaminatedPrompts: await readContaminatedPrompts(path.join(dir, 'contaminated_prompts.jsonl')),
  });
}

/** Reads a user's CSV or JSONL benchmark; the fields must exist (checked on the header, then on every row). */
export async function loadCustomBenchmark(source: CustomBenchmarkFile): Promise<Benchmark> {
  const records = await readRecords(source.file);
  const { prompt, weak, strong } = source.fields;
  requireFields(records, [prompt, weak, strong], source.file);
  try {
    return createCustomBenchmark({ records, fields: source.fields });
  } catch (error) {
    if (error instanceof InvalidInputError) throw new InvalidInputError(`${source.file}: ${error.message}`);
    throw error;
  }
}

/**
 * Loads benchmarks from the shared data folder, reading each file once even when several benchmarks share it
 * (mmlu, mmlu-heldout and the gold split).
 */
export class BenchmarkLoader {
  readonly #shared: string | undefined;
  readonly #custom: CustomBenchmarkFile | undefined;
  #mmluRows: Promise<CorrectnessRow[]> | undefined;
  #mmlu: Promise<Benchmark> | undefined;
  #goldSplit: Promise<MmluGoldSplit> | undefined;

  /** `sharedDir` may be left out when only the custom benchmark is loaded. */
  constructor(sharedDir: string | undefined, custom?: CustomBenchmarkFile) {
    this.#shared = sharedDir;
    this.#custom = custom;
  }

  get #sharedDir(): string {
    if (this.#shared === undefined) {
      throw new InvalidInputError('The RouteLLM benchmarks need the shared data folder (--data or ROUTELLM_DATA).');
    }
    return this.#shared;
  }

  async load(name: BenchmarkName): Promise<Benchmark> {
    switch (name) {
      case 'mt-bench':
        return loadMtBench(this.#sharedDir);
      case 'mmlu':
        return this.#loadMmlu();
      case 'mmlu-heldout':
        return (await this.mmluGoldSplit()).heldout;
      case 'gsm8k':
        return loadGsm8k(this.#sharedDir);
      case 'custom':
        if (!this.#custom) throw new InvalidInputError(`Benchmark 'custom' needs --input <file.csv|jsonl>.`);
        return loadCustomBenchmark(this.#custom);
    }
  }

  /** Decontaminated MMLU split into the gold rows routers may train on and the held-out rest. */
  mmluGoldSplit(): Promise<MmluGoldSplit> {
    this.#goldSplit ??= this.#loadMmlu().then((mmlu) => splitMmluGold(mmlu));
    return this.#goldSplit;
  }

  /**
   * Every evaluation prompt that training data must not contain, by benchmark: all turns of all 80 MT-Bench
   * questions, every MMLU prompt outside the gold split, and every GSM8K test question (contaminated rows
   * included: they are still test prompts).
   */
  async evaluationPrompts(): Promise<Map<'mt-bench' | 'mmlu' | 'gsm8k', string[]>> {
    const gold = new Set((await this.mmluGoldSplit()).gold.items.map((item) => item.prompt));
    const mmluPrompts = (await this.#readMmluRows()).map((row) => row.prompt).filter((prompt) => !gold.has(prompt));
    const gsm8kFile = path.join(this.#sharedDir, ROUTELLM_EVALS_SUBDIR, 'gsm8k', 'test.jsonl');
    const gsm8kPrompts = (await readJsonl(gsm8kFile)).map((record, index) =>
      field(record, 'question', isString, `${gsm8kFile}, line ${index + 1}`),
    );
    const mtBenchPrompts = (await loadMtBenchQuestions(this.#sharedDir)).flatMap((question) => [...question.turns]);
    return new Map([
      ['mt-bench', mtBenchPrompts],
      ['mmlu', mmluPrompts],
      ['gsm8k', gsm8kPrompts],
    ]);
  }

  #readMmluRows(): Promise<CorrectnessRow[]> {
    this.#mmluRows ??= readMmluRows(this.#sharedDir);
    return this.#mmluRows;
  }

  #loadMmlu(): Promise<Benchmark> {
    this.#mmlu ??= this.#readMmluRows().then(async (rows) =>
      createCorrectnessBenchmark({
        name: 'mmlu',
        rows,
        contaminatedPrompts: await readContaminatedPrompts(
          path.join(this.#sharedDir, ROUTELLM_EVALS_SUBDIR, 'mmlu', 'contaminated_prompts.jsonl'),
        ),
      }),
    );
    return this.#mmlu;
  }
}

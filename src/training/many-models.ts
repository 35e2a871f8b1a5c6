/**
 * Readers of `data/many-models` (see its README): labels of many models on the same prompts. MMLU-Pro correctness
 * (31 models), Chatbot Arena human battles (29 models) and open models' pass rates on GSM8K train, MATH, HumanEval,
 * GPQA, TriviaQA and more (7 or 9 models). Model names are mapped through the one alias table (model-names.ts).
 *
 * A fixed fifth of these prompts (and of the golden folders' and AlpacaEval's) is the multi-model test split, chosen
 * by a hash of the normalised prompt text: the many-model router never trains on it, and `npm run eval -- --multi`
 * evaluates on it.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { InvalidInputError } from '../core/index.ts';
import { readJsonl } from '../node/index.ts';
import { canonicalModelName } from './model-names.ts';

export const MANY_MODELS_SUBDIR = path.join('data', 'many-models');

/**
 * A two-model router is scored on many models' labels by pairs: the best model against the ones a quarter, half and
 * three quarters of the way down the ranking (the ranks, deduplicated, for `count` ranked models).
 */
export function pairWeakRanks(count: number): number[] {
  return [...new Set([0.25, 0.5, 0.75].map((share) => Math.max(1, Math.round(share * (count - 1)))))];
}

/** A pair is scored only when its strong model's mean quality leads the weak one's by this much. */
export const MIN_PAIR_GAP = 0.05;

/** The kind of task of each pass-rate task (the README's task names). */
const PASS_RATE_FAMILIES: Readonly<Record<string, ManyModelsFamily>> = {
  'gsm8k-train': 'grade-school-math',
  gsm8k: 'grade-school-math',
  'math-prealgebra': 'math',
  math: 'math',
  humaneval: 'code-generation',
  human_eval: 'code-generation',
  natural_qa: 'factual-qa',
  trivia_qa: 'factual-qa',
  commonsense_qa: 'commonsense',
  openbook_qa: 'commonsense',
  gpqa: 'science',
  mmlu: 'reading',
  'agentverse-logicgrid': 'logic',
  commongen: 'writing',
};

export type ManyModelsFamily =
  | 'mmlu'
  | 'chat'
  | 'grade-school-math'
  | 'math'
  | 'code-generation'
  | 'factual-qa'
  | 'commonsense'
  | 'science'
  | 'reading'
  | 'logic'
  | 'writing';

/** One prompt with every model's correctness (0/1) or pass rate (0..1), by canonical model name. */
export interface ManyModelsRow {
  readonly source: string;
  readonly task: string;
  readonly family: ManyModelsFamily;
  readonly prompt: string;
  readonly correctness: ReadonlyMap<string, number>;
}

export interface ManyModelsBattle {
  readonly prompt: string;
  readonly modelA: string;
  readonly modelB: string;
  /** 1 when A won, 0 when B won, 0.5 for a tie (both good or both bad). */
  readonly winRateA: number;
}

const text = (value: unknown, where: string): string => {
  if (typeof value !== 'string') throw new InvalidInputError(`${where} is not a string.`);
  return value;
};

/** MMLU-Pro questions as a user would type them: the question, then the options as `A. ...` lines. */
export async function loadMmluPro(sharedDir: string): Promise<ManyModelsRow[]> {
  const file = path.join(sharedDir, MANY_MODELS_SUBDIR, 'mmlu-pro.jsonl');
  return (await readJsonl(file)).map((record, index) => {
    const where = `${file} line ${index + 1}`;
    const options = Array.isArray(record['options']) ? (record['options'] as unknown[]) : [];
    const letters = 'ABCDEFGHIJ';
    const prompt = [
      text(record['question'], `${where}: question`),
      ...options.map((option, at) => `${letters[at]}. ${text(option, `${where}: option ${at + 1}`)}`),
    ].join('\n');
    const correct = record['correct'] as Record<string, number>;
    return {
      source: 'mmlu-pro',
      task: String(record['category']),
      family: 'mmlu',
      prompt,
      correctness: new Map(
        Object.entries(correct).map(([model, value]) => [canonicalModelName('mmlu-pro', model), value]),
      ),
    };
  });
}

/** Open models' pass rates (RouterDC's split and LLMRouter's), by task. */
export async function loadPassRates(sharedDir: string): Promise<ManyModelsRow[]> {
  const file = path.join(sharedDir, MANY_MODELS_SUBDIR, 'open-model-pass-rates.jsonl');
  return (await readJsonl(file)).map((record, index) => {
    const where = `${file} line ${index + 1}`;
    const task = text(record['task'], `${where}: task`);
    const family = PASS_RATE_FAMILIES[task];
    if (family === undefined) throw new InvalidInputError(`${where}: unknown task '${task}'.`);
    const source = text(record['source'], `${where}: source`);
    const scores = record['scores'] as Record<string, number>;
    return {
      source,
      task,
      family,
      prompt: text(record['prompt'], `${where}: prompt`),
      correctness: new Map(Object.entries(scores).map(([model, value]) => [canonicalModelName(source, model), value])),
    };
  });
}

const ARENA_WINNERS: Readonly<Record<string, number>> = {
  model_a: 1,
  model_b: 0,
  tie: 0.5,
  'tie (bothbad)': 0.5,
};

/** Chatbot Arena human battles; a multi-turn battle is routed on its first turn, as the chat routes a new message. */
export async function loadArenaHumanBattles(sharedDir: string): Promise<ManyModelsBattle[]> {
  const file = path.join(sharedDir, MANY_MODELS_SUBDIR, 'arena-human-battles.jsonl');
  return (await readJsonl(file)).map((record, index) => {
    const where = `${file} line ${index + 1}`;
    const winner = text(record['winner'], `${where}: winner`);
    const winRateA = ARENA_WINNERS[winner];
    if (winRateA === undefined) throw new InvalidInputError(`${where}: unknown winner '${winner}'.`);
    const turns = record['turns'];
    if (!Array.isArray(turns) || turns.length === 0) throw new InvalidInputError(`${where}: no turns.`);
    return {
      prompt: text(turns[0], `${where}: first turn`),
      modelA: canonicalModelName('arena', text(record['model_a'], `${where}: model_a`)),
      modelB: canonicalModelName('arena', text(record['model_b'], `${where}: model_b`)),
      winRateA,
    };
  });
}

/** Lowercase alphanumerics and single spaces: the text the split hashes, so spacing and case do not move a prompt. */
function normalised(prompt: string): string {
  return prompt
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** Whether a prompt is in the multi-model test split (a fixed fifth, by SHA-256 of its normalised text). */
export function isMultiModelTestPrompt(prompt: string): boolean {
  return createHash('sha256').update(normalised(prompt)).digest()[0]! < 52;
}

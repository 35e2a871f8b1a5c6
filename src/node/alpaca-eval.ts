import path from 'node:path';
import { InvalidInputError } from '../core/index.ts';
import { readCsv, readJsonl, requireFields, type FileRecord } from './records.ts';

/** Where AlpacaEval's files sit inside the shared data folder. */
export const ALPACA_EVAL_SUBDIR = path.join('data', 'alpaca-eval');

/** Instructions of this subset are reserved for evaluation: never trained on (../shared/README.md). */
export const RESERVED_DATASET = 'vicuna';

/** results/NullModel: answers every instruction with the same text, so its battles say nothing about prompts. */
export const NULL_MODEL = 'example';

export interface AlpacaInstruction {
  readonly id: number;
  readonly instruction: string;
  /** Source subset (koala, oasst, selfinstruct, helpful_base; vicuna is dropped on load). */
  readonly dataset: string;
}

/** One judged answer pair: a model's answer against a baseline's answer to the same instruction. */
export interface JudgedBattle {
  readonly instructionId: number;
  /** generator_1: gpt4_1106_preview or text_davinci_003. */
  readonly baseline: string;
  /** generator_2. */
  readonly model: string;
  readonly annotator: string;
  /** Probability that the model's answer was preferred: 1, 0, 0.5 for a tie, in between for weighted annotators. */
  readonly modelWinRate: number;
  /** Characters of each judged answer (an override where the judged text differs from the model's usual one). */
  readonly baselineChars: number;
  readonly modelChars: number;
}

export interface AlpacaEvalData {
  /** Instructions routers may train on (all but the reserved subset). */
  readonly instructions: readonly AlpacaInstruction[];
  /** Battles on those instructions, without the null model and unjudged rows. */
  readonly battles: readonly JudgedBattle[];
  /** What was left out and why, for the training report. */
  readonly removed: {
    readonly reservedInstructions: number;
    readonly reservedBattles: number;
    readonly nullModelBattles: number;
    readonly unjudgedBattles: number;
  };
}

function text(record: FileRecord, field: string, where: string): string {
  const value = record[field];
  if (typeof value !== 'string') throw new InvalidInputError(`${where}: field '${field}' is missing or not text.`);
  return value;
}

function integer(record: FileRecord, field: string, where: string): number {
  const value = Number(record[field]);
  if (!Number.isInteger(value) || value < 0) {
    throw new InvalidInputError(
      `${where}: field '${field}' must be a non-negative integer, got ${JSON.stringify(record[field])}.`,
    );
  }
  return value;
}

/**
 * AlpacaEval's preference: 1 = baseline better, 2 = model better, values between from weighted annotators, and 0
 * for a draw (AlpacaEval's convention). Returns the model's win rate, or undefined for an unjudged (empty) row.
 */
export function modelWinRateOf(preference: string, where: string): number | undefined {
  if (preference.trim() === '') return undefined;
  const value = Number(preference);
  if (value === 0) return 0.5;
  if (!(value >= 1 && value <= 2))
    throw new InvalidInputError(`${where}: preference must be 0 or in [1, 2], got '${preference}'.`);
  return value - 1;
}

/** Reads AlpacaEval's instructions, battles and answer lengths from the shared folder (see ../shared/README.md). */
export async function loadAlpacaEval(sharedDir: string): Promise<AlpacaEvalData> {
  const dir = path.join(sharedDir, ALPACA_EVAL_SUBDIR);
  const instructionsFile = path.join(dir, 'instructions.jsonl');
  const allInstructions = (await readJsonl(instructionsFile)).map((record, index): AlpacaInstruction => {
    const where = `${instructionsFile}, line ${index + 1}`;
    const id = record['id'];
    if (typeof id !== 'number') throw new InvalidInputError(`${where}: field 'id' must be a number.`);
    return { id, instruction: text(record, 'instruction', where), dataset: text(record, 'dataset', where) };
  });
  const instructions = allInstructions.filter((instruction) => instruction.dataset !== RESERVED_DATASET);
  const allowed = new Set(instructions.map((instruction) => instruction.id));

  const lengthsFile = path.join(dir, 'output_lengths.csv');
  const lengths = await readCsv(lengthsFile);
  requireFields(lengths, ['model', 'instruction_id', 'chars'], lengthsFile);
  const charsOf = new Map<string, number>();
  lengths.forEach((record, index) => {
    const where = `${lengthsFile}, row ${index + 1}`;
    charsOf.set(
      `${text(record, 'model', where)}\u0000${integer(record, 'instruction_id', where)}`,
      integer(record, 'chars', where),
    );
  });
  const overridesFile = path.join(dir, 'battle_length_overrides.csv');
  const overrides = await readCsv(overridesFile);
  requireFields(overrides, ['source_path', 'side', 'instruction_id', 'chars'], overridesFile);
  const overrideOf = new Map<string, number>();
  overrides.forEach((record, index) => {
    const where = `${overridesFile}, row ${index + 1}`;
    const key = [
      text(record, 'source_path', where),
      integer(record, 'side', where),
      integer(record, 'instruction_id', where),
    ];
    overrideOf.set(key.join('\u0000'), integer(record, 'chars', where));
  });

  const battlesFile = path.join(dir, 'battles_compact.csv');
  const rows = await readCsv(battlesFile);
  requireFields(
    rows,
    ['instruction_id', 'generator_1', 'generator_2', 'annotator', 'preference', 'source_path'],
    battlesFile,
  );
  const removed = {
    reservedInstructions: allInstructions.length - instructions.length,
    reservedBattles: 0,
    nullModelBattles: 0,
    unjudgedBattles: 0,
  };
  const battles: JudgedBattle[] = [];
  rows.forEach((record, index) => {
    const where = `${battlesFile}, row ${index + 1}`;
    const instructionId = integer(record, 'instruction_id', where);
    const baseline = text(record, 'generator_1', where);
    const model = text(record, 'generator_2', where);
    if (!allowed.has(instructionId)) {
      removed.reservedBattles++;
      return;
    }
    if (model === NULL_MODEL || baseline === NULL_MODEL) {
      removed.nullModelBattles++;
      return;
    }
    const modelWinRate = modelWinRateOf(text(record, 'preference', where), where);
    if (modelWinRate === undefined) {
      removed.unjudgedBattles++;
      return;
    }
    const sourcePath = text(record, 'source_path', where);
    const chars = (side: 1 | 2, generator: string) => {
      const value =
        overrideOf.get([sourcePath, side, instructionId].join('\u0000')) ??
        charsOf.get(`${generator}\u0000${instructionId}`);
      if (value === undefined)
        throw new InvalidInputError(`${where}: no answer length for ${generator} on instruction ${instructionId}.`);
      return value;
    };
    battles.push({
      instructionId,
      baseline,
      model,
      annotator: text(record, 'annotator', where),
      modelWinRate,
      baselineChars: chars(1, baseline),
      modelChars: chars(2, model),
    });
  });
  return { instructions, battles, removed };
}

import { InvalidInputError } from '../core/index.ts';
import { readRecords, requireFields, type FileRecord } from '../node/index.ts';

/** One battle of a user's Arena-style file (RouteLLM's `model_a, model_b, prompt, winner_*` columns). */
export interface ArenaBattle {
  readonly prompt: string;
  readonly modelA: string;
  readonly modelB: string;
  /** 1 when model A won, 0 when B won, 0.5 for a tie. */
  readonly winRateA: number;
}

/** The columns of an Arena-style battles file. */
export const ARENA_COLUMNS = ['model_a', 'model_b', 'prompt', 'winner_model_a', 'winner_model_b', 'winner_tie'] as const;

/** Pandas and JSON write flags as 1/0, true/false or True/False. */
function flag(value: unknown, where: string, column: string): boolean {
  if (value === 1 || value === true || value === '1' || value === '1.0' || value === 'True' || value === 'true') return true;
  if (value === 0 || value === false || value === '0' || value === '0.0' || value === 'False' || value === 'false') return false;
  throw new InvalidInputError(`${where}: column '${column}' must be 0/1 or true/false, got ${JSON.stringify(value)}.`);
}

/**
 * Arena exports store a conversation's turns as a JSON list of strings (`["first turn", ...]`); routers score the
 * first turn. Plain text is taken as it is.
 */
export function firstTurn(prompt: string): string {
  const trimmed = prompt.trim();
  if (trimmed.startsWith('[')) {
    try {
      const turns: unknown = JSON.parse(trimmed);
      if (Array.isArray(turns) && typeof turns[0] === 'string') return turns[0];
    } catch {
      // Not a JSON list: a prompt that happens to start with '['.
    }
  }
  return prompt;
}

function promptOf(record: FileRecord, column: string, where: string): string {
  const value = record[column];
  if (typeof value !== 'string') throw new InvalidInputError(`${where}: column '${column}' must be text.`);
  const prompt = firstTurn(value);
  if (prompt.trim() === '') throw new InvalidInputError(`${where}: the prompt is empty.`);
  return prompt;
}

/** Reads an Arena-style battles file (.csv or .jsonl); exactly one winner column must be set on every row. */
export async function loadArenaBattles(file: string): Promise<ArenaBattle[]> {
  const records = await readRecords(file);
  requireFields(records, ARENA_COLUMNS, file);
  return records.map((record, index) => {
    const where = `${file}, row ${index + 1}`;
    const [a, b, tie] = (['winner_model_a', 'winner_model_b', 'winner_tie'] as const).map((column) => flag(record[column], where, column));
    if (Number(a) + Number(b) + Number(tie) !== 1) {
      throw new InvalidInputError(`${where}: exactly one of winner_model_a, winner_model_b, winner_tie must be set.`);
    }
    const modelA = record['model_a'];
    const modelB = record['model_b'];
    if (typeof modelA !== 'string' || typeof modelB !== 'string' || modelA === '' || modelB === '' || modelA === modelB) {
      throw new InvalidInputError(`${where}: model_a and model_b must be two different model names.`);
    }
    return { prompt: promptOf(record, 'prompt', where), modelA, modelB, winRateA: a ? 1 : tie ? 0.5 : 0 };
  });
}

/** One row of a user's golden-label file: a prompt and each model's correctness on it. */
export interface GoldenLabelRow {
  readonly prompt: string;
  /** 0..1 (true/false count as 1/0) for every model column of the file. */
  readonly correctness: ReadonlyMap<string, number>;
}

function correctnessOf(value: unknown, where: string, column: string): number {
  if (value === true || value === 'True' || value === 'true') return 1;
  if (value === false || value === 'False' || value === 'false') return 0;
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!(number >= 0 && number <= 1)) {
    throw new InvalidInputError(`${where}: column '${column}' must be true/false or a number in [0, 1], got ${JSON.stringify(value)}.`);
  }
  return number;
}

/**
 * Reads a golden-label file (.csv or .jsonl): a prompt column and one correctness column per model (RouteLLM's
 * MMLU and GSM8K response files have this shape). `models` names the correctness columns to read (default: every
 * column but the prompt); other columns, such as RouteLLM's `<model>_response` texts, are ignored.
 */
export async function loadGoldenLabels(
  file: string,
  options: { readonly promptColumn?: string; readonly models?: readonly string[] } = {},
): Promise<GoldenLabelRow[]> {
  const promptColumn = options.promptColumn ?? 'prompt';
  const records = await readRecords(file);
  requireFields(records, [promptColumn], file);
  const models = options.models ?? Object.keys(records[0]!).filter((column) => column !== promptColumn);
  requireFields(records, models, file);
  if (models.length < 2) throw new InvalidInputError(`${file} needs a correctness column for at least two models besides '${promptColumn}'.`);
  return records.map((record, index) => {
    const where = `${file}, row ${index + 1}`;
    return {
      prompt: promptOf(record, promptColumn, where),
      correctness: new Map(models.map((model) => [model, correctnessOf(record[model], where, model)])),
    };
  });
}

import { InvalidInputError, createBenchmark, type Benchmark, type BenchmarkItem } from '../core/index.ts';
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
export const ARENA_COLUMNS = [
  'model_a',
  'model_b',
  'prompt',
  'winner_model_a',
  'winner_model_b',
  'winner_tie',
] as const;

/** Pandas and JSON write flags as 1/0, true/false or True/False. */
function flag(value: unknown, where: string, column: string): boolean {
  if (value === 1 || value === true || value === '1' || value === '1.0' || value === 'True' || value === 'true')
    return true;
  if (value === 0 || value === false || value === '0' || value === '0.0' || value === 'False' || value === 'false')
    return false;
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
    const [a, b, tie] = (['winner_model_a', 'winner_model_b', 'winner_tie'] as const).map((column) =>
      flag(record[column], where, column),
    );
    if (Number(a) + Number(b) + Number(tie) !== 1) {
      throw new InvalidInputError(`${where}: exactly one of winner_model_a, winner_model_b, winner_tie must be set.`);
    }
    const modelA = record['model_a'];
    const modelB = record['model_b'];
    if (
      typeof modelA !== 'string' ||
      typeof modelB !== 'string' ||
      modelA === '' ||
      modelB === '' ||
      modelA === modelB
    ) {
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
  const number =
    typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!(number >= 0 && number <= 1)) {
    throw new InvalidInputError(
      `${where}: column '${column}' must be true/false or a number in [0, 1], got ${JSON.stringify(value)}.`,
    );
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
  if (models.length < 2)
    throw new InvalidInputError(
      `${file} needs a correctness column for at least two models besides '${promptColumn}'.`,
    );
  return records.map((record, index) => {
    const where = `${file}, row ${index + 1}`;
    return {
      prompt: promptOf(record, promptColumn, where),
      correctness: new Map(models.map((model) => [model, correctnessOf(record[model], where, model)])),
    };
  });
}

/** The strong and the weak model of a deployment, as the data names them. */
export interface ModelPair {
  readonly strong: string;
  readonly weak: string;
}

/**
 * Fewest distinct prompts a user's file must keep for training: settings are chosen by 5-fold cross-validation, and
 * each held-out fold needs 20 labelled prompts to give an APGR (training-benchmarks' minimum).
 */
export const MIN_USER_PROMPTS = 100;

/** A user's training or test file, read: golden-label rows or Arena-style battles. */
export type UserData =
  | { readonly kind: 'golden'; readonly file: string; readonly rows: readonly GoldenLabelRow[] }
  | { readonly kind: 'battles'; readonly file: string; readonly battles: readonly ArenaBattle[] };

/** Every model named in the data, sorted. */
export function userModels(data: UserData): string[] {
  const names =
    data.kind === 'golden'
      ? data.rows.flatMap((row) => [...row.correctness.keys()])
      : data.battles.flatMap((battle) => [battle.modelA, battle.modelB]);
  return [...new Set(names)].sort();
}

/** The strong model's mean quality against the weak one on every prompt where both were judged. */
function pairQualities(data: UserData, pair: ModelPair): Map<string, number[]> {
  const byPrompt = new Map<string, number[]>();
  const add = (prompt: string, strongQuality: number) =>
    byPrompt.set(prompt, [...(byPrompt.get(prompt) ?? []), strongQuality]);
  if (data.kind === 'golden') {
    for (const row of data.rows) {
      const strong = row.correctness.get(pair.strong);
      const weak = row.correctness.get(pair.weak);
      if (strong !== undefined && weak !== undefined) add(row.prompt, strong - weak);
    }
  } else {
    for (const battle of data.battles) {
      if (battle.modelA === pair.strong && battle.modelB === pair.weak) add(battle.prompt, 2 * battle.winRateA - 1);
      else if (battle.modelA === pair.weak && battle.modelB === pair.strong)
        add(battle.prompt, 1 - 2 * battle.winRateA);
    }
  }
  return byPrompt;
}

/**
 * The pair the user named, checked against the models in the data; without names, a file with exactly two models
 * gives them, the better one on average as the strong model.
 */
export function chooseUserPair(data: UserData, strong: string | undefined, weak: string | undefined): ModelPair {
  const models = userModels(data);
  const list =
    models.length > 12 ? `${models.slice(0, 12).join(', ')} and ${models.length - 12} more` : models.join(', ');
  if (strong === undefined && weak === undefined) {
    if (models.length !== 2)
      throw new InvalidInputError(
        `${data.file} has ${models.length} models: name the pair with --strong and --weak (models: ${list}).`,
      );
    const gains = [...pairQualities(data, { strong: models[0]!, weak: models[1]! }).values()].flat();
    const first = gains.reduce((sum, gain) => sum + gain, 0) >= 0;
    return first ? { strong: models[0]!, weak: models[1]! } : { strong: models[1]!, weak: models[0]! };
  }
  if (strong === undefined || weak === undefined)
    throw new InvalidInputError('--strong and --weak go together: name both models of the pair.');
  for (const model of [strong, weak]) {
    if (!models.includes(model)) throw new InvalidInputError(`${data.file} has no model '${model}' (models: ${list}).`);
  }
  if (strong === weak) throw new InvalidInputError('--strong and --weak must name two different models.');
  if (pairQualities(data, { strong, weak }).size === 0)
    throw new InvalidInputError(`${data.file} has no prompt on which both '${strong}' and '${weak}' were judged.`);
  return { strong, weak };
}

/** Reads a user's file as golden labels or battles: a file with the Arena columns is battles. */
export async function loadUserData(
  file: string,
  options: { readonly kind?: UserData['kind']; readonly models?: readonly string[] } = {},
): Promise<UserData> {
  const records = await readRecords(file);
  const kind = options.kind ?? (ARENA_COLUMNS.every((column) => column in records[0]!) ? 'battles' : 'golden');
  if (kind === 'battles') return { kind, file, battles: await loadArenaBattles(file) };
  return { kind, file, rows: await loadGoldenLabels(file, options.models ? { models: options.models } : {}) };
}

/** The distinct prompts of a user's file, in file order. */
export function userPrompts(data: UserData): string[] {
  return [
    ...new Set(
      data.kind === 'golden' ? data.rows.map((row) => row.prompt) : data.battles.map((battle) => battle.prompt),
    ),
  ];
}

/** The rows of a user's file whose prompt is not in `prompts`. */
export function withoutPrompts(data: UserData, prompts: ReadonlySet<string>): UserData {
  return data.kind === 'golden'
    ? { ...data, rows: data.rows.filter((row) => !prompts.has(row.prompt)) }
    : { ...data, battles: data.battles.filter((battle) => !prompts.has(battle.prompt)) };
}

/**
 * The user's test as a benchmark for the pair: per prompt, the quality each model reaches (golden: % correct; battles:
 * % of the pair's battles won on that prompt, ties counting half), so routing is scored as on RouteLLM's benchmarks.
 */
export function userTestBenchmark(data: UserData, pair: ModelPair, name: string): Benchmark {
  const items: BenchmarkItem[] = [];
  if (data.kind === 'golden') {
    data.rows.forEach((row, index) => {
      const strong = row.correctness.get(pair.strong);
      const weak = row.correctness.get(pair.weak);
      if (strong !== undefined && weak !== undefined)
        items.push({ id: String(index + 1), prompt: row.prompt, strongQuality: 100 * strong, weakQuality: 100 * weak });
    });
  } else {
    for (const [prompt, gains] of pairQualities(data, pair)) {
      const strongWinRate = (1 + gains.reduce((sum, gain) => sum + gain, 0) / gains.length) / 2;
      items.push({
        id: String(items.length + 1),
        prompt,
        strongQuality: 100 * strongWinRate,
        weakQuality: 100 * (1 - strongWinRate),
      });
    }
  }
  if (items.length === 0)
    throw new InvalidInputError(
      `${data.file} has no prompt on which both '${pair.strong}' and '${pair.weak}' were judged, so it cannot test the router.`,
    );
  return createBenchmark({
    name,
    strongModel: pair.strong,
    weakModel: pair.weak,
    qualityUnit: data.kind === 'golden' ? '% correct' : '% of battles won',
    items,
  });
}

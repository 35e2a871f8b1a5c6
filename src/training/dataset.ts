/**
 * The training data of every learned router, in one place: labels from each source, the shared model names,
 * embeddings, and the decontamination against every evaluation prompt. The routers' trainers (and the classifier
 * export) consume `TrainingData`; nothing else reads the raw files.
 *
 *   const data = await loadTrainingData({ sharedDir, embedder, sources: ALL_TRAINING_SOURCES });
 *   data.prompts      // TrainingPrompt[]: text, embedding, source, family, strongWinRate?, difficulty?
 *   data.battles      // judged pairwise battles between named models (AlpacaEval, user Arena files)
 *   data.correctness  // per-prompt correctness of named models (golden families, MMLU gold, user golden files)
 *   data.report       // counts read, removed (reserved, null model, decontaminated by benchmark) and kept
 */
import { ROUTELLM_MODEL_PAIR, InvalidInputError } from '../core/index.ts';
import { BenchmarkLoader, type RouterEmbedder, loadAlpacaEval, NULL_MODEL, RESERVED_DATASET } from '../node/index.ts';
import { findContaminated, findContaminatedCached, type EvaluationText } from './decontaminate.ts';
import { GOLDEN_SOURCES, loadGolden } from './golden.ts';
import { loadGsm8kTrain } from './gsm8k-train.ts';
import { loadArenaHumanBattles, loadMmluPro, loadPassRates, type ManyModelsFamily } from './many-models.ts';
import { canonicalModelName } from './model-names.ts';
import { lengthControlledWinRates, lengthLogRatio } from './length-controlled.ts';
import { MIN_USER_PROMPTS, type ArenaBattle, type GoldenLabelRow, type ModelPair } from './user-data.ts';

/** The deployment pair under the names every source is mapped to (the RouteLLM benchmarks' names). */
export const STRONG_MODEL = ROUTELLM_MODEL_PAIR.strong;
export const WEAK_MODEL = ROUTELLM_MODEL_PAIR.weak;

/** AlpacaEval's names of the deployment pair. */
const ALPACA_PAIR = { strong: 'gpt4_1106_preview', weak: 'Mixtral-8x7B-Instruct-v0.1' } as const;

/** Where a prompt came from. */
export type TrainingSourceName =
  | 'alpaca-eval'
  | 'mmlu-gold'
  | 'golden'
  | 'gsm8k-train'
  | 'mmlu-pro'
  | 'arena-battles'
  | 'pass-rates';
/** The RouteLLM-pair sources every learned router has used since the start. */
export const PAIR_TRAINING_SOURCES: readonly TrainingSourceName[] = [
  'alpaca-eval',
  'mmlu-gold',
  'golden',
  'gsm8k-train',
];
/** Sources of many models' labels (data/many-models), which a model of every model's ability learns from. */
export const MANY_MODEL_SOURCES: readonly TrainingSourceName[] = ['mmlu-pro', 'arena-battles', 'pass-rates'];
export const ALL_TRAINING_SOURCES: readonly TrainingSourceName[] = [...PAIR_TRAINING_SOURCES, ...MANY_MODEL_SOURCES];

/**
 * The kind of task, for grouped cross-validation and within-family terms: 'chat' (AlpacaEval instructions, Arena
 * prompts), 'mmlu' (MMLU, MMLU-Pro), 'math', 'code-reasoning', 'code-generation', 'grade-school-math', the pass-rate
 * tasks' kinds, or 'user' for a user's file.
 */
export type TaskFamily = ManyModelsFamily | 'code-reasoning' | 'user';

export interface TrainingPrompt {
  readonly text: string;
  /** 'alpaca-eval', 'mmlu-gold', 'golden/<folder>', 'gsm8k-train', or 'user-battles' / 'user-golden'. */
  readonly source: string;
  readonly family: TaskFamily;
  /** Unit-length embedding from the router encoder. */
  readonly embedding: Float32Array;
  /**
   * P(the strong model's answer is better) for the deployment pair, as a soft label: 1 when only the strong model
   * is right, 0 when only the weak one is, 0.5 for a tie (pass fractions in between); for AlpacaEval the
   * length-controlled judge win rate. Absent for prompts that only carry a difficulty (GSM8K train).
   */
  readonly strongWinRate?: number;
  /** Within-family difficulty target where the source has one (GSM8K train: calculation steps). */
  readonly difficulty?: number;
}

/** A judged comparison of two named models on one prompt. */
export interface TrainingBattle {
  /** Index into `prompts`. */
  readonly prompt: number;
  readonly modelA: string;
  readonly modelB: string;
  /** P(A's answer was preferred): 1, 0, 0.5 for a tie, or a weighted judge's value. */
  readonly winRateA: number;
  /** Who judged (AlpacaEval annotator config, or the user file): length bias is per judge. */
  readonly judge: string;
  /** ln(chars of A's answer / chars of B's), 0 when unknown. */
  readonly lengthLogRatio: number;
}

/** Correctness of named models on one prompt (golden labels). */
export interface TrainingCorrectness {
  readonly prompt: number;
  readonly correctness: ReadonlyMap<string, number>;
}

export interface TrainingReport {
  readonly read: Record<string, number>;
  readonly removed: Record<string, number>;
  /** Training prompts removed as near-duplicates of an evaluation prompt, by benchmark and by source. */
  readonly decontaminated: {
    readonly byBenchmark: Record<string, number>;
    readonly bySource: Record<string, number>;
    readonly checked: boolean;
  };
  /** Training prompts removed because they are (exact) or nearly are (cosine >= 0.95) a prompt of the user's test. */
  readonly heldOut?: { readonly exact: number; readonly nearDuplicate: number };
  readonly kept: Record<string, number>;
}

export interface TrainingData {
  /**
   * The deployment pair under the names the data uses: RouteLLM's pair when a built-in source is used (a user's
   * strong and weak model are mapped onto it), else the user's own two models.
   */
  readonly pair: ModelPair;
  readonly prompts: readonly TrainingPrompt[];
  readonly battles: readonly TrainingBattle[];
  readonly correctness: readonly TrainingCorrectness[];
  readonly encoderId: string;
  readonly report: TrainingReport;
}

export interface TrainingDataOptions {
  /** The shared data folder: needed by built-in sources, and to decontaminate against the benchmarks. */
  readonly sharedDir?: string;
  readonly embedder: RouterEmbedder;
  readonly sources?: readonly TrainingSourceName[];
  /** A user's Arena-style battles (read by loadArenaBattles) and the file they came from. */
  readonly userBattles?: { readonly file: string; readonly battles: readonly ArenaBattle[] };
  /** A user's golden-label rows (read by loadGoldenLabels) and the file they came from. */
  readonly userGolden?: { readonly file: string; readonly rows: readonly GoldenLabelRow[] };
  /** Which of the user's models play the strong and the weak model (required with a user file). */
  readonly userPair?: ModelPair;
  /**
   * Models whose labels are left out (canonical names, see poolingModelName): to measure how a router places a model
   * it never trained on.
   * The deployment pair cannot be left out.
   */
  readonly excludeModels?: readonly string[];
  /** Prompts of the user's test: neither they nor near-duplicates of them (cosine >= 0.95) enter training. */
  readonly heldOut?: readonly string[];
  readonly onProgress?: (stage: string, done: number, total: number) => void;
}

/** Mutable draft of a prompt before embedding. */
interface DraftPrompt extends Omit<TrainingPrompt, 'embedding'> {}
interface DraftBattle extends Omit<TrainingBattle, 'prompt'> {
  readonly draft: number;
}
interface DraftCorrectness {
  readonly draft: number;
  readonly correctness: ReadonlyMap<string, number>;
}

function tooSmall(file: string, count: number, when: string): string {
  return (
    `${file} has ${count} distinct prompts ${when}; training needs at least ${MIN_USER_PROMPTS}: settings are chosen by ` +
    `5-fold cross-validation, and each held-out fold needs 20 prompts to give an APGR.`
  );
}

/**
 * Golden models are namespaced by source, except the two mapped to the deployment pair. (A router that pools models
 * across sources maps these names through the alias table itself: see poolingModelName.)
 */
function goldenModelName(source: string, model: string): string {
  const pair = GOLDEN_SOURCES[source]!;
  if (model === pair.strong) return STRONG_MODEL;
  if (model === pair.weak) return WEAK_MODEL;
  return `${source}/${model}`;
}

/** AlpacaEval's models keep their names, except the deployment pair. */
function alpacaModelName(model: string): string {
  if (model === ALPACA_PAIR.strong) return STRONG_MODEL;
  if (model === ALPACA_PAIR.weak) return WEAK_MODEL;
  return model;
}

/**
 * A training model's name as a router that pools models across sources knows it: the alias table's name for the
 * golden folders' and AlpacaEval's models (the many-model sources are read under it already). The names in
 * TrainingData stay as the pair routers (mf, sw-ranking, knn-gain) were trained on, so their weights reproduce.
 */
export function poolingModelName(promptSource: string, model: string): string {
  if (model === STRONG_MODEL || model === WEAK_MODEL) return model;
  if (promptSource === 'alpaca-eval') return canonicalModelName('alpaca-eval', model);
  const folder = promptSource.startsWith('golden/') ? promptSource.slice('golden/'.length) : undefined;
  if (folder !== undefined && model.startsWith(`${folder}/`))
    return canonicalModelName(folder, model.slice(folder.length + 1));
  return model;
}

/** Soft "strong beats weak" label from two correctness values in [0, 1]: 0.5 + (strong - weak) / 2. */
export function goldWinRate(strongCorrect: number, weakCorrect: number): number {
  return 0.5 + (strongCorrect - weakCorrect) / 2;
}

function increment(counts: Record<string, number>, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

/**
 * Reads the chosen sources, labels every prompt for the deployment pair, embeds everything (cached), and drops
 * every training prompt that is, or nearly is, an evaluation prompt (BenchmarkLoader.evaluationPrompts).
 */
export async function loadTrainingData(options: TrainingDataOptions): Promise<TrainingData> {
  const sources = new Set(options.sources ?? ALL_TRAINING_SOURCES);
  if (sources.size > 0 && options.sharedDir === undefined)
    throw new InvalidInputError(
      `The built-in sources (${[...sources].join(', ')}) need the shared data folder (--data).`,
    );
  const sharedDir = options.sharedDir ?? '';
  const drafts: DraftPrompt[] = [];
  const battles: DraftBattle[] = [];
  const correctness: DraftCorrectness[] = [];
  const read: Record<string, number> = {};
  const removed: Record<string, number> = {};
  const loader = new BenchmarkLoader(options.sharedDir);

  if (sources.has('alpaca-eval')) {
    const alpaca = await loadAlpacaEval(sharedDir);
    const { winRates } = lengthControlledWinRates(alpaca.battles, ALPACA_PAIR);
    const draftOf = new Map<number, number>();
    for (const instruction of alpaca.instructions) {
      draftOf.set(instruction.id, drafts.length);
      drafts.push({
        text: instruction.instruction,
        source: 'alpaca-eval',
        family: 'chat',
        strongWinRate: winRates.get(instruction.id) ?? 0.5,
      });
    }
    for (const battle of alpaca.battles) {
      battles.push({
        draft: draftOf.get(battle.instructionId)!,
        modelA: alpacaModelName(battle.model),
        modelB: alpacaModelName(battle.baseline),
        winRateA: battle.modelWinRate,
        judge: battle.annotator,
        lengthLogRatio: lengthLogRatio(battle),
      });
    }
    read['alpaca-eval instructions'] = alpaca.instructions.length + alpaca.removed.reservedInstructions;
    read['alpaca-eval battles'] =
      alpaca.battles.length +
      alpaca.removed.reservedBattles +
      alpaca.removed.nullModelBattles +
      alpaca.removed.unjudgedBattles;
    removed[`alpaca-eval instructions of the reserved '${RESERVED_DATASET}' subset`] =
      alpaca.removed.reservedInstructions;
    removed[`alpaca-eval battles on reserved instructions`] = alpaca.removed.reservedBattles;
    removed[`alpaca-eval battles of the null model '${NULL_MODEL}'`] = alpaca.removed.nullModelBattles;
    removed['alpaca-eval battles without a verdict'] = alpaca.removed.unjudgedBattles;
  }

  if (sources.has('mmlu-gold')) {
    const gold = (await loader.mmluGoldSplit()).gold;
    for (const item of gold.items) {
      const strong = item.strongQuality > 0 ? 1 : 0;
      const weak = item.weakQuality > 0 ? 1 : 0;
      correctness.push({
        draft: drafts.length,
        correctness: new Map([
          [STRONG_MODEL, strong],
          [WEAK_MODEL, weak],
        ]),
      });
      drafts.push({ text: item.prompt, source: 'mmlu-gold', family: 'mmlu', strongWinRate: goldWinRate(strong, weak) });
    }
    read['mmlu-gold'] = gold.items.length;
  }

  if (sources.has('golden')) {
    const golden = await loadGolden(sharedDir);
    for (const row of golden.rows) {
      const models = new Map([...row.correctness].map(([model, value]) => [goldenModelName(row.source, model), value]));
      correctness.push({ draft: drafts.length, correctness: models });
      drafts.push({
        text: row.prompt,
        source: `golden/${row.source}`,
        family: row.family,
        strongWinRate: goldWinRate(row.strongCorrect, row.weakCorrect),
      });
      increment(read, `golden/${row.source}`);
    }
    removed['golden rows without prompt text or pair results'] = golden.skipped;
  }

  if (sources.has('gsm8k-train')) {
    const questions = await loadGsm8kTrain(sharedDir);
    for (const question of questions) {
      drafts.push({
        text: question.question,
        source: 'gsm8k-train',
        family: 'grade-school-math',
        difficulty: question.steps,
      });
    }
    read['gsm8k-train'] = questions.length;
  }

  if (sources.has('mmlu-pro') || sources.has('pass-rates')) {
    const rows = [
      ...(sources.has('mmlu-pro') ? await loadMmluPro(sharedDir) : []),
      ...(sources.has('pass-rates') ? await loadPassRates(sharedDir) : []),
    ];
    for (const row of rows) {
      correctness.push({ draft: drafts.length, correctness: row.correctness });
      drafts.push({ text: row.prompt, source: row.source, family: row.family });
      increment(read, row.source);
    }
  }

  if (sources.has('arena-battles')) {
    const arena = await loadArenaHumanBattles(sharedDir);
    const draftOf = new Map<string, number>();
    for (const battle of arena) {
      let draft = draftOf.get(battle.prompt);
      if (draft === undefined) {
        draft = drafts.length;
        draftOf.set(battle.prompt, draft);
        drafts.push({ text: battle.prompt, source: 'arena-battles', family: 'chat' });
      }
      const { modelA, modelB, winRateA } = battle;
      battles.push({ draft, modelA, modelB, winRateA, judge: 'arena-human', lengthLogRatio: 0 });
    }
    read['arena-battles'] = arena.length;
  }

  const builtIn = sources.size > 0;
  const pair: ModelPair = builtIn
    ? { strong: STRONG_MODEL, weak: WEAK_MODEL }
    : (options.userPair ?? { strong: STRONG_MODEL, weak: WEAK_MODEL });
  const userPair = options.userPair;
  if ((options.userBattles || options.userGolden) && !userPair)
    throw new InvalidInputError('A user data file needs its strong and weak model (--strong, --weak).');
  /** The user's pair plays the deployment pair; with built-in sources, the user's other models get a namespace. */
  const userModelName = (model: string, namespace: string) =>
    model === userPair!.strong
      ? pair.strong
      : model === userPair!.weak
        ? pair.weak
        : builtIn
          ? `${namespace}${model}`
          : model;
  const userStart = drafts.length;

  if (options.userBattles !== undefined) {
    const draftOf = new Map<string, number>();
    const pairRates = new Map<number, number[]>();
    for (const battle of options.userBattles.battles) {
      let draft = draftOf.get(battle.prompt);
      if (draft === undefined) {
        draft = drafts.length;
        draftOf.set(battle.prompt, draft);
        drafts.push({ text: battle.prompt, source: 'user-battles', family: 'user' });
      }
      const modelA = userModelName(battle.modelA, '');
      const modelB = userModelName(battle.modelB, '');
      battles.push({ draft, modelA, modelB, winRateA: battle.winRateA, judge: 'user-battles', lengthLogRatio: 0 });
      const strongRate =
        modelA === pair.strong && modelB === pair.weak
          ? battle.winRateA
          : modelA === pair.weak && modelB === pair.strong
            ? 1 - battle.winRateA
            : undefined;
      if (strongRate !== undefined) pairRates.set(draft, [...(pairRates.get(draft) ?? []), strongRate]);
    }
    // A prompt on which the pair met carries the strong model's win rate there as its label.
    for (const [draft, rates] of pairRates)
      drafts[draft] = { ...drafts[draft]!, strongWinRate: rates.reduce((sum, rate) => sum + rate, 0) / rates.length };
    read['user battles'] = options.userBattles.battles.length;
  }

  if (options.userGolden !== undefined) {
    for (const row of options.userGolden.rows) {
      const models = new Map([...row.correctness].map(([model, value]) => [userModelName(model, 'user/'), value]));
      correctness.push({ draft: drafts.length, correctness: models });
      drafts.push({
        text: row.prompt,
        source: 'user-golden',
        family: 'user',
        strongWinRate: goldWinRate(models.get(pair.strong)!, models.get(pair.weak)!),
      });
    }
    read['user golden rows'] = options.userGolden.rows.length;
  }

  if (drafts.length === 0)
    throw new InvalidInputError(
      'No training data: choose at least one source or pass a data file (--golden or --battles).',
    );
  const userFile = options.userGolden?.file ?? options.userBattles?.file;
  const heldOutTexts = new Set(options.heldOut ?? []);
  if (userFile !== undefined) {
    // Checked before anything is embedded, and again once near-duplicates are known.
    const outsideTest = new Set(
      drafts
        .slice(userStart)
        .flatMap((draft) => (draft.text.trim() === '' || heldOutTexts.has(draft.text) ? [] : [draft.text])),
    ).size;
    if (outsideTest < MIN_USER_PROMPTS)
      throw new InvalidInputError(tooSmall(userFile, outsideTest, 'outside the test prompts'));
  }

  const { embedder } = options;
  const progress = (stage: string) => (done: number, total: number) => options.onProgress?.(stage, done, total);
  const usable = drafts.map((draft) => draft.text.trim() !== '');
  const embedded = await embedder.embedAll(
    drafts.filter((_, index) => usable[index]).map((draft) => draft.text),
    progress('embedding training prompts'),
  );
  const embeddings: (Float32Array | undefined)[] = [];
  let next = 0;
  for (const ok of usable) embeddings.push(ok ? embedded[next++] : undefined);
  const candidates = drafts.flatMap((draft, index) =>
    usable[index] ? [{ index, text: draft.text, embedding: embeddings[index]! }] : [],
  );
  const dropped = new Set<number>();
  const byBenchmark: Record<string, number> = {};
  const bySource: Record<string, number> = {};

  if (options.sharedDir !== undefined) {
    const evaluationPrompts = [...(await loader.evaluationPrompts())].flatMap(([benchmark, prompts]) =>
      prompts.filter((prompt) => prompt.trim() !== '').map((text) => ({ benchmark, text })),
    );
    const evaluationEmbeddings = await embedder.embedAll(
      evaluationPrompts.map((item) => item.text),
      progress('embedding evaluation prompts'),
    );
    const evaluation: EvaluationText[] = evaluationPrompts.map((item, index) => ({
      ...item,
      embedding: evaluationEmbeddings[index]!,
    }));
    options.onProgress?.('decontaminating', 0, 1);
    const contaminated = await findContaminatedCached(candidates, evaluation, embedder.id);
    options.onProgress?.('decontaminating', 1, 1);
    for (const item of contaminated) {
      dropped.add(candidates[item.index]!.index);
      increment(byBenchmark, item.benchmark);
      increment(bySource, drafts[candidates[item.index]!.index]!.source);
    }
  }

  let heldOut: TrainingReport['heldOut'];
  if (heldOutTexts.size > 0) {
    // The user's test changes from run to run, so this comparison is not cached; it is small (test x training).
    const texts = [...heldOutTexts].filter((text) => text.trim() !== '');
    const testEmbeddings = await embedder.embedAll(texts, progress('embedding test prompts'));
    const test: EvaluationText[] = texts.map((text, index) => ({
      benchmark: 'test',
      text,
      embedding: testEmbeddings[index]!,
    }));
    const remaining = candidates.filter((candidate) => !dropped.has(candidate.index));
    const found = findContaminated(remaining, test);
    for (const item of found) dropped.add(remaining[item.index]!.index);
    heldOut = {
      exact: found.filter((item) => heldOutTexts.has(remaining[item.index]!.text)).length,
      nearDuplicate: found.filter((item) => !heldOutTexts.has(remaining[item.index]!.text)).length,
    };
  }
  removed['empty prompts'] = usable.filter((ok) => !ok).length;
  if (userFile !== undefined) {
    const kept = new Set(
      drafts.flatMap((draft, index) =>
        index >= userStart && usable[index] && !dropped.has(index) ? [draft.text] : [],
      ),
    ).size;
    if (kept < MIN_USER_PROMPTS)
      throw new InvalidInputError(
        tooSmall(userFile, kept, 'after removing test prompts, their near-duplicates and benchmark prompts'),
      );
  }

  const newIndex = new Int32Array(drafts.length).fill(-1);
  const prompts: TrainingPrompt[] = [];
  const kept: Record<string, number> = {};
  drafts.forEach((draft, index) => {
    if (!usable[index] || dropped.has(index)) return;
    newIndex[index] = prompts.length;
    prompts.push({ ...draft, embedding: embeddings[index]! });
    increment(kept, draft.source);
  });
  const excluded = new Set(options.excludeModels ?? []);
  for (const model of [pair.strong, pair.weak])
    if (excluded.has(model)) throw new InvalidInputError(`The deployment pair's model '${model}' cannot be excluded.`);
  let excludedLabels = 0;
  const isExcluded = (draft: number, model: string) => excluded.has(poolingModelName(drafts[draft]!.source, model));
  const keptBattles = battles.flatMap(({ draft, ...battle }) => {
    if (isExcluded(draft, battle.modelA) || isExcluded(draft, battle.modelB)) {
      excludedLabels++;
      return [];
    }
    return newIndex[draft]! >= 0 ? [{ ...battle, prompt: newIndex[draft]! }] : [];
  });
  const keptCorrectness = correctness.flatMap(({ draft, correctness: values }) => {
    if (newIndex[draft]! < 0) return [];
    const kept = new Map([...values].filter(([model]) => !isExcluded(draft, model)));
    excludedLabels += values.size - kept.size;
    return [{ prompt: newIndex[draft]!, correctness: kept }];
  });
  if (excluded.size > 0) {
    if (excludedLabels === 0)
      throw new InvalidInputError(`No labels of ${[...excluded].join(', ')} in the chosen sources: check the names.`);
    removed[`labels of the excluded models ${[...excluded].join(', ')}`] = excludedLabels;
  }
  kept['battles'] = keptBattles.length;
  return {
    pair,
    prompts,
    battles: keptBattles,
    correctness: keptCorrectness,
    encoderId: embedder.id,
    report: {
      read,
      removed,
      decontaminated: { byBenchmark, bySource, checked: options.sharedDir !== undefined },
      ...(heldOut ? { heldOut } : {}),
      kept,
    },
  };
}

import { createBenchmark, ROUTELLM_MODEL_PAIR, type Benchmark, type BenchmarkItem } from './benchmark.ts';
import { InvalidInputError } from './errors.ts';
import { isJudgeVerdict } from './judge.ts';

/** One MT-Bench question as in `mt_bench/question.jsonl`. */
export interface MtBenchQuestion {
  readonly questionId: number;
  readonly category?: string;
  readonly turns: readonly string[];
}

/** One GPT-4 judgement of one model's answer to one turn, as in `mt_bench/judgements.jsonl`. */
export interface MtBenchJudgement {
  readonly questionId: number;
  readonly model: string;
  readonly turn: number;
  readonly score: number;
}

export interface MtBenchSource {
  readonly questions: readonly MtBenchQuestion[];
  readonly judgements: readonly MtBenchJudgement[];
  /** Prompts RouteLLM found to be near-duplicates of its training data. */
  readonly contaminatedPrompts: Iterable<string>;
  readonly weakModel?: string;
  readonly strongModel?: string;
}

/**
 * MT-Bench as RouteLLM evaluates it: a question is dropped when any of its turns is contaminated; a router
 * sees the turn-1 text; a question's quality under a model is the mean of that model's judge scores over the
 * question's turns; the benchmark's quality is the mean over questions.
 */
export function createMtBench(source: MtBenchSource): Benchmark {
  const weakModel = source.weakModel ?? ROUTELLM_MODEL_PAIR.weak;
  const strongModel = source.strongModel ?? ROUTELLM_MODEL_PAIR.strong;
  const contaminated = new Set(source.contaminatedPrompts);

  const scores = new Map<string, number[]>();
  for (const judgement of source.judgements) {
    if (!isJudgeVerdict(judgement.score)) continue;
    const key = `${judgement.questionId}\u0000${judgement.model}`;
    const list = scores.get(key);
    if (list) list.push(judgement.score);
    else scores.set(key, [judgement.score]);
  }
  const meanScore = (questionId: number, model: string): number => {
    const list = scores.get(`${questionId}\u0000${model}`);
    if (!list) {
      throw new InvalidInputError(`MT-Bench question ${questionId} has no judgement for model '${model}'.`);
    }
    return list.reduce((sum, score) => sum + score, 0) / list.length;
  };

  const items: BenchmarkItem[] = [];
  for (const question of source.questions) {
    const firstTurn = question.turns[0];
    if (firstTurn === undefined) throw new InvalidInputError(`MT-Bench question ${question.questionId} has no turns.`);
    if (question.turns.some((turn) => contaminated.has(turn))) continue;
    items.push({
      id: String(question.questionId),
      prompt: firstTurn,
      weakQuality: meanScore(question.questionId, weakModel),
      strongQuality: meanScore(question.questionId, strongModel),
    });
  }
  return createBenchmark({ name: 'mt-bench', weakModel, strongModel, qualityUnit: 'GPT-4 score (1-10)', items });
}

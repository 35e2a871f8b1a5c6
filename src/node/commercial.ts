import path from 'node:path';
import { isJudgeVerdict, InvalidInputError } from '../core/index.ts';
import { ROUTELLM_EVALS_SUBDIR } from './paths.ts';
import { readJsonl } from './records.ts';

/** A commercial router's published MT-Bench result, recomputed from its recorded answers and judge scores. */
export interface CommercialPoint {
  readonly label: string;
  /** Share of questions it answered with GPT-4, in percent. */
  readonly strongPercentage: number;
  /** Where the share comes from: the answers' `model_id`, or the paper when the answers do not say. */
  readonly strongPercentageSource: 'answers' | 'published';
  /** Mean GPT-4 judge score over all its judged turns (all 80 questions; -1 "no verdict" rows excluded). */
  readonly quality: number;
  /** Judged turns behind the mean. */
  readonly judgedTurns: number;
}

interface CommercialRouter {
  readonly label: string;
  /** Model name of its rows in gpt-4_single.jsonl, and stem of its answer file. */
  readonly key: string;
  /**
   * Martian's answers are all labelled `router`, so its GPT-4 share cannot be counted; the RouteLLM paper
   * reports it as about 50%.
   */
  readonly publishedStrongPercentage?: number;
}

const COMMERCIAL_ROUTERS: readonly CommercialRouter[] = [
  { label: 'Martian', key: 'martian', publishedStrongPercentage: 50 },
  { label: 'Unify', key: 'unify' },
];

/** A `model_id` that names the strong model (Unify writes `gpt-4-turbo@openai`). */
const STRONG_MODEL_ID = /^gpt-4/;

/**
 * The Martian and Unify points of the RouteLLM paper's MT-Bench figure, from commercial-mt-bench/. They are
 * measured on all 80 questions (the published numbers are), not on the 72 that remain after decontamination.
 */
export async function loadCommercialPoints(sharedDir: string): Promise<CommercialPoint[]> {
  const dir = path.join(sharedDir, ROUTELLM_EVALS_SUBDIR, 'commercial-mt-bench');
  const judgements = await readJsonl(path.join(dir, 'gpt-4_single.jsonl'));
  return Promise.all(
    COMMERCIAL_ROUTERS.map(async (router) => {
      const scores = judgements
        .filter((row) => row['model'] === router.key)
        .map((row) => row['score'])
        .filter((score): score is number => typeof score === 'number' && isJudgeVerdict(score));
      if (scores.length === 0) throw new InvalidInputError(`No judged answers of '${router.key}' in ${dir}.`);
      const quality = scores.reduce((sum, score) => sum + score, 0) / scores.length;
      if (router.publishedStrongPercentage !== undefined) {
        return {
          label: router.label,
          strongPercentage: router.publishedStrongPercentage,
          strongPercentageSource: 'published' as const,
          quality,
          judgedTurns: scores.length,
        };
      }
      const answers = await readJsonl(path.join(dir, `${router.key}.jsonl`));
      const strongAnswers = answers.filter((answer) => STRONG_MODEL_ID.test(String(answer['model_id']))).length;
      return {
        label: router.label,
        strongPercentage: (strongAnswers / answers.length) * 100,
        strongPercentageSource: 'answers' as const,
        quality,
        judgedTurns: scores.length,
      };
    }),
  );
}

import path from 'node:path';
import { InvalidInputError } from '../core/index.ts';
import { readJsonl, ROUTELLM_EVALS_SUBDIR } from '../node/index.ts';

/** A GSM8K training question (the test split is an evaluation set and never read here). */
export interface Gsm8kTrainQuestion {
  readonly question: string;
  /**
   * Calculation steps of the reference solution (its `<<expression=result>>` annotations, at least 1): how much
   * arithmetic the problem takes, a within-family difficulty signal with no model's answers needed.
   */
  readonly steps: number;
}

/** Counts a reference solution's `<<...>>` calculator annotations. */
export function calculationSteps(answer: string): number {
  return answer.match(/<<[^>]*>>/g)?.length ?? 0;
}

export async function loadGsm8kTrain(sharedDir: string): Promise<Gsm8kTrainQuestion[]> {
  const file = path.join(sharedDir, ROUTELLM_EVALS_SUBDIR, 'gsm8k', 'train.jsonl');
  return (await readJsonl(file)).map((record, index) => {
    const question = record['question'];
    const answer = record['answer'];
    if (typeof question !== 'string' || typeof answer !== 'string') {
      throw new InvalidInputError(`${file}, line ${index + 1}: 'question' and 'answer' must be text.`);
    }
    return { question, steps: Math.max(1, calculationSteps(answer)) };
  });
}

import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.ts';
import { createMtBench, type MtBenchJudgement } from '../../src/core/mt-bench.ts';

const models = { weakModel: 'weak', strongModel: 'strong' };
const judgement = (questionId: number, model: string, turn: number, score: number): MtBenchJudgement => ({
  questionId,
  model,
  turn,
  score,
});

describe('createMtBench', () => {
  const questions = [
    { questionId: 1, turns: ['first question', 'follow-up one'] },
    { questionId: 2, turns: ['second question', 'contaminated follow-up'] },
    { questionId: 3, turns: ['third question', 'follow-up three'] },
  ];
  const judgements = [
    judgement(1, 'weak', 1, 6),
    judgement(1, 'weak', 2, 8),
    judgement(1, 'strong', 1, 9),
    judgement(1, 'strong', 2, 10),
    judgement(3, 'weak', 1, 5),
    judgement(3, 'weak', 2, -1),
    judgement(3, 'strong', 1, 7),
    judgement(3, 'strong', 2, 8),
  ];

  it('routes on turn 1, averages the turns, and drops a question with any contaminated turn', () => {
    const benchmark = createMtBench({
      questions,
      judgements,
      contaminatedPrompts: ['contaminated follow-up'],
      ...models,
    });
    expect(benchmark.name).toBe('mt-bench');
    expect(benchmark.items).toEqual([
      { id: '1', prompt: 'first question', weakQuality: 7, strongQuality: 9.5 },
      // The judge's -1 ("no verdict") is not a score: question 3's weak quality is its one real score.
      { id: '3', prompt: 'third question', weakQuality: 5, strongQuality: 7.5 },
    ]);
  });

  it('fails clearly when a question has no judgement for a model', () => {
    expect(() =>
      createMtBench({
        questions: [questions[0]!],
        judgements: judgements.slice(0, 2),
        contaminatedPrompts: [],
        ...models,
      }),
    ).toThrow(InvalidInputError);
  });
});

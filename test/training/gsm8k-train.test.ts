import { describe, expect, it } from 'vitest';
import { calculationSteps, loadGsm8kTrain } from '../../src/training/gsm8k-train.ts';
import { jsonl, sharedFixture } from './shared-fixture.ts';

describe('GSM8K train', () => {
  it('counts calculator annotations as steps (at least 1)', async () => {
    expect(calculationSteps('48/2 = <<48/2=24>>24 and <<48+24=72>>72')).toBe(2);
    const shared = await sharedFixture({
      'data/routellm-evals/gsm8k/train.jsonl': jsonl([
        { question: 'Q1', answer: 'a <<1+1=2>>2 b <<2*3=6>>6\n#### 6' },
        { question: 'Q2', answer: 'no annotations\n#### 1' },
      ]),
    });
    expect(await loadGsm8kTrain(shared)).toEqual([
      { question: 'Q1', steps: 2 },
      { question: 'Q2', steps: 1 },
    ]);
  });
});

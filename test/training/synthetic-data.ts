import { STRONG_MODEL, WEAK_MODEL, type TrainingData, type TrainingPrompt } from '../../src/training/dataset.ts';
import { createPrng } from '../../src/core/prng.ts';

/**
 * Training data with a known answer, for trainer tests. Two kinds of task on two embedding axes: 'mmlu' questions,
 * where the strong model gains exactly on the long ones, and 'chat' instructions, where it gains nothing; plus
 * GSM8K-like prompts whose difficulty grows with length. Battles: 'big' beats 'small' on mmlu, ties on chat.
 */
export function syntheticTrainingData(size = 120): TrainingData {
  const next = createPrng(17);
  const prompts: TrainingPrompt[] = [];
  const correctness: { prompt: number; correctness: Map<string, number> }[] = [];
  const battles: TrainingData['battles'][number][] = [];
  const unit = (x: number, y: number, z: number) => {
    const norm = Math.hypot(x, y, z);
    return Float32Array.of(x / norm, y / norm, z / norm);
  };
  for (let i = 0; i < size; i++) {
    const long = next() < 0.5;
    const text = `${long ? 'a much longer question with many words in it '.repeat(4) : 'short question'} #${i}`;
    const strong = 1;
    const weak = long ? 0 : 1;
    correctness.push({
      prompt: prompts.length,
      correctness: new Map([
        [STRONG_MODEL, strong],
        [WEAK_MODEL, weak],
        ['other', next() < 0.5 ? 1 : 0],
      ]),
    });
    prompts.push({
      text,
      source: 'mmlu-gold',
      family: 'mmlu',
      embedding: unit(1, 0.1 * next(), 0),
      strongWinRate: 0.5 + (strong - weak) / 2,
    });
  }
  for (let i = 0; i < size / 2; i++) {
    const index = prompts.length;
    prompts.push({
      text: `write a poem number ${i}`,
      source: 'alpaca-eval',
      family: 'chat',
      embedding: unit(0.1 * next(), 1, 0),
      strongWinRate: 0.7 + 0.1 * next(),
    });
    for (const [a, b] of [
      [STRONG_MODEL, WEAK_MODEL],
      ['big', 'small'],
    ] as const) {
      battles.push({ prompt: index, modelA: a, modelB: b, winRateA: 0.5, judge: 'judge', lengthLogRatio: 0 });
    }
  }
  for (let i = 0; i < size; i++) {
    const steps = 1 + (i % 6);
    prompts.push({
      text: `${'x'.repeat(20 * steps)} ${i}`,
      source: 'gsm8k-train',
      family: 'grade-school-math',
      embedding: unit(0, 0.1 * next(), 1),
      difficulty: steps,
    });
  }
  correctness.forEach((row) =>
    battles.push({
      prompt: row.prompt,
      modelA: 'big',
      modelB: 'small',
      winRateA: 1,
      judge: 'judge',
      lengthLogRatio: 0,
    }),
  );
  return {
    pair: { strong: STRONG_MODEL, weak: WEAK_MODEL },
    prompts,
    battles,
    correctness,
    encoderId: 'fake-encoder@test',
    report: { read: {}, removed: {}, decontaminated: { byBenchmark: {}, bySource: {}, checked: false }, kept: {} },
  };
}

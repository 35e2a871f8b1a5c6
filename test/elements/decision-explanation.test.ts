import { describe, expect, it } from 'vitest';
import { explainDecision, promptCue } from '../../src/elements/decision-explanation.ts';
import type { RouteDecision } from '../../src/sdk/index.ts';

function decision(patch: Partial<RouteDecision>): RouteDecision {
  return {
    model: 'weak',
    tier: 'weak',
    score: 0.2,
    threshold: 0.5,
    router: 'knn-gain',
    device: 'wasm',
    latencyMs: 3,
    truncated: false,
    calibration: 'manifest',
    strongPct: 0.5,
    fallback: false,
    ...patch,
  };
}

const PRIMES =
  'Prove that there are infinitely many prime numbers, then explain step by step how the same idea shows that there are infinitely many primes of the form 4k + 3.';

describe('promptCue', () => {
  it.each([
    ['Hi! How are you today?', 'small talk', 'weak'],
    ['thanks, that helped', 'small talk', 'weak'],
    ['What is the capital of France?', 'a short factual question', 'weak'],
    ['Why is the sky blue?', 'a short question', 'weak'],
    ['What is 2+2?', 'a short math question', 'weak'],
    [PRIMES, 'a multi-step math problem', 'strong'],
    ['Solve x^2 - 5x + 6 = 0 and show that both roots are integers.', 'a multi-step math problem', 'strong'],
    [
      '```ts\nconst total = items.reduce((sum, item) => sum + item.price, 0);\n```\nWhy is total NaN?',
      'code',
      'strong',
    ],
    ['Write a Python function that reverses a linked list.', 'a programming question', 'strong'],
    ['Which of these is a mammal?\nA. shark\nB. whale\nC. trout\nD. squid', 'a multiple-choice question', 'neither'],
    ['Write a short poem about autumn leaves falling in the park.', 'a creative-writing request', 'neither'],
    [
      'If a train leaves at 3 pm going 60 mph and another leaves at 4 pm going 80 mph, when does the second catch up?',
      'a word problem with several numbers',
      'strong',
    ],
    ['Summarize this', 'a short prompt (2 words)', 'weak'],
  ])('%j looks like %s', (prompt, label, leans) => {
    expect(promptCue(prompt)).toEqual({ label, leans });
  });

  it('calls a long request long, with its word count', () => {
    expect(promptCue('Please review the following plan carefully. '.repeat(30))).toEqual({
      label: 'a long, detailed request (180 words)',
      leans: 'strong',
    });
  });

  it('names nothing when no cue is clear (plain prose of some length, one long word)', () => {
    expect(
      promptCue('I have been thinking about moving to a new city next year and I wonder what I should consider first'),
    ).toBeUndefined();
    expect(promptCue('x'.repeat(300))).toBeUndefined();
  });
});

describe('explainDecision', () => {
  it('names the prompt’s cue and the score against the threshold', () => {
    expect(explainDecision(decision({ score: 0.123, threshold: 0.4 }), 'Hi! How are you today?')).toBe(
      'Answered by the cheap model: this looks like small talk, and its score 0.123 is below the threshold 0.400.',
    );
    expect(explainDecision(decision({ tier: 'strong', model: 'strong', score: 0.81, threshold: 0.4 }), PRIMES)).toBe(
      'Answered by the strong model: this looks like a multi-step math problem, and its score 0.810 is at or above the threshold 0.400.',
    );
  });

  it('says so when the cue points the other way from the decision, rather than claiming the cue decided', () => {
    expect(explainDecision(decision({ score: 0.3 }), 'Write a Python function that reverses a linked list.')).toBe(
      'Answered by the cheap model, although this looks like a programming question: its score 0.300 is below the threshold 0.500.',
    );
  });

  it('falls back to the score against the threshold when no cue is clear, and marks close calls and truncation', () => {
    const prose = 'I have been thinking about moving to a new city next year and I wonder what I should consider first';
    expect(explainDecision(decision({ score: 0.49 }), prose)).toBe(
      'Answered by the cheap model: its score 0.490 is below the threshold 0.500, a close call.',
    );
    expect(explainDecision(decision({ tier: 'strong', score: 0.7, truncated: true }), prose)).toBe(
      'Answered by the strong model: its score 0.700 is at or above the threshold 0.500 (only its beginning was scored).',
    );
  });

  it('says what the length and random routers see instead of describing content they ignore', () => {
    expect(explainDecision(decision({ router: 'length', score: 0.006 }), 'Hi')).toBe(
      'Answered by the cheap model: the length router only measures length, and this prompt is short (2 characters); its score 0.006 is below the threshold 0.500.',
    );
    expect(explainDecision(decision({ router: 'random', tier: 'strong', score: 0.9 }), 'Hi')).toBe(
      'Answered by the strong model: the random router picks by chance; its score 0.900 is at or above the threshold 0.500.',
    );
  });

  it('says the router could not run when the fallback decided', () => {
    expect(explainDecision(decision({ fallback: true, tier: 'strong', score: null, threshold: null }), PRIMES)).toBe(
      'Answered by the strong model: the router could not run, so every prompt goes there.',
    );
  });
});

import { createPrng } from '../../src/core/prng.ts';

const CALCULUS = [
  'derivative',
  'integral',
  'limit',
  'series',
  'convergence',
  'tangent',
  'gradient',
  'Jacobian',
  'Taylor',
  'polynomial',
  'logarithm',
  'exponential',
  'sine',
  'cosine',
  'asymptote',
  'inflection',
  'concavity',
  'substitution',
  'partial',
  'fractions',
  'Riemann',
  'sum',
  'curvature',
  'Laplace',
  'transform',
  'eigenvalue',
  'differential',
  'equation',
  'boundary',
  'manifold',
];
const COOKING = [
  'butter',
  'garlic',
  'onion',
  'oven',
  'simmer',
  'roast',
  'bake',
  'dough',
  'yeast',
  'flour',
  'salt',
  'pepper',
  'lemon',
  'basil',
  'tomato',
  'risotto',
  'pancake',
  'soup',
  'stew',
  'curry',
  'lentil',
  'chicken',
  'salmon',
  'spinach',
  'mushroom',
  'cheese',
  'vinegar',
  'honey',
  'skillet',
  'marinade',
];
const OPENINGS = [
  'Explain',
  'Help me with',
  'I have a question about',
  'Can you walk me through',
  'Tell me about',
  'What should I know about',
];

/**
 * A user's golden-label CSV with a known answer, for end-to-end training tests: questions on two topics, of the
 * same length distribution, where the weak model ('small-model') fails most calculus questions and answers most
 * cooking ones, and the strong one ('big-model') answers nearly all. Each prompt is a random bag of its topic's
 * words, so prompts are not near-duplicates of each other. A router that learns the topic beats `length` and
 * `random` on held-out rows.
 */
export function userGoldenCsv(rows: number, seed: number): string {
  const next = createPrng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const lines = ['prompt,big-model,small-model'];
  for (let index = 0; index < rows; index++) {
    const calculus = next() < 0.5;
    const words = Array.from({ length: 5 + Math.floor(next() * 8) }, () => pick(calculus ? CALCULUS : COOKING));
    const prompt = `${pick(OPENINGS)} ${words.join(' ')}.`;
    const strong = next() < 0.95 ? 1 : 0;
    const weak = calculus ? (next() < 0.15 ? 1 : 0) : next() < 0.9 ? 1 : 0;
    lines.push(`"${prompt}",${strong},${weak}`);
  }
  return `${lines.join('\n')}\n`;
}

import { InvalidInputError } from '../../../core/index.ts';
/**
 * What the classifier head reads besides the embedding: prompt statistics over its tokens. The same definitions
 * compute them in JavaScript for training and in the exported ONNX graph (a per-piece lookup table summed over the
 * attention mask), so the two cannot drift apart.
 */

/** A kind of token the head counts, by SentencePiece piece. */
export interface TokenClass {
  readonly name: string;
  readonly matches: (piece: string, id: number) => boolean;
}

/**
 * Markers of task type and of work within a task (the "digits, code or math markers"): a prompt's count of
 * each, like its length, tells how much there is to compute or write.
 */
export const TOKEN_CLASSES: readonly TokenClass[] = [
  { name: 'digits', matches: (piece) => /\p{Nd}/u.test(piece) },
  { name: 'math', matches: (piece) => /[=+*^<>√∫×−±∑∞]/.test(piece) },
  { name: 'code', matches: (piece) => /[{}();[\]#_\\|`]/.test(piece) },
  // Characters outside the vocabulary (newlines, most non-Latin text, many symbols) become id 0.
  { name: 'unknown', matches: (_, id) => id === 0 },
];

export function tokenClass(name: string): TokenClass {
  const found = TOKEN_CLASSES.find((entry) => entry.name === name);
  if (!found)
    throw new InvalidInputError(
      `unknown token class '${name}' (known: ${TOKEN_CLASSES.map((entry) => entry.name).join(', ')})`,
    );
  return found;
}

/** Row-major [vocabulary, classes] table of 0/1: which classes each piece belongs to. */
export function tokenClassTable(pieces: readonly string[], classes: readonly TokenClass[]): Float32Array {
  const table = new Float32Array(pieces.length * classes.length);
  pieces.forEach((piece, id) =>
    classes.forEach((entry, column) => (table[id * classes.length + column] = entry.matches(piece, id) ? 1 : 0)),
  );
  return table;
}

/**
 * The statistics, in head order: ln(1 + tokens), then ln(1 + count) per class. Logarithms, because one more digit
 * matters in a short question and not in a long document.
 */
export function promptStatistics(ids: readonly number[], table: Float32Array, classCount: number): Float64Array {
  const statistics = new Float64Array(1 + classCount);
  statistics[0] = Math.log1p(ids.length);
  for (let column = 0; column < classCount; column++) {
    let count = 0;
    for (const id of ids) count += table[id * classCount + column]!;
    statistics[1 + column] = Math.log1p(count);
  }
  return statistics;
}

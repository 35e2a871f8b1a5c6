import { ModelLoadError } from '../core/index.ts';
import type { OverflowStrategy } from './options.ts';

/** Special tokens a tokenizer puts around every sequence ([CLS] ... [SEP] for BERT; none for USE-lite). */
export interface SpecialTokens {
  prefix: readonly number[];
  suffix: readonly number[];
}

/** A text's token ids cut into model windows. */
export interface TokenWindows {
  /** Each window is prefix + part of the content + suffix, at most maxTokens long. */
  windows: number[][];
  /** Tokens of the whole text, special tokens included. */
  tokens: number;
  truncated: boolean;
}

/**
 * Finds the special-token layout by encoding a probe text with and without special tokens: the content must appear
 * contiguously inside the full encoding, which holds for every single-sequence post-processor.
 */
export function detectSpecialTokens(encode: (text: string, addSpecialTokens: boolean) => number[]): SpecialTokens {
  const probe = 'hello world';
  const full = encode(probe, true);
  const content = encode(probe, false);
  for (let start = 0; start + content.length <= full.length; start++) {
    if (content.every((id, offset) => full[start + offset] === id)) {
      return { prefix: full.slice(0, start), suffix: full.slice(start + content.length) };
    }
  }
  throw new ModelLoadError(
    'The tokenizer wraps text in a way the encoder cannot window (content is not contiguous).',
    'model_load_failed',
  );
}

/**
 * Cuts content token ids into windows of at most maxTokens (special tokens included): the first window only
 * ('truncate'), or consecutive windows covering all of it ('chunk').
 */
export function splitIntoWindows(
  content: readonly number[],
  special: SpecialTokens,
  maxTokens: number,
  overflow: OverflowStrategy,
): TokenWindows {
  const capacity = maxTokens - special.prefix.length - special.suffix.length;
  if (capacity < 1)
    throw new ModelLoadError(`maxTokens ${maxTokens} leaves no room between the special tokens.`, 'model_load_failed');
  const tokens = special.prefix.length + content.length + special.suffix.length;
  const wrap = (part: readonly number[]) => [...special.prefix, ...part, ...special.suffix];
  if (content.length <= capacity) return { windows: [wrap(content)], tokens, truncated: false };
  if (overflow === 'truncate') return { windows: [wrap(content.slice(0, capacity))], tokens, truncated: true };
  const windows: number[][] = [];
  for (let start = 0; start < content.length; start += capacity)
    windows.push(wrap(content.slice(start, start + capacity)));
  return { windows, tokens, truncated: false };
}

/** Right-pads windows to one length: the input_ids and attention_mask of one batch, row-major [rows, length]. */
export function padWindows(
  windows: readonly (readonly number[])[],
  padId: number,
): { inputIds: BigInt64Array; attentionMask: BigInt64Array; length: number } {
  const length = Math.max(1, ...windows.map((window) => window.length));
  const inputIds = new BigInt64Array(windows.length * length).fill(BigInt(padId));
  const attentionMask = new BigInt64Array(windows.length * length);
  windows.forEach((window, row) => {
    window.forEach((id, column) => {
      inputIds[row * length + column] = BigInt(id);
      attentionMask[row * length + column] = 1n;
    });
  });
  return { inputIds, attentionMask, length };
}

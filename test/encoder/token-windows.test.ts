import { describe, expect, it } from 'vitest';
import { ModelLoadError } from '../../src/core/errors.ts';
import { detectSpecialTokens, padWindows, splitIntoWindows } from '../../src/encoder/token-windows.ts';

const BERT = { prefix: [101], suffix: [102] };
const NONE = { prefix: [], suffix: [] };

describe('detectSpecialTokens', () => {
  it('finds the tokens around the content', () => {
    const encode = (text: string, special: boolean) => {
      const content = text.split(' ').map((word) => word.length);
      return special ? [101, ...content, 102] : content;
    };
    expect(detectSpecialTokens(encode)).toEqual(BERT);
  });

  it('finds none for a tokenizer without a post-processor', () => {
    expect(detectSpecialTokens((text) => [...text].map((char) => char.charCodeAt(0)))).toEqual(NONE);
  });

  it('refuses a layout where the content is not contiguous', () => {
    const encode = (_: string, special: boolean) => (special ? [1, 9, 2, 9, 3] : [1, 2, 3]);
    expect(() => detectSpecialTokens(encode)).toThrow(ModelLoadError);
  });
});

describe('splitIntoWindows', () => {
  const content = [1, 2, 3, 4, 5, 6, 7];

  it('keeps a short text in one window', () => {
    expect(splitIntoWindows([1, 2], BERT, 5, 'truncate')).toEqual({
      windows: [[101, 1, 2, 102]],
      tokens: 4,
      truncated: false,
    });
  });

  it('keeps a text of exactly maxTokens whole', () => {
    expect(splitIntoWindows([1, 2, 3], BERT, 5, 'truncate')).toEqual({
      windows: [[101, 1, 2, 3, 102]],
      tokens: 5,
      truncated: false,
    });
  });

  it('truncates the content and keeps the special tokens', () => {
    expect(splitIntoWindows(content, BERT, 5, 'truncate')).toEqual({
      windows: [[101, 1, 2, 3, 102]],
      tokens: 9,
      truncated: true,
    });
  });

  it('chunks the content into consecutive windows', () => {
    expect(splitIntoWindows(content, BERT, 5, 'chunk')).toEqual({
      windows: [
        [101, 1, 2, 3, 102],
        [101, 4, 5, 6, 102],
        [101, 7, 102],
      ],
      tokens: 9,
      truncated: false,
    });
    expect(splitIntoWindows(content, NONE, 4, 'chunk').windows).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7],
    ]);
  });

  it('rejects a limit with no room for content', () => {
    expect(() => splitIntoWindows(content, BERT, 2, 'chunk')).toThrow(/no room/);
  });
});

describe('padWindows', () => {
  it('right-pads to the longest window with a zero attention mask', () => {
    const { inputIds, attentionMask, length } = padWindows([[5, 6, 7], [8]], 0);
    expect(length).toBe(3);
    expect([...inputIds]).toEqual([5n, 6n, 7n, 8n, 0n, 0n]);
    expect([...attentionMask]).toEqual([1n, 1n, 1n, 1n, 0n, 0n]);
  });

  it('pads with the tokenizer pad id', () => {
    expect([...padWindows([[5], [8, 9]], 3).inputIds]).toEqual([5n, 3n, 8n, 9n]);
  });
});

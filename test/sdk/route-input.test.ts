import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.ts';
import { promptOf } from '../../src/sdk/route-input.ts';

describe('promptOf', () => {
  it('routes a string as it is', () => {
    expect(promptOf('  What is 2+2? ')).toBe('  What is 2+2? ');
  });

  it('routes on the last user message, as RouteLLM does', () => {
    expect(
      promptOf([
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'first question' },
        { role: 'assistant', content: 'an answer' },
        { role: 'user', content: 'follow-up question' },
        { role: 'assistant', content: null, tool_calls: [] },
      ]),
    ).toBe('follow-up question');
  });

  it('joins the text parts of a multi-part message and skips other parts', () => {
    const content = [
      { type: 'text', text: 'Describe this image' },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
      { type: 'text', text: 'in one line.' },
    ];
    expect(promptOf([{ role: 'user', content }])).toBe('Describe this image\nin one line.');
  });

  it('refuses input with no text to route, saying why', () => {
    const cases: [unknown, RegExp][] = [
      ['', /prompt is empty/],
      ['  \n ', /prompt is empty/],
      [[], /no messages/],
      [[{ role: 'assistant', content: 'hi' }], /no user message/],
      [[{ role: 'user', content: [{ type: 'image_url', image_url: {} }] }], /messages\[0\]\) has no text/],
      [[{ role: 'user', content: '' }], /has no text/],
      [[{ role: 'user', content: 42 }], /content must be a string or an array of content parts, got number/],
      [[{ role: 'user', content: [{ type: 'text', text: 3 }] }], /content\[0\]\.text must be a string/],
      [[null], /messages\[0\] must be an object, got null/],
      [42, /got number/],
      [{ role: 'user', content: 'hi' }, /got object/],
    ];
    for (const [input, message] of cases) {
      expect(() => promptOf(input as string), JSON.stringify(input)).toThrow(InvalidInputError);
      expect(() => promptOf(input as string), JSON.stringify(input)).toThrow(message);
    }
  });
});

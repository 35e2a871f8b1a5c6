import { InvalidInputError } from '../core/index.ts';
import type { ChatCompletionMessageParam } from './openai-types.ts';

/** What can be routed: a prompt, or a conversation in OpenAI's message format. */
export type RouteInput = string | readonly ChatCompletionMessageParam[];

/**
 * The text a router scores for an input: the string itself, or (as RouteLLM does) the last user message of a
 * conversation, its text parts joined by newlines. Throws InvalidInputError for anything with no text to route.
 */
export function promptOf(input: RouteInput): string {
  if (typeof input === 'string') {
    if (input.trim() === '') throw new InvalidInputError('The prompt is empty: there is nothing to route.');
    return input;
  }
  if (!Array.isArray(input)) {
    throw new InvalidInputError(
      `Route input must be a prompt string or an array of chat messages, got ${describeValue(input)}.`,
    );
  }
  for (let index = input.length - 1; index >= 0; index--) {
    const message: unknown = input[index];
    if (typeof message !== 'object' || message === null)
      throw new InvalidInputError(`messages[${index}] must be an object, got ${describeValue(message)}.`);
    if ((message as ChatCompletionMessageParam).role !== 'user') continue;
    const text = textOf((message as ChatCompletionMessageParam).content, index);
    if (text.trim() === '')
      throw new InvalidInputError(`The last user message (messages[${index}]) has no text to route.`);
    return text;
  }
  throw new InvalidInputError(
    input.length === 0
      ? 'The conversation has no messages to route.'
      : 'The conversation has no user message to route.',
  );
}

function textOf(content: unknown, index: number): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown, partIndex) => {
        if (typeof part !== 'object' || part === null)
          throw new InvalidInputError(`messages[${index}].content[${partIndex}] must be an object.`);
        const { type, text } = part as { type?: unknown; text?: unknown };
        if (type !== 'text') return undefined;
        if (typeof text !== 'string')
          throw new InvalidInputError(`messages[${index}].content[${partIndex}].text must be a string.`);
        return text;
      })
      .filter((text): text is string => text !== undefined)
      .join('\n');
  }
  if (content === null || content === undefined) return '';
  throw new InvalidInputError(
    `messages[${index}].content must be a string or an array of content parts, got ${describeValue(content)}.`,
  );
}

function describeValue(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

import { describe, expect, it } from 'vitest';
import { AbortError, InvalidInputError, RelayError } from '../../src/core/errors.ts';
import { ChatCompletionStream } from '../../src/sdk/chat-stream.ts';

const chunk = (content: string, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: finish }] })}\n\n`;

/** A response whose body sends these pieces, then ends or fails. */
function responseOf(pieces: string[], end: 'close' | 'error' = 'close'): Response {
  const encoder = new TextEncoder();
  let index = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (index < pieces.length) controller.enqueue(encoder.encode(pieces[index++]!));
      else if (end === 'close') controller.close();
      else controller.error(new TypeError('terminated'));
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
}

async function drain(stream: ChatCompletionStream): Promise<string> {
  let text = '';
  for await (const part of stream) text += part.choices[0]?.delta.content ?? '';
  return text;
}

describe('ChatCompletionStream', () => {
  it('ends at [DONE]', async () => {
    expect(
      await drain(
        new ChatCompletionStream(
          responseOf([chunk('a'), chunk('b', 'stop'), 'data: [DONE]\n\n', chunk('ignored')]),
          undefined,
          new AbortController(),
        ),
      ),
    ).toBe('ab');
  });

  it('accepts a stream without [DONE] that ends after its finish_reason', async () => {
    expect(
      await drain(
        new ChatCompletionStream(responseOf([chunk('a'), chunk('', 'stop')]), undefined, new AbortController()),
      ),
    ).toBe('a');
  });

  it('rejects a stream that ends before the answer is complete', async () => {
    const stream = new ChatCompletionStream(responseOf([chunk('a')]), undefined, new AbortController());
    await expect(drain(stream)).rejects.toThrow('The response stream ended before the answer was complete.');
  });

  it('rejects a stream whose connection fails mid-answer', async () => {
    const stream = new ChatCompletionStream(responseOf([chunk('a')], 'error'), undefined, new AbortController());
    await expect(drain(stream)).rejects.toSatisfy(
      (error: unknown) =>
        error instanceof RelayError && error.status === 502 && /cut off: terminated/.test(error.message),
    );
  });

  it('turns an error event into a RelayError with its code', async () => {
    const event = `data: ${JSON.stringify({ error: { message: 'overloaded', type: 'server_error', code: 'upstream_error' } })}\n\n`;
    const stream = new ChatCompletionStream(responseOf([chunk('a'), event]), undefined, new AbortController());
    await expect(drain(stream)).rejects.toMatchObject({
      name: 'RelayError',
      message: 'overloaded',
      relayCode: 'upstream_error',
    });
  });

  it('rejects an event that is not JSON', async () => {
    const stream = new ChatCompletionStream(responseOf(['data: {oops\n\n']), undefined, new AbortController());
    await expect(drain(stream)).rejects.toThrow(/not JSON: \{oops/);
  });

  it('rejects with AbortError once aborted', async () => {
    const controller = new AbortController();
    const stream = new ChatCompletionStream(responseOf([chunk('a'), chunk('b')]), undefined, controller);
    controller.abort();
    await expect(drain(stream)).rejects.toBeInstanceOf(AbortError);
  });

  it('refuses a second iteration with InvalidInputError (a misuse), after the first read the whole answer', async () => {
    const stream = new ChatCompletionStream(
      responseOf([chunk('a', 'stop'), 'data: [DONE]\n\n']),
      undefined,
      new AbortController(),
    );
    expect(await drain(stream)).toBe('a');
    await expect(drain(stream)).rejects.toThrow(InvalidInputError);
  });
});

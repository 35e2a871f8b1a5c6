import { AbortError, errorMessage, InvalidInputError, RelayError } from '../core/index.ts';
import type { ModelDecision } from './model-router.ts';
import type { RouteDecision } from './prompt-router.ts';
import type { ChatCompletionChunk } from './openai-types.ts';
import { readServerSentEvents } from './sse.ts';

/**
 * A streamed chat completion: an async iterable of OpenAI chunks (each chunk's `model` names the model that
 * answers), with the routing decision that chose the model. Iterate it once. Breaking out of the loop, `abort()`,
 * or the request's AbortSignal stop the download, and the relay stops the provider.
 */
export class ChatCompletionStream implements AsyncIterable<ChatCompletionChunk> {
  private iterated = false;

  constructor(
    /** The relay's response (headers, status); its body is read by iterating. */
    readonly response: Response,
    /** The decision behind the model choice; undefined when the request named a model directly. */
    readonly routing: RouteDecision | undefined,
    /** Aborts this request. */
    readonly controller: AbortController,
    /** Aborted by `abort()` or by the caller's signal. */
    private readonly signal: AbortSignal = controller.signal,
    /** With `model: 'router-auto'`: the choice among N models (every model's quality and cost, and why). */
    readonly choice: ModelDecision | undefined = undefined,
  ) {}

  abort(): void {
    this.controller.abort();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<ChatCompletionChunk, void, undefined> {
    if (this.iterated) throw new InvalidInputError('A ChatCompletionStream can be iterated only once.');
    this.iterated = true;
    const body = this.response.body;
    if (!body) throw new RelayError('The relay answered a streaming request with an empty body.', 502);
    let finished = false;
    try {
      for await (const event of readServerSentEvents(body)) {
        if (event.data === '[DONE]') return;
        let payload: unknown;
        try {
          payload = JSON.parse(event.data);
        } catch {
          throw new RelayError(`The stream carried an event that is not JSON: ${event.data.slice(0, 80)}`, 502);
        }
        const error = (payload as { error?: { message?: unknown; type?: unknown; code?: unknown } }).error;
        if (typeof error === 'object' && error !== null) {
          throw new RelayError(
            typeof error.message === 'string' ? error.message : 'The provider failed mid-stream.',
            502,
            typeof error.type === 'string' ? error.type : undefined,
            {
              ...(typeof error.code === 'string' && { relayCode: error.code }),
            },
          );
        }
        const chunk = payload as ChatCompletionChunk;
        if (chunk.choices?.some((choice) => choice.finish_reason)) finished = true;
        yield chunk;
      }
    } catch (error) {
      if (this.signal.aborted) throw new AbortError();
      if (error instanceof RelayError) throw error;
      throw new RelayError(`The response stream was cut off: ${errorMessage(error)}`, 502, undefined, { cause: error });
    }
    // Some servers omit [DONE]; a stream that ends after its finish_reason is complete, one that ends before it is not.
    if (this.signal.aborted) throw new AbortError();
    if (!finished) throw new RelayError('The response stream ended before the answer was complete.', 502);
  }
}

import { describe, expect, it } from 'vitest';
import { readServerSentEvents, type ServerSentEvent } from '../../src/sdk/sse.ts';

function streamOf(chunks: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
      controller.close();
    },
  });
}

async function collect(chunks: (string | Uint8Array)[]): Promise<ServerSentEvent[]> {
  const events: ServerSentEvent[] = [];
  for await (const event of readServerSentEvents(streamOf(chunks))) events.push(event);
  return events;
}

describe('readServerSentEvents', () => {
  it('reads OpenAI-style data events and [DONE]', async () => {
    const events = await collect(['data: {"a":1}\n\n', 'data: [DONE]\n\n']);
    expect(events).toEqual([
      { event: 'message', data: '{"a":1}', id: undefined },
      { event: 'message', data: '[DONE]', id: undefined },
    ]);
  });

  it('handles every line ending, even a CRLF split across chunks', async () => {
    const events = await collect(['data: one\r', '\n\r\ndata: two\r\rdata: three\n', '\n']);
    expect(events.map((event) => event.data)).toEqual(['one', 'two', 'three']);
  });

  it('joins multi-line data, keeps event names and ids, and skips comments and unknown fields', async () => {
    const events = await collect([
      ': keep-alive\n',
      'event: delta\nid: 7\nretry: 10\nfoo: bar\ndata: line 1\ndata:line 2\n\n',
      'data\n\n',
    ]);
    expect(events).toEqual([
      { event: 'delta', data: 'line 1\nline 2', id: '7' },
      { event: 'message', data: '', id: '7' },
    ]);
  });

  it('decodes UTF-8 split inside a character and drops an event not closed by a blank line', async () => {
    const bytes = new TextEncoder().encode('data: héllo ✓\n\ndata: unfinished');
    const events = await collect([bytes.slice(0, 9), bytes.slice(9, 17), bytes.slice(17)]);
    expect(events.map((event) => event.data)).toEqual(['héllo ✓']);
  });

  it('dispatches nothing for an event without data lines', async () => {
    expect(await collect(['event: ping\n\n', 'id: 3\n\n'])).toEqual([]);
  });

  it('cancels the body when the consumer stops early', async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode('data: x\n\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const event of readServerSentEvents(body)) {
      expect(event.data).toBe('x');
      break;
    }
    expect(cancelled).toBe(true);
  });
});

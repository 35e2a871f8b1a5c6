/** One server-sent event (https://html.spec.whatwg.org/multipage/server-sent-events.html). */
export interface ServerSentEvent {
  /** The `event:` field; 'message' when the server named none. */
  event: string;
  /** The `data:` lines, joined by newlines. */
  data: string;
  id: string | undefined;
}

/**
 * Reads server-sent events from a response body as the HTML standard parses them: lines end in CRLF, LF or CR,
 * `field: value` lines build an event, a blank line dispatches it, lines starting with ':' are comments, and an
 * event with no data is not dispatched. The one SSE reader of the SDK; the relay's streams and any
 * OpenAI-compatible server's go through it.
 */
export async function* readServerSentEvents(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<ServerSentEvent, void, undefined> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  let event = '';
  let lastEventId: string | undefined;
  // A CR at the end of one chunk may be the first half of a CRLF split across chunks.
  let pendingCR = false;

  const line = (text: string): ServerSentEvent | undefined => {
    if (text === '') {
      const dispatched =
        data.length > 0 ? { event: event || 'message', data: data.join('\n'), id: lastEventId } : undefined;
      data = [];
      event = '';
      return dispatched;
    }
    if (text.startsWith(':')) return undefined;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id' && !value.includes('\0')) lastEventId = value;
    return undefined;
  };

  try {
    for (;;) {
      const { done, value } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      if (pendingCR && buffer.startsWith('\n')) buffer = buffer.slice(1);
      pendingCR = false;
      let start = 0;
      for (let index = 0; index < buffer.length; index++) {
        const char = buffer[index];
        if (char !== '\n' && char !== '\r') continue;
        const dispatched = line(buffer.slice(start, index));
        if (char === '\r') {
          if (index + 1 === buffer.length) pendingCR = true;
          else if (buffer[index + 1] === '\n') index++;
        }
        start = index + 1;
        if (dispatched) yield dispatched;
      }
      buffer = buffer.slice(start);
      if (done) break;
    }
    // At the end of the stream an event not closed by a blank line is discarded, as the standard says.
  } finally {
    // Also reached when the consumer stops early: cancelling tells the server (through the fetch) to stop sending.
    await reader.cancel().catch(() => undefined);
  }
}

/**
 * A fake OpenAI-compatible provider: a real HTTP server on 127.0.0.1 (random port) that records what it received and
 * answers as told, so tests can check what reached the provider (the key, the body, no client credentials) and make
 * the provider stream, stall, fail or drop the connection. Used by the relay tests, the browser end-to-end tests and
 * `npm run bench:relay`.
 *
 *   const upstream = await startFakeUpstream();                  // answers every chat request with a completion
 *   upstream.url                                                  // 'http://127.0.0.1:PORT/v1', a provider baseURL
 *   upstream.setReply({ kind: 'stall', afterChunks: 2 });        // from now on
 *   upstream.requests[0].headers.authorization                   // what arrived
 *   await upstream.requests[0].ended                              // 'completed' | 'aborted' | 'dropped'
 *   await upstream.close();
 *
 * Run directly (`tsx test/support/fake-upstream.ts [--port N] [--words N] [--interval-ms N]`) it serves completions
 * until stopped and prints its base URL on one line.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { errorMessage } from '../../src/core/errors.ts';

/** How the fake answers one chat request. */
export type FakeReply =
  /** A well-formed completion: SSE chunks when the request says `stream: true`, one JSON object otherwise. */
  | { kind: 'complete'; content?: string; chunkIntervalMs?: number }
  /** Exactly these bytes as the response body, written chunk by chunk (for byte-for-byte checks). */
  | {
      kind: 'raw';
      status?: number;
      headers?: Record<string, string>;
      chunks: readonly (string | Uint8Array)[];
      chunkIntervalMs?: number;
    }
  /** Never finish: before the response headers, or (streaming) after sending `afterChunks` chunks. */
  | { kind: 'stall'; afterChunks?: number }
  /** An error status with a body (default: an OpenAI-style error object). */
  | { kind: 'fail'; status: number; body?: string; headers?: Record<string, string> }
  /** Destroy the connection: before the response headers, or (streaming) after `afterChunks` chunks. */
  | { kind: 'drop'; afterChunks?: number };

export type ExchangeEnd = 'completed' | 'aborted' | 'dropped';

export interface RecordedRequest {
  readonly method: string;
  /** Path and query as received, e.g. `/v1/chat/completions`. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: unknown;
  /** The response body bytes written so far. */
  readonly sent: () => Buffer;
  /** Settles when the exchange is over: completed by the fake, aborted by the caller, or dropped by the fake. */
  readonly ended: Promise<ExchangeEnd>;
}

export interface FakeUpstreamOptions {
  /** The reply to every chat request, or a function choosing one per request. Default: `{ kind: 'complete' }`. */
  reply?: FakeReply | ((request: RecordedRequest) => FakeReply);
  /** Keep each request in `requests` (default true); a long benchmark turns this off to keep memory flat. */
  record?: boolean;
  /** Port to listen on; default 0 (a free port). */
  port?: number;
}

export interface FakeUpstream {
  /** The provider base URL to put in a relay config: `http://127.0.0.1:<port>/v1`. */
  readonly url: string;
  readonly port: number;
  readonly requests: readonly RecordedRequest[];
  setReply(reply: NonNullable<FakeUpstreamOptions['reply']>): void;
  /** Stops listening and cuts every open connection (stalled exchanges included). */
  close(): Promise<void>;
}

export const DEFAULT_CONTENT = 'Hello from the fake upstream, a stand-in for a real provider.';

export async function startFakeUpstream(options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  let reply = options.reply ?? { kind: 'complete' };
  const record = options.record ?? true;
  const requests: RecordedRequest[] = [];
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const later = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const server = createServer(async (incoming, outgoing) => {
    const body = await readBody(incoming);
    const sentChunks: Buffer[] = [];
    let dropped = false;
    const ended = new Promise<ExchangeEnd>((resolve) => {
      outgoing.on('close', () => resolve(dropped ? 'dropped' : outgoing.writableFinished ? 'completed' : 'aborted'));
    });
    const recorded: RecordedRequest = {
      method: incoming.method ?? '',
      path: incoming.url ?? '',
      headers: incoming.headers,
      body,
      json: parseJson(body),
      sent: () => Buffer.concat(sentChunks),
      ended,
    };
    if (record) requests.push(recorded);
    const write = (chunk: string | Uint8Array) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk);
      sentChunks.push(bytes);
      outgoing.write(bytes);
    };
    const drop = () => {
      dropped = true;
      outgoing.destroy();
    };

    const path = (incoming.url ?? '').split('?')[0] ?? '';
    if (incoming.method === 'GET' && path.endsWith('/models')) {
      outgoing.writeHead(200, { 'content-type': 'application/json' });
      write(
        JSON.stringify({ object: 'list', data: [{ id: 'fake-model', object: 'model', created: 0, owned_by: 'fake' }] }),
      );
      outgoing.end();
      return;
    }
    if (incoming.method !== 'POST' || !path.endsWith('/chat/completions')) {
      outgoing.writeHead(404, { 'content-type': 'application/json' });
      write(
        JSON.stringify({ error: { message: `No route ${incoming.method} ${path}`, type: 'invalid_request_error' } }),
      );
      outgoing.end();
      return;
    }

    const chosen = typeof reply === 'function' ? reply(recorded) : reply;
    const request = (recorded.json ?? {}) as {
      model?: unknown;
      stream?: unknown;
      stream_options?: { include_usage?: unknown };
    };
    const streaming = request.stream === true;
    const model = typeof request.model === 'string' ? request.model : 'fake-model';

    switch (chosen.kind) {
      case 'fail': {
        outgoing.writeHead(chosen.status, { 'content-type': 'application/json', ...chosen.headers });
        write(
          chosen.body ??
            JSON.stringify({ error: { message: `fake failure ${chosen.status}`, type: 'server_error', code: null } }),
        );
        outgoing.end();
        return;
      }
      case 'raw': {
        outgoing.writeHead(chosen.status ?? 200, chosen.headers ?? { 'content-type': 'text/event-stream' });
        for (const chunk of chosen.chunks) {
          if (outgoing.destroyed) return;
          write(chunk);
          if (chosen.chunkIntervalMs) await later(chosen.chunkIntervalMs);
        }
        outgoing.end();
        return;
      }
      case 'stall':
      case 'drop': {
        if (chosen.afterChunks === undefined) {
          if (chosen.kind === 'drop') drop();
          return; // stalled: the caller's timeout or hang-up ends it
        }
        outgoing.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        outgoing.flushHeaders();
        for (const chunk of completionChunks(model, DEFAULT_CONTENT, false).slice(0, chosen.afterChunks)) write(chunk);
        if (chosen.kind === 'drop') {
          // Let the chunks leave before the connection goes.
          await later(20);
          drop();
        }
        return;
      }
      case 'complete': {
        const content = chosen.content ?? DEFAULT_CONTENT;
        if (!streaming) {
          outgoing.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_fake' });
          write(JSON.stringify(completion(model, content, body)));
          outgoing.end();
          return;
        }
        outgoing.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-cache',
          'x-request-id': 'req_fake',
        });
        outgoing.flushHeaders();
        for (const chunk of completionChunks(model, content, request.stream_options?.include_usage === true, body)) {
          if (outgoing.destroyed) return;
          write(chunk);
          if (chosen.chunkIntervalMs) await later(chosen.chunkIntervalMs);
        }
        outgoing.end();
      }
    }
  });
  server.keepAliveTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    setReply(next) {
      reply = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function readBody(incoming: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    incoming.on('error', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A rough token count (words), so usage numbers depend on the input as a provider's would. */
function countTokens(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

function completion(model: string, content: string, requestBody: string) {
  const promptTokens = countTokens(requestBody);
  const completionTokens = countTokens(content);
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop', logprobs: null }],
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    },
  };
}

/** The SSE events of a streamed completion: one per word, a final one with finish_reason, usage if asked, [DONE]. */
function completionChunks(model: string, content: string, includeUsage: boolean, requestBody = ''): string[] {
  const base = { id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1_700_000_000, model };
  const event = (payload: unknown) => `data: ${JSON.stringify(payload)}\n\n`;
  const pieces = content.match(/\S+\s*/g) ?? [];
  const events = [
    event({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }),
  ];
  for (const piece of pieces)
    events.push(event({ ...base, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] }));
  events.push(event({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }));
  if (includeUsage) {
    const promptTokens = countTokens(requestBody);
    const completionTokens = countTokens(content);
    events.push(
      event({
        ...base,
        choices: [],
        usage: {
          prompt_tokens: promptTokens,
          completion_tokens: completionTokens,
          total_tokens: promptTokens + completionTokens,
        },
      }),
    );
  }
  events.push('data: [DONE]\n\n');
  return events;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      words: { type: 'string' },
      'interval-ms': { type: 'string', default: '0' },
    },
  });
  const port = Number(values.port);
  const words = values.words === undefined ? undefined : Number(values.words);
  const chunkIntervalMs = Number(values['interval-ms']);
  if (
    !Number.isInteger(port) ||
    port < 0 ||
    (words !== undefined && !(Number.isInteger(words) && words > 0)) ||
    !(chunkIntervalMs >= 0)
  ) {
    throw new Error('usage: fake-upstream [--port N] [--words N] [--interval-ms N]');
  }
  const content =
    words === undefined ? DEFAULT_CONTENT : Array.from({ length: words }, (_, index) => `word${index}`).join(' ');
  const upstream = await startFakeUpstream({
    port,
    record: false,
    reply: { kind: 'complete', content, chunkIntervalMs },
  });
  console.log(`fake upstream listening on ${upstream.url}`);
  const stop = () => void upstream.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(`fake-upstream: ${errorMessage(error)}`);
    process.exit(1);
  });
}

/** The Node entry as an internet-facing server: slow clients cut off, a connection cap, each refusal logged. */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { configFor, eventually, HELLO, startTestRelay, type TestRelay } from './harness.ts';

let upstream: FakeUpstream | undefined;
let relay: TestRelay | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await relay?.close();
  await upstream?.close();
  relay = undefined;
  upstream = undefined;
});

async function start(limits: Record<string, number>) {
  upstream = await startFakeUpstream({
    reply: { kind: 'complete', content: 'word '.repeat(200), chunkIntervalMs: 10 },
  });
  relay = await startTestRelay(configFor(upstream.url, { limits }));
  return relay;
}

/** A raw connection to the relay, collecting what it answers until it closes. */
async function rawConnection(
  relay: TestRelay,
): Promise<{ socket: Socket; answer: Promise<{ text: string; afterMs: number }> }> {
  const { port } = new URL(relay.url);
  const socket = connect({ host: '127.0.0.1', port: Number(port) });
  sockets.push(socket);
  await new Promise((resolve) => socket.once('connect', resolve));
  const startedAt = Date.now();
  const answer = new Promise<{ text: string; afterMs: number }>((resolve) => {
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    socket.on('error', () => undefined);
    socket.once('close', () => resolve({ text, afterMs: Date.now() - startedAt }));
  });
  return { socket, answer };
}

describe('node server limits', () => {
  it('cuts off a client that sends its body too slowly with a 408, and logs it', async () => {
    const relay = await start({ requestTimeoutMs: 400, headersTimeoutMs: 300 });
    const { socket, answer } = await rawConnection(relay);
    socket.write(
      'POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"model"',
    );
    const trickle = setInterval(() => socket.writable && socket.write(' '), 50);
    const { text, afterMs } = await answer;
    clearInterval(trickle);
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(text).toContain('"code":"request_timeout"');
    expect(afterMs).toBeLessThan(2_000);
    expect(relay.logs).toContainEqual(
      expect.objectContaining({ status: 408, refused: 'request_timeout', client: '127.0.0.1' }),
    );
  });

  it('cuts off a client that sends its headers too slowly', async () => {
    const relay = await start({ requestTimeoutMs: 5_000, headersTimeoutMs: 300 });
    const { socket, answer } = await rawConnection(relay);
    socket.write('GET /health HTTP/1.1\r\nhost: x\r\n');
    const trickle = setInterval(() => socket.writable && socket.write('x-slow: 1\r\n'), 50);
    const { text, afterMs } = await answer;
    clearInterval(trickle);
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(afterMs).toBeLessThan(2_000);
    expect(relay.logs.some((entry) => entry.refused === 'request_timeout')).toBe(true);
  });

  it('answers a connection over the cap with a 503 and logs it, and serves again once one closes', async () => {
    const relay = await start({ maxConnections: 2 });
    const first = await rawConnection(relay);
    await rawConnection(relay);
    const third = await rawConnection(relay);
    const { text } = await third.answer;
    expect(text).toMatch(/^HTTP\/1\.1 503 /);
    expect(text).toContain('"code":"too_many_connections"');
    expect(text.toLowerCase()).toContain('retry-after: 1');
    expect(relay.logs).toContainEqual(expect.objectContaining({ status: 503, refused: 'too_many_connections' }));
    first.socket.destroy();
    await first.answer;
    expect((await relay.call('/health', { headers: { connection: 'close' } })).status).toBe(200);
  });

  it('logs a request too large for its headers as a 431', async () => {
    const relay = await start({});
    const { socket, answer } = await rawConnection(relay);
    socket.write(`GET /health HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect((await answer).text).toMatch(/^HTTP\/1\.1 431 /);
    expect(relay.logs).toContainEqual(expect.objectContaining({ status: 431, refused: 'headers_too_large' }));
  });

  it('logs a client that hangs up mid-stream as 499, not as a relay or provider failure', async () => {
    const relay = await start({});
    const client = new AbortController();
    const response = await relay.chat({ ...HELLO, stream: true }, { signal: client.signal });
    const reader = response.body!.getReader();
    await reader.read();
    client.abort();
    await eventually(() => relay.logs.length === 1, 'the log line');
    expect(relay.logs[0]).toMatchObject({ status: 499, outcome: 'client_closed' });
  });
});

import { createServer, type Server, type Socket, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodeUpstreamFetch } from '../../src/relay/node-upstream-fetch.ts';
import type { UpstreamRequestInit } from '../../src/relay/upstream.ts';

const init = (): UpstreamRequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: '{}',
  signal: new AbortController().signal,
  redirect: 'manual',
});

/**
 * A raw HTTP server that answers each request with `answer`, except when `resetOn(request number on the connection,
 * connection number)` says to reset the connection instead, as a provider does when it closes a kept-alive connection
 * just as it is reused.
 */
async function rawServer(answer: string, resetOn: (requestOnConnection: number, connection: number) => boolean) {
  let connections = 0;
  const server: Server = createServer((socket: Socket) => {
    const connection = ++connections;
    let requests = 0;
    socket.on('data', () => {
      requests += 1;
      if (resetOn(requests, connection)) socket.resetAndDestroy();
      else socket.write(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`,
    connections: () => connections,
  };
}

const OK = 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\nok';

describe('createNodeUpstreamFetch', () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.close();
    server = undefined;
  });

  it('retries once, on a new connection, when a reused connection turns out to be closed', async () => {
    const raw = await rawServer(OK, (request, connection) => connection === 1 && request === 2);
    server = raw.server;
    const upstreamFetch = createNodeUpstreamFetch();
    expect(await (await upstreamFetch(raw.url, init())).text()).toBe('ok');
    const second = await upstreamFetch(raw.url, init());
    expect(await second.text()).toBe('ok');
    expect(raw.connections()).toBe(2);
  });

  it('does not retry a reset on a fresh connection', async () => {
    const raw = await rawServer(OK, () => true);
    server = raw.server;
    await expect(createNodeUpstreamFetch()(raw.url, init())).rejects.toThrow(TypeError);
    expect(raw.connections()).toBe(1);
  });

  it('gives statuses that carry no body a null body, and keeps repeated headers', async () => {
    const raw = await rawServer(
      'HTTP/1.1 204 No Content\r\nx-a: 1\r\nx-a: 2\r\nconnection: close\r\n\r\n',
      () => false,
    );
    server = raw.server;
    const response = await createNodeUpstreamFetch()(raw.url, init());
    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
    expect(response.headers.get('x-a')).toBe('1, 2');
  });

  it('streams the body chunk by chunk, and a body cut off mid-way fails instead of ending quietly', async () => {
    const chunked = 'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n';
    let socketOf: Socket | undefined;
    server = createServer((socket) => {
      socketOf = socket;
      socket.once('data', () => socket.write(`${chunked}6\r\ndata: \r\n`));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`;
    const reader = (await createNodeUpstreamFetch()(url, init())).body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: ');
    socketOf!.destroy();
    await expect(reader.read()).rejects.toThrow();
  });

  it('closes the provider connection when the reader cancels the body', async () => {
    const chunked = 'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n';
    const closed = new Promise<void>((resolve) => {
      server = createServer((socket) => {
        socket.once('data', () => socket.write(`${chunked}6\r\ndata: \r\n`));
        socket.on('close', () => resolve());
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server!.address() as AddressInfo).port}/v1/chat/completions`;
    const reader = (await createNodeUpstreamFetch()(url, init())).body!.getReader();
    await reader.read();
    await reader.cancel();
    await closed;
  });
});

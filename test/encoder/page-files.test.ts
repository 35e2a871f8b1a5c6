import { describe, expect, it } from 'vitest';
import { createPageFiles } from '../../src/encoder/page-files.ts';

/** A fetch that counts calls and answers with a body the test pushes chunk by chunk. */
function fakeServer(answer: { status?: number; contentType?: string } = {}) {
  const calls: string[] = [];
  let push!: (chunk: string) => void;
  let finish!: () => void;
  let fail!: (error: Error) => void;
  const fetchFile = async (url: string) => {
    calls.push(url);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        push = (chunk) => controller.enqueue(new TextEncoder().encode(chunk));
        finish = () => controller.close();
        fail = (error) => controller.error(error);
      },
    });
    return new Response(body, {
      status: answer.status ?? 200,
      headers: { 'content-type': answer.contentType ?? 'application/octet-stream' },
    });
  };
  return {
    calls,
    files: createPageFiles(fetchFile),
    push: (chunk: string) => push(chunk),
    finish: () => finish(),
    fail: (error: Error) => fail(error),
  };
}

describe('createPageFiles', () => {
  it('downloads a file once for callers that ask while it downloads, each reading the whole body', async () => {
    const server = fakeServer();
    const first = await server.files.fetch('http://host/models/m/model.onnx');
    server.push('ab');
    const second = await server.files.fetch('http://host/models/m/model.onnx');
    server.push('cd');
    server.finish();
    expect(await second.text()).toBe('abcd');
    expect(await first.text()).toBe('abcd');
    expect(server.calls).toEqual(['http://host/models/m/model.onnx']);
  });

  it('serves a finished file without fetching, with its length, even to a caller after one that never read it', async () => {
    const server = fakeServer();
    // As transformers.js's metadata check does: take the response for its headers, leave the body unread.
    await server.files.fetch('http://host/models/m/tokenizer.json');
    server.push('{"a":');
    server.push('1}');
    server.finish();
    await new Promise((resolve) => setTimeout(resolve, 0));
    const later = await server.files.fetch('http://host/models/m/tokenizer.json');
    expect(later.headers.get('content-length')).toBe('7');
    expect(await later.json()).toEqual({ a: 1 });
    expect(server.calls).toHaveLength(1);
  });

  it('resolves relative URLs, so a path and its absolute URL are one file', async () => {
    const server = fakeServer();
    const location = globalThis.location;
    Object.defineProperty(globalThis, 'location', {
      value: { href: 'http://host/assets/worker.js' },
      configurable: true,
    });
    try {
      const relative = server.files.fetch('/models/m/config.json');
      const absolute = server.files.fetch('http://host/models/m/config.json');
      await Promise.all([relative, absolute]);
      expect(server.calls).toEqual(['http://host/models/m/config.json']);
    } finally {
      Object.defineProperty(globalThis, 'location', { value: location, configurable: true });
    }
  });

  it('passes error answers and HTML pages on without keeping them', async () => {
    for (const answer of [{ status: 404 }, { contentType: 'text/html' }]) {
      const server = fakeServer(answer);
      const response = await server.files.fetch('http://host/models/m/config.json');
      server.push('missing');
      server.finish();
      expect(response.status).toBe(answer.status ?? 200);
      expect(await response.text()).toBe('missing');
      await server.files.fetch('http://host/models/m/config.json');
      expect(server.calls).toHaveLength(2);
    }
  });

  it('fails every reader of a broken download and fetches afresh after it', async () => {
    const server = fakeServer();
    const first = await server.files.fetch('http://host/models/m/model.onnx');
    server.push('ab');
    server.fail(new Error('connection reset'));
    await expect(first.text()).rejects.toThrow('connection reset');
    await server.files.fetch('http://host/models/m/model.onnx');
    expect(server.calls).toHaveLength(2);
  });

  it('passes a network failure on and tries again on the next call', async () => {
    let attempts = 0;
    const files = createPageFiles(async () => {
      attempts++;
      if (attempts === 1) throw new TypeError('Failed to fetch');
      return new Response('ok');
    });
    await expect(files.fetch('http://host/f')).rejects.toThrow('Failed to fetch');
    expect(await (await files.fetch('http://host/f')).text()).toBe('ok');
  });
});

/**
 * The Node entry's way of calling providers: the same contract as `fetch` for the one request the relay makes (a POST
 * with a string body, never following redirects), built on node:http. Measured on the project's 2-core machine, Node's
 * `fetch` (undici) took 24 ms (p50) to the response headers of a streamed completion at 10 concurrent requests where
 * node:http took 5 ms, and cost the relay about a quarter more CPU per request. Serverless runtimes keep their `fetch`.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { finished, type Readable, type Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { UpstreamFetch, UpstreamRequestInit } from './upstream.ts';

/** Responses that never carry a body, whatever their headers say. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

const DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

export function createNodeUpstreamFetch(): UpstreamFetch {
  // Connections to providers are kept open between requests; enough idle ones are kept for a burst of streams to
  // finish and the next burst to start without new handshakes (Node's default keeps 256).
  const agentOptions = { keepAlive: true, maxFreeSockets: 1024 };
  const httpAgent = new HttpAgent(agentOptions);
  const httpsAgent = new HttpsAgent(agentOptions);

  const send = (url: URL, init: UpstreamRequestInit, retryOnStaleConnection: boolean): Promise<Response> =>
    new Promise((resolve, reject) => {
      const https = url.protocol === 'https:';
      const outgoing = (https ? httpsRequest : httpRequest)(
        url,
        { method: init.method, headers: init.headers, agent: https ? httpsAgent : httpAgent, signal: init.signal },
        (incoming) => resolve(toResponse(incoming)),
      );
      outgoing.on('error', (error: NodeJS.ErrnoException) => {
        // A kept-alive connection the provider closed just as it was reused fails before any answer; the request
        // never reached the provider, so sending it once more on a fresh connection is safe.
        if (retryOnStaleConnection && outgoing.reusedSocket && error.code === 'ECONNRESET') {
          resolve(send(url, init, false));
        } else reject(new TypeError('fetch failed', { cause: error }));
      });
      outgoing.end(init.body);
    });

  return (url, init) => send(new URL(url), init, true);
}

/** The answer as a web Response, decoded like `fetch` decodes it (the relay asks for no encoding, but may get one). */
function toResponse(incoming: IncomingMessage): Response {
  const headers = new Headers();
  for (let index = 0; index < incoming.rawHeaders.length; index += 2) {
    headers.append(incoming.rawHeaders[index]!, incoming.rawHeaders[index + 1]!);
  }
  const status = incoming.statusCode ?? 502;
  if (NULL_BODY_STATUSES.has(status)) {
    incoming.resume();
    return new Response(null, { status, headers });
  }
  const decoder = DECODERS[(incoming.headers['content-encoding'] ?? '').trim().toLowerCase()];
  let body: Readable = incoming;
  if (decoder) {
    const decoding = decoder();
    // A decoding failure or an abort on either side must end both, or the socket would leak.
    incoming.on('error', (error) => decoding.destroy(error));
    decoding.on('close', () => incoming.destroy());
    body = incoming.pipe(decoding);
  }
  return new Response(webStreamOf(body), { status, headers });
}

/**
 * A Node stream as a web stream, holding at most one chunk: the provider's socket is paused while the client has not
 * taken the last chunk (backpressure). Leaner than `Readable.toWeb`, with which the relay spent 8% more CPU per
 * streamed completion (measured with `npm run bench:relay`), and the relay passes every chunk of every stream.
 */
function webStreamOf(readable: Readable): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      readable.on('data', (chunk: Buffer) => {
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if (controller.desiredSize! <= 0) readable.pause();
      });
      // `finished` also reports a stream destroyed before its end (provider gone, request aborted) as an error.
      finished(readable, (error) => {
        try {
          if (error) controller.error(error);
          else controller.close();
        } catch {
          // Already cancelled by the client: nobody reads any more.
        }
      });
      readable.pause();
    },
    pull() {
      readable.resume();
    },
    cancel() {
      readable.destroy();
    },
  });
}

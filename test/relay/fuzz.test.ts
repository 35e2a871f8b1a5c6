/**
 * Thousands of malformed or hostile requests against a real relay (Node entry, real sockets): bad JSON, wrong types,
 * huge bodies, unknown models, bad or injected headers, path tricks, broken HTTP. Each one must get the 4xx JSON error
 * its category calls for, none may reach the provider, and the relay must keep serving valid requests in between.
 * Cases come from a seeded generator: FUZZ_SEED=<n> replays or varies a run.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { configFor, HELLO, startTestRelay, TEST_KEY, type TestRelay } from './harness.ts';
import { errorMessage } from '../../src/core/errors.ts';

const SEED = Number(process.env['FUZZ_SEED'] ?? 20_250_401);
const CASES = 2_400;
const BODY_LIMIT = 16 * 1024;
const TOKEN = 'fuzz-token-7f3a';
const VALID_BODY = JSON.stringify(HELLO);

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

interface FuzzCase {
  readonly category: string;
  readonly description: string;
  readonly expectedStatus: number;
  send(relayURL: string, port: number): Promise<Answer>;
}

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

class Generator {
  constructor(readonly random: () => number) {}
  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }
  string(
    maxLength: number,
    alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:?#[]@!$&\'()*+,;=% "\\{}<>|^`~\u00e9\u20ac\u{1f600}\u0000\n\t',
  ): string {
    const characters = [...alphabet];
    return Array.from({ length: this.int(0, maxLength) }, () => this.pick(characters)).join('');
  }
}

const authorized = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

function viaFetch(method: string, path: string, headers: Record<string, string>, body?: BodyInit, duplex = false) {
  return async (relayURL: string): Promise<Answer> => {
    const response = await fetch(relayURL + path, {
      method,
      headers,
      ...(body !== undefined && { body }),
      ...(duplex && { duplex: 'half' }),
    } as RequestInit);
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      body: await response.text(),
    };
  };
}

/**
 * Sends bytes as they are, for what an HTTP client library refuses to produce, and reads until the server closes
 * (every raw request says `Connection: close`). The socket is not half-closed after writing: Node's server treats a
 * client's FIN as the end of the conversation and would drop an answer still being prepared.
 */
function viaSocket(bytes: Buffer) {
  return (_relayURL: string, port: number): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      const chunks: Buffer[] = [];
      socket.setTimeout(5_000, () => socket.destroy(new Error('no answer within 5 s')));
      socket.on('data', (chunk) => chunks.push(chunk));
      socket.on('error', (error: NodeJS.ErrnoException) => {
        // The server may close while we are still writing a body it has already refused; its answer came first.
        if (error.code === 'ECONNRESET' || error.code === 'EPIPE') return;
        reject(error);
      });
      socket.on('close', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const [head = '', ...rest] = text.split('\r\n\r\n');
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
        const contentType = /^content-type:\s*(.*)$/im.exec(head)?.[1]?.trim() ?? '';
        const chunked = /^transfer-encoding:\s*chunked/im.test(head);
        resolve({ status, contentType, body: chunked ? dechunk(rest.join('\r\n\r\n')) : rest.join('\r\n\r\n') });
      });
      socket.write(bytes);
    });
}

function dechunk(text: string): string {
  let body = '';
  let rest = text;
  for (;;) {
    const lineEnd = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, lineEnd), 16);
    if (!(size > 0)) return body;
    body += rest.slice(lineEnd + 2, lineEnd + 2 + size);
    rest = rest.slice(lineEnd + 2 + size + 2);
  }
}

function rawHTTP(requestLine: string, headers: string[], body = ''): Buffer {
  return Buffer.from(`${requestLine}\r\n${[...headers, 'Connection: close'].join('\r\n')}\r\n\r\n${body}`, 'latin1');
}

/** The route a path lands on once the relay's URL parser has normalised it. */
function routeOf(path: string): string {
  return new URL(path, 'http://relay.test').pathname;
}

const generators: Record<string, (g: Generator) => Omit<FuzzCase, 'category'> | undefined> = {
  badJson(g) {
    const mutations: (() => string)[] = [
      () => VALID_BODY.slice(0, g.int(0, VALID_BODY.length - 1)),
      () => {
        const at = g.int(0, VALID_BODY.length);
        return (
          VALID_BODY.slice(0, at) +
          g.pick(['{', '}', '[', ']', ',', ':', '"', "'", 'x', '\\', '\u0000']) +
          VALID_BODY.slice(at)
        );
      },
      () => VALID_BODY + g.pick([' x', ',', '}', '{}', ']', 'null']),
      () => VALID_BODY.replaceAll('"', "'"),
      () =>
        g.pick([
          '',
          ' ',
          'NaN',
          'undefined',
          '{model: "strong"}',
          '{"model":"strong",}',
          '[1,]',
          '01',
          '"unterminated',
        ]),
      () => g.string(200),
    ];
    const body = g.pick(mutations)();
    try {
      JSON.parse(body);
      return undefined; // the mutation happened to stay valid JSON
    } catch {
      return {
        description: `bad JSON ${JSON.stringify(body.slice(0, 60))}`,
        expectedStatus: 400,
        send: viaFetch('POST', '/v1/chat/completions', authorized, body),
      };
    }
  },

  wrongTypes(g) {
    const wrongValues = [null, 0, -1.5, true, 'text', [], {}, [1, 2], { nested: { deep: [] } }];
    const shapes: (() => unknown)[] = [
      () => g.pick([null, 0, 'strong', [], [HELLO], true]),
      () => ({ ...HELLO, model: g.pick(wrongValues.filter((value) => typeof value !== 'string')) }),
      () => ({ model: 'strong', messages: g.pick([undefined, null, 'hi', {}, [], 1, { role: 'user' }]) }),
      () => ({ model: 'strong', messages: [g.pick([null, 'hi', 1, [], [{ role: 'user' }]])] }),
      () => ({ model: 'strong', messages: [{ role: g.pick([null, 1, {}, [], true]), content: 'x' }] }),
      () => ({ model: 'strong', messages: [{ role: 'user', content: 'x' }, { content: 'no role' }] }),
      () => ({ ...HELLO, stream: g.pick(['true', 1, 0, null, {}, []]) }),
    ];
    const body = JSON.stringify(g.pick(shapes)()) ?? 'null';
    return {
      description: `wrong types ${body.slice(0, 80)}`,
      expectedStatus: 400,
      send: viaFetch('POST', '/v1/chat/completions', authorized, body),
    };
  },

  unknownModel(g) {
    const model = g.pick([
      () => g.string(40),
      () =>
        g.pick([
          'STRONG',
          'Strong',
          ' strong',
          'strong ',
          'strong\n',
          'strong\u0000',
          'weak',
          'gpt-4.1',
          'upstream-strong',
          '',
        ]),
      () => g.pick(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'prototype', 'valueOf']),
      () =>
        g.pick([
          'http://169.254.169.254/latest/meta-data',
          'http://127.0.0.1:22',
          'file:///etc/passwd',
          '//evil.example/v1',
          '../../etc/passwd',
          'strong/../weak',
          'strong?x=1',
          'strong#frag',
        ]),
      () => 'x'.repeat(g.int(100, 8_000)),
    ])();
    if (model === 'strong') return undefined;
    const body = JSON.stringify({ ...HELLO, model });
    if (body.length > BODY_LIMIT) return undefined;
    return {
      description: `unknown model ${JSON.stringify(model.slice(0, 40))}`,
      expectedStatus: 404,
      send: viaFetch('POST', '/v1/chat/completions', authorized, body),
    };
  },

  hugeBody(g) {
    const size = g.random() < 0.1 ? g.int(1024 * 1024, 2 * 1024 * 1024) : g.int(BODY_LIMIT + 1, 256 * 1024);
    const valid = g.random() < 0.5;
    const body = valid
      ? JSON.stringify({ ...HELLO, messages: [{ role: 'user', content: 'y'.repeat(size) }] })
      : 'z'.repeat(size);
    if (g.random() < 0.3) {
      const bytes = new TextEncoder().encode(body);
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let offset = 0; offset < bytes.length; offset += 8192)
            controller.enqueue(bytes.subarray(offset, offset + 8192));
          controller.close();
        },
      });
      return {
        description: `huge chunked body of ${size} bytes`,
        expectedStatus: 413,
        send: viaFetch('POST', '/v1/chat/completions', authorized, stream, true),
      };
    }
    return {
      description: `huge body of ${size} bytes`,
      expectedStatus: 413,
      send: viaFetch('POST', '/v1/chat/completions', authorized, body),
    };
  },

  badToken(g) {
    const authorization = g.pick([
      () => undefined,
      () => '',
      () => 'Bearer',
      () => 'Bearer ',
      () => `Bearer ${TOKEN}x`,
      () => `Bearer ${TOKEN.slice(0, -1)}`,
      () => `Bearer ${TOKEN.toUpperCase()}`,
      () => `Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}`,
      () => `Token ${TOKEN}`,
      () => `Bearer ${TOKEN},${TOKEN}`,
      () => `Bearer ${'a'.repeat(g.int(1, 8_000))}`,
      () => `Bearer ${g.string(40, 'abcdefghijklmnopqrstuvwxyz0123456789._~+/-=')}x!`,
      () => `Bearer ${TEST_KEY}`,
    ])();
    if (authorization === `Bearer ${TOKEN}`) return undefined;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (authorization !== undefined) headers['authorization'] = authorization;
    // Headers a proxy might trust, sent along to show that the relay does not.
    headers[
      g.pick([
        'x-forwarded-for',
        'x-real-ip',
        'x-original-url',
        'x-rewrite-url',
        'x-forwarded-host',
        'x-http-method-override',
      ])
    ] = g.pick(['127.0.0.1', '/v1/models', 'GET', 'internal.example']);
    const path = g.pick(['/v1/chat/completions', '/v1/models']);
    return {
      description: `bad token ${JSON.stringify(authorization?.slice(0, 40))} on ${path}`,
      expectedStatus: 401,
      send: viaFetch(
        path === '/v1/models' ? 'GET' : 'POST',
        path,
        headers,
        path === '/v1/models' ? undefined : VALID_BODY,
      ),
    };
  },

  foreignOrigin(g) {
    const origin = g.pick([
      () => `https://${g.string(12, 'abcdefghijklmnopqrstuvwxyz')}.example`,
      () =>
        g.pick([
          'null',
          'http://localhost.evil.example',
          'https://localhost:5173',
          'http://127.0.0.1.evil.example:80',
          'http://localhost:5173/',
          'file://',
          'http://[::2]:80',
        ]),
    ])();
    const [method, path] = g.pick([
      ['POST', '/v1/chat/completions'],
      ['GET', '/v1/models'],
      ['OPTIONS', '/v1/chat/completions'],
      ['GET', '/health'],
    ] as const);
    return {
      description: `origin ${origin} ${method} ${path}`,
      expectedStatus: 403,
      send: viaFetch(method, path, { ...authorized, origin }, method === 'POST' ? VALID_BODY : undefined),
    };
  },

  mediaType(g) {
    const contentType = g.pick([
      'text/plain',
      'text/plain;charset=UTF-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/jsonp',
      'application/json-patch+json',
      'application/xml',
      'json',
    ]);
    return {
      description: `content type ${contentType}`,
      expectedStatus: 415,
      send: viaFetch('POST', '/v1/chat/completions', { ...authorized, 'content-type': contentType }, VALID_BODY),
    };
  },

  pathTricks(g) {
    const path = g.pick([
      () =>
        g.pick([
          '/v1/chat/completions/',
          '/v1//chat/completions',
          '//v1/chat/completions',
          '/V1/chat/completions',
          '/v1/chat/Completions',
          '/v1/chat/completions%00',
          '/v1/chat%2Fcompletions',
          '/v1/chat/completions;x',
          '/v1/chat/completions/..',
          '/v1/chat/completions/.',
          '/v2/chat/completions',
          '/v1',
          '/',
          '/admin',
          '/.env',
          '/v1/embeddings',
          '/v1/completions',
          '/v1/chat/completions%20',
          '/v1/chat/completions~',
        ]),
      () => `/v1/chat/completions/${g.string(20, 'abcdef./%2')}`,
      () => `/${g.string(60, 'abcdefghijklmnopqrstuvwxyz0123456789-_./%')}`,
    ])();
    let route: string;
    try {
      route = routeOf(path);
    } catch {
      return undefined;
    }
    if (['/v1/chat/completions', '/v1/models', '/health'].includes(route)) return undefined;
    return { description: `path ${path}`, expectedStatus: 404, send: viaFetch('POST', path, authorized, VALID_BODY) };
  },

  wrongMethod(g) {
    const [method, path] = g.pick([
      [g.pick(['GET', 'PUT', 'DELETE', 'PATCH']), '/v1/chat/completions'],
      [g.pick(['POST', 'PUT', 'DELETE', 'PATCH']), '/v1/models'],
      [g.pick(['POST', 'PUT', 'DELETE']), '/health'],
    ] as const);
    return {
      description: `${method} ${path}`,
      expectedStatus: 405,
      send: viaFetch(method, path, authorized, method === 'GET' || method === 'DELETE' ? undefined : VALID_BODY),
    };
  },

  brokenHTTP(g) {
    const length = Buffer.byteLength(VALID_BODY);
    const auth = `Authorization: Bearer ${TOKEN}`;
    const [description, bytes, expectedStatus] = g.pick([
      () => ['random bytes', Buffer.from(`${g.string(200)}\r\n\r\n`), 400] as const,
      () =>
        [
          'bad request line',
          rawHTTP(`POST /v1/chat/completions HTTP/${g.pick(['9.9', '1', 'x'])}`, ['Host: relay']),
          400,
        ] as const,
      () =>
        [
          'two Content-Length values',
          rawHTTP(
            'POST /v1/chat/completions HTTP/1.1',
            [
              'Host: relay',
              auth,
              'Content-Type: application/json',
              `Content-Length: ${length}`,
              `Content-Length: ${length + 5}`,
            ],
            VALID_BODY,
          ),
          400,
        ] as const,
      () =>
        [
          'Content-Length with Transfer-Encoding',
          rawHTTP(
            'POST /v1/chat/completions HTTP/1.1',
            [
              'Host: relay',
              auth,
              'Content-Type: application/json',
              `Content-Length: ${length}`,
              'Transfer-Encoding: chunked',
            ],
            VALID_BODY,
          ),
          400,
        ] as const,
      () =>
        [
          'bad Transfer-Encoding',
          rawHTTP(
            'POST /v1/chat/completions HTTP/1.1',
            ['Host: relay', auth, 'Content-Type: application/json', 'Transfer-Encoding: chunked, identity'],
            VALID_BODY,
          ),
          400,
        ] as const,
      () =>
        [
          'bad chunk size',
          rawHTTP(
            'POST /v1/chat/completions HTTP/1.1',
            ['Host: relay', auth, 'Content-Type: application/json', 'Transfer-Encoding: chunked'],
            'zz\r\n{}\r\n0\r\n\r\n',
          ),
          400,
        ] as const,
      () =>
        [
          'NUL in the header value',
          rawHTTP('POST /v1/chat/completions HTTP/1.1', ['Host: relay', `X-Injected: a\u0000b`, auth], ''),
          400,
        ] as const,
      () =>
        [
          'space before the colon',
          rawHTTP('GET /v1/models HTTP/1.1', ['Host: relay', `Authorization : Bearer ${TOKEN}`]),
          400,
        ] as const,
      () =>
        [
          'bare LF header injection',
          rawHTTP('GET /v1/models HTTP/1.1', ['Host: relay', `X-A: b\nAuthorization: Bearer ${TOKEN}`]),
          400,
        ] as const,
      () =>
        [
          'headers too large',
          rawHTTP('GET /v1/models HTTP/1.1', ['Host: relay', auth, `X-Big: ${'b'.repeat(20_000)}`]),
          431,
        ] as const,
      () =>
        [
          'request target too long',
          rawHTTP(`GET /v1/models?${'q'.repeat(20_000)} HTTP/1.1`, ['Host: relay', auth]),
          431,
        ] as const,
      () =>
        [
          'backslash in the path',
          rawHTTP(
            'POST /v1\\chat\\completions HTTP/1.1',
            ['Host: relay', auth, 'Content-Type: application/json', `Content-Length: ${length}`],
            VALID_BODY,
          ),
          400,
        ] as const,
      () =>
        [
          'bad Host header',
          rawHTTP(
            'POST /v1/chat/completions HTTP/1.1',
            [
              `Host: ${g.pick(['evil.example/x', 'a b', 'x@evil.example', '[::1'])}`,
              auth,
              'Content-Type: application/json',
              `Content-Length: ${length}`,
            ],
            VALID_BODY,
          ),
          400,
        ] as const,
      () =>
        ['CONNECT tunnel', rawHTTP('CONNECT 169.254.169.254:80 HTTP/1.1', ['Host: 169.254.169.254:80']), 405] as const,
      () =>
        [
          'non-ASCII token',
          rawHTTP('GET /v1/models HTTP/1.1', ['Host: relay', 'Authorization: Bearer t\u00f6k\u00e9n']),
          401,
        ] as const,
      // Node's parser refuses a method it does not know (400) and passes the WebDAV and cache ones it does know to the app (405).
      () => ['unknown method', rawHTTP('FOO /v1/chat/completions HTTP/1.1', ['Host: relay', auth]), 400] as const,
      () =>
        [
          'WebDAV method',
          rawHTTP(`${g.pick(['PROPFIND', 'PURGE', 'MKCOL'])} /v1/chat/completions HTTP/1.1`, ['Host: relay', auth]),
          405,
        ] as const,
    ])();
    return { description, expectedStatus, send: viaSocket(bytes) };
  },
};

function generateCases(seed: number, count: number): FuzzCase[] {
  const g = new Generator(seededRandom(seed));
  const categories = Object.keys(generators);
  const cases: FuzzCase[] = [];
  while (cases.length < count) {
    const category = categories[cases.length % categories.length]!;
    const generated = generators[category]!(g);
    if (generated) cases.push({ category, ...generated });
  }
  return cases;
}

describe('fuzzing the relay with malformed and hostile requests', () => {
  let upstream: FakeUpstream;
  let relay: TestRelay;
  let port: number;

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    relay = await startTestRelay(
      configFor(upstream.url, {
        auth: { tokensEnv: 'RELAY_TOKENS' },
        limits: { maxBodyBytes: BODY_LIMIT, requestsPerMinute: 1_000_000, maxConcurrentRequests: 64 },
      }),
      { TEST_PROVIDER_KEY: TEST_KEY, RELAY_TOKENS: TOKEN },
    );
    port = Number(new URL(relay.url).port);
  });

  afterAll(async () => {
    await relay.close();
    await upstream.close();
  });

  it(`answers ${CASES} of them with the right 4xx JSON error and keeps serving (seed ${SEED})`, async () => {
    const cases = generateCases(SEED, CASES);
    expect(new Set(cases.map((fuzzCase) => fuzzCase.category)).size).toBe(Object.keys(generators).length);
    const failures: string[] = [];
    let canaries = 0;
    const canary = async () => {
      canaries += 1;
      const response = await fetch(`${relay.url}/v1/chat/completions`, {
        method: 'POST',
        headers: authorized,
        body: VALID_BODY,
      });
      const text = await response.text();
      if (response.status !== 200)
        failures.push(`valid request between cases got ${response.status}: ${text.slice(0, 200)}`);
    };

    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const index = next++;
        const fuzzCase = cases[index]!;
        if (index % 100 === 0) await canary();
        let answer: Answer;
        try {
          answer = await fuzzCase.send(relay.url, port);
        } catch (error) {
          failures.push(`#${index} ${fuzzCase.category} (${fuzzCase.description}): no answer: ${errorMessage(error)}`);
          continue;
        }
        const problem = checkAnswer(answer, fuzzCase.expectedStatus);
        if (problem) failures.push(`#${index} ${fuzzCase.category} (${fuzzCase.description}): ${problem}`);
      }
    };
    await Promise.all(Array.from({ length: 12 }, worker));
    await canary();

    expect(failures, `seed ${SEED}: ${failures.length} failures`).toEqual([]);
    expect(upstream.requests).toHaveLength(canaries);
    expect((await fetch(`${relay.url}/health`)).status).toBe(200);
  });
});

/** What is wrong with an answer, or undefined when it is the expected 4xx JSON error. */
function checkAnswer(answer: Answer, expectedStatus: number): string | undefined {
  if (answer.status !== expectedStatus)
    return `status ${answer.status}, expected ${expectedStatus}: ${answer.body.slice(0, 200)}`;
  if (!answer.contentType.startsWith('application/json')) return `content-type ${JSON.stringify(answer.contentType)}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    return `body is not JSON: ${answer.body.slice(0, 200)}`;
  }
  const error = (parsed as { error?: Record<string, unknown> }).error;
  if (
    !error ||
    typeof error['message'] !== 'string' ||
    typeof error['type'] !== 'string' ||
    typeof error['code'] !== 'string'
  ) {
    return `body is not an OpenAI-style error: ${answer.body.slice(0, 200)}`;
  }
  if (/\bat .+:\d+:\d+/.test(answer.body) || answer.body.includes(TEST_KEY))
    return `body leaks internals: ${answer.body.slice(0, 200)}`;
  return undefined;
}

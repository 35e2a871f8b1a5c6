#!/usr/bin/env node
/**
 * The relay on Node, as a library (`startNodeRelay`) and as the `routellm-relay` command (`npm run relay` in this
 * repository): reads the config file, takes keys from the environment, serves the app with Hono's Node adapter and
 * prints one line with its URL.
 *
 *   routellm-relay [--config FILE] [--port N] [--host ADDRESS]
 *
 * `RELAY_CONFIG`, `RELAY_PORT` and `RELAY_HOST` stand in for the flags; flags win. Without a config the relay uses
 * src/relay/relay.config.json. It listens on 127.0.0.1:8787 unless told otherwise: binding to every interface is a
 * deliberate choice (`--host 0.0.0.0`) for a deployment.
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import { getRequestListener, RequestError } from '@hono/node-server';
import { realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { aliasStatuses, createRelayApp, type RelayLogEntry } from './app.ts';
import { parseRelayConfig, toParsedRelayConfig, type ParsedRelayConfig, type RelayConfig } from './config.ts';
import { errorBody, errorResponse, type RelayErrorCode } from './error-response.ts';
import { createNodeUpstreamFetch } from './node-upstream-fetch.ts';
import { RedisStore } from './redis-store.ts';
import type { RelayStore } from './store.ts';
import type { UpstreamFetch } from './upstream.ts';
import type { VerifyRoute } from './verify.ts';
import { errorMessage, RelayConfigError } from './errors.ts';

export const DEFAULT_CONFIG_PATH = fileURLToPath(new URL('./relay.config.json', import.meta.url));
export const DEFAULT_PORT = 8787;
export const DEFAULT_HOST = '127.0.0.1';

export interface NodeRelayOptions {
  /** A config file; ignored when `config` is given. Default: src/relay/relay.config.json. */
  readonly configPath?: string;
  /** A config in code (programs embedding the relay, tests): as written, or from parseRelayConfig. */
  readonly config?: RelayConfig | ParsedRelayConfig;
  /** 0 picks a free port. */
  readonly port?: number;
  readonly host?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly log?: (entry: RelayLogEntry) => void;
  /** How requests reach providers; default: the node:http transport (node-upstream-fetch.ts). */
  readonly fetch?: UpstreamFetch;
  /** Where budgets and shares are counted; default: Redis when the config names `store.redisUrlEnv`, else memory. */
  readonly store?: RelayStore;
  /** The verifier the config's `verify` needs (createRouteVerifier in routellm-web/relay-verify). */
  readonly verifyRoute?: VerifyRoute;
}

export interface NodeRelay {
  /** e.g. `http://127.0.0.1:8787`; the OpenAI base URL is this plus `/v1`. */
  readonly url: string;
  readonly config: ParsedRelayConfig;
  readonly server: Server;
  /** Stops accepting connections and ends the open ones. */
  close(): Promise<void>;
}

/** Reads and checks a config file; throws RelayConfigError with a one-line reason when it cannot be used. */
export async function loadRelayConfig(path: string): Promise<ParsedRelayConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new RelayConfigError(
      `Cannot read the relay config ${path}: ${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RelayConfigError(`The relay config ${path} is not valid JSON: ${errorMessage(error)}`);
  }
  return parseRelayConfig(value, path);
}

export async function startNodeRelay(options: NodeRelayOptions = {}): Promise<NodeRelay> {
  const env = options.env ?? process.env;
  const config = options.config
    ? toParsedRelayConfig(options.config)
    : await loadRelayConfig(options.configPath ?? DEFAULT_CONFIG_PATH);
  let store = options.store;
  if (!store && config.store.kind === 'redis') {
    const url = env[config.store.urlEnv];
    if (!url)
      throw new RelayConfigError(
        `store.redisUrlEnv names ${config.store.urlEnv}, which is not set: set it to the Redis URL (redis://host:6379)`,
      );
    store = new RedisStore({ url });
  }
  const app = createRelayApp(config, {
    env,
    getConnInfo,
    fetch: options.fetch ?? createNodeUpstreamFetch(),
    ...(options.log && { log: options.log }),
    ...(store && { store }),
    ...(options.verifyRoute && { verifyRoute: options.verifyRoute }),
  });
  const limits = config.limits;
  const log = options.log ?? ((entry: RelayLogEntry) => console.log(JSON.stringify(entry)));
  /** One line for each refusal below the app, which sees no request to log. */
  const logRefusal = (socket: Duplex, status: number, refused: string) =>
    log({
      time: new Date().toISOString(),
      method: '-',
      path: '-',
      status,
      durationMs: 0,
      client: (socket as Socket).remoteAddress ?? 'unknown',
      refused,
    });
  const server = createServer(
    {
      // Internet-facing: a client must send its headers, and then its whole body, in reasonable time (Node checks
      // each connection every connectionsCheckingInterval), or it is cut off with a 408.
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(
        30_000,
        Math.max(100, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4)),
      ),
    },
    getRequestListener(app.fetch, {
      // The adapter's own refusals (a bad Host header, a backslash in the path) in the relay's error shape.
      errorHandler: (error) =>
        error instanceof RequestError
          ? errorResponse(400, 'invalid_request', 'The request target or Host header is not valid.')
          : errorResponse(500, 'internal_error', 'The relay failed while handling this request.'),
    }),
  );
  // Below the adapter, Node itself answers malformed HTTP; these keep those answers in the same shape.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'HPE_HEADER_OVERFLOW') {
      logRefusal(socket, 431, 'headers_too_large');
      writeRawError(socket, 431, 'headers_too_large', 'The request headers are too large.');
    } else if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      logRefusal(socket, 408, 'request_timeout');
      writeRawError(socket, 408, 'request_timeout', 'The request took too long to arrive.');
    } else if (error.code === 'ECONNRESET' || !socket.writable) {
      // The client went away mid-request: nothing to answer, nothing refused.
      socket.destroy();
    } else {
      logRefusal(socket, 400, 'invalid_http');
      writeRawError(socket, 400, 'invalid_request', 'The request is not valid HTTP.');
    }
  });
  // A cap on open connections, each refused one answered (rather than dropped unanswered, as maxConnections does).
  let openConnections = 0;
  server.on('connection', (socket: Socket) => {
    if (openConnections >= limits.maxConnections) {
      logRefusal(socket, 503, 'too_many_connections');
      writeRawError(socket, 503, 'too_many_connections', 'The relay has too many open connections; retry shortly.');
      // Nothing it sends is read, so no request of it reaches the app.
      socket.pause();
      return;
    }
    openConnections += 1;
    socket.once('close', () => {
      openConnections -= 1;
    });
  });
  server.on('connect', (_request, socket: Duplex) => {
    writeRawError(socket, 405, 'method_not_allowed', 'The relay is not a tunnel: CONNECT is not supported.');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_PORT, options.host ?? DEFAULT_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    config,
    server,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      // A store handed in belongs to the caller.
      if (!options.store) await store?.close();
    },
  };
}

function writeRawError(socket: Duplex, status: number, code: RelayErrorCode, message: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(errorBody(status, code, message));
  const reason = {
    400: 'Bad Request',
    405: 'Method Not Allowed',
    408: 'Request Timeout',
    431: 'Request Header Fields Too Large',
    503: 'Service Unavailable',
  }[status];
  const retry = status === 503 ? 'retry-after: 1\r\n' : '';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${retry}connection: close\r\n\r\n${body}`,
  );
  // Whatever the client still sends is not read: the connection is over once the answer is out.
  socket.once('finish', () => socket.destroy());
}

const usage = (command: string) => `Usage: ${command} [--config FILE] [--port N] [--host ADDRESS]
  --config FILE     the relay config, a JSON file (default: the bundled relay.config.json; or RELAY_CONFIG)
  --port N          the port, 0 for any free one (default ${DEFAULT_PORT}; or RELAY_PORT)
  --host ADDRESS    the address, 0.0.0.0 for every interface (default ${DEFAULT_HOST}; or RELAY_HOST)
  --help            print this and exit
Provider keys and client tokens come from the environment variables the config names (apiKeyEnv, auth.tokensEnv).
A config with "verify" (a router run on the relay) needs \`routellm-web relay\`, from the routellm-web package.`;

/** Parses flags and environment into start options; throws a one-line error for bad input. */
export function nodeRelayOptionsFrom(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): NodeRelayOptions {
  let values: { config?: string; port?: string; host?: string };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { config: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    // Node's message goes on, on further lines, with advice about positional arguments, which the relay takes none of.
    throw new RelayConfigError(`${errorMessage(error).split('\n')[0]} (see --help)`);
  }
  const portText = values.port ?? env['RELAY_PORT'];
  let port = DEFAULT_PORT;
  if (portText !== undefined) {
    port = Number(portText);
    if (!/^[0-9]+$/.test(portText) || port > 65_535)
      throw new RelayConfigError(`--port must be a port number from 0 to 65535, got "${portText}"`);
  }
  const configPath = values.config ?? env['RELAY_CONFIG'];
  return {
    port,
    host: values.host ?? env['RELAY_HOST'] ?? DEFAULT_HOST,
    ...(configPath !== undefined && { configPath }),
    env,
  };
}

/**
 * The command: parses flags, starts the relay, prints its URL and what is missing, stops on SIGINT or SIGTERM.
 * `start` and `command` let another command (`routellm-web relay`, which adds verification) share all of it.
 */
export async function runRelayCommand(
  argv: readonly string[],
  { start = startNodeRelay, command = 'routellm-relay' }: { start?: typeof startNodeRelay; command?: string } = {},
): Promise<void> {
  if (argv.includes('--help')) {
    console.log(usage(command));
    return;
  }
  let relay: NodeRelay;
  try {
    relay = await start(nodeRelayOptionsFrom(argv, process.env));
  } catch (error) {
    console.error(`error: ${errorMessage(error)}`);
    process.exit(1);
  }
  console.log(`relay listening on ${relay.url}`);
  const verify = relay.config.verify;
  if (verify)
    console.log(
      `relay: verifying ${verify.models.map((alias) => `"${alias}"`).join(', ')} with the ${verify.router} router: a prompt scoring under ${verify.threshold} is ${verify.action === 'downgrade' ? `sent to "${verify.to}"` : 'refused'}`,
    );
  for (const status of aliasStatuses(relay.config, process.env)) {
    if (!status.available)
      console.error(`relay: model "${status.alias}" is unavailable until ${status.apiKeyEnv} is set`);
  }
  // <route-chat>, the demo and router model strings call these two aliases.
  const missing = ['strong', 'weak'].filter((alias) => !relay.config.models.has(alias));
  if (missing.length > 0)
    console.error(
      `relay: no "${missing.join('" or "')}" alias in the config: the chat's ${missing.join(' and ')} decisions will fail`,
    );
  const stop = () => {
    void relay.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** True when Node was started with this file: directly, or through the symlink npm installs for the command. */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isEntryPoint()) void runRelayCommand(process.argv.slice(2));

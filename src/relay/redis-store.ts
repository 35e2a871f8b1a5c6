/**
 * The relay's counters in Redis, shared by every replica (Node only). It speaks RESP over one node:net connection
 * rather than through a client library: the relay needs two commands (an EVAL and a GET), must fail fast when Redis
 * is away (no offline queue, no retries: the policy decides to fail open or closed), and ships as its own package
 * with Hono as its only dependency. Commands are pipelined on the one connection, so replies arrive in order.
 *
 *   const store = new RedisStore({ url: 'redis://:password@127.0.0.1:6379/0' });
 */
import { connect, type Socket } from 'node:net';
import { RelayStoreError, type RelayStore } from './store.ts';

export interface RedisStoreOptions {
  /** `redis://[[user]:password@]host[:port][/db]`. */
  readonly url: string;
  /** How long connecting, or a command's reply, may take before the connection is given up (default 1 s). */
  readonly commandTimeoutMs?: number;
  /** After a failed connection, commands fail at once for this long instead of each trying again (default 1 s). */
  readonly reconnectDelayMs?: number;
  /** Prepended to every key, so the relay's counters stay apart from other data (default `routellm:`). */
  readonly keyPrefix?: string;
}

type RespValue = string | number | null | RespValue[] | RespError;

class RespError {
  constructor(readonly message: string) {}
}

interface Pending {
  resolve(value: RespValue): void;
  reject(error: Error): void;
}

/** Adds and sets the expiry in one step, so replicas racing on a new counter cannot leave it without one. */
const INCREMENT_SCRIPT = `local value = redis.call('INCRBYFLOAT', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return value`;

export class RedisStore implements RelayStore {
  readonly #url: URL;
  readonly #commandTimeoutMs: number;
  readonly #reconnectDelayMs: number;
  readonly #keyPrefix: string;
  #socket: Socket | undefined;
  #connecting: Promise<Socket> | undefined;
  #downUntil = 0;
  #closed = false;
  #pending: Pending[] = [];
  #received: Buffer = Buffer.alloc(0);
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Replies received so far, so the timer can tell a busy connection from a stuck one. */
  #replies = 0;

  constructor(options: RedisStoreOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new RelayStoreError('The Redis URL is not a URL; expected redis://[:password@]host[:port][/db]');
    }
    if (url.protocol !== 'redis:')
      throw new RelayStoreError(`The Redis URL must start with redis:// (got ${url.protocol}//)`);
    const db = url.pathname.replace(/^\//, '');
    if (db !== '' && !/^[0-9]+$/.test(db))
      throw new RelayStoreError('The Redis URL path must be a database number, such as /0');
    this.#url = url;
    this.#commandTimeoutMs = options.commandTimeoutMs ?? 1000;
    this.#reconnectDelayMs = options.reconnectDelayMs ?? 1000;
    this.#keyPrefix = options.keyPrefix ?? 'routellm:';
  }

  async increment(key: string, amount: number, ttlMs: number): Promise<number> {
    const reply = await this.#command([
      'EVAL',
      INCREMENT_SCRIPT,
      '1',
      this.#keyPrefix + key,
      String(amount),
      String(Math.ceil(ttlMs)),
    ]);
    return Number(reply);
  }

  async get(key: string): Promise<number> {
    const reply = await this.#command(['GET', this.#keyPrefix + key]);
    return reply === null ? 0 : Number(reply);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#fail(new RelayStoreError('The Redis store was closed'));
  }

  async #command(args: readonly string[]): Promise<RespValue> {
    const socket = await this.#connection();
    const reply = await this.#send(socket, args);
    if (reply instanceof RespError) throw new RelayStoreError(`Redis answered an error: ${reply.message}`);
    return reply;
  }

  #send(socket: Socket, args: readonly string[]): Promise<RespValue> {
    return new Promise<RespValue>((resolve, reject) => {
      this.#pending.push({ resolve, reject });
      this.#armTimer();
      socket.write(encodeCommand(args));
    });
  }

  /**
   * One timer for the commands in flight: replies come in order, so when none at all arrived for a whole timeout
   * while commands wait, the connection is stuck. (A timer per command costs more than the command.)
   */
  #armTimer(): void {
    if (this.#timer !== undefined || this.#pending.length === 0) return;
    const repliesBefore = this.#replies;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#pending.length > 0 && this.#replies === repliesBefore) {
        this.#fail(new RelayStoreError(`Redis did not answer within ${this.#commandTimeoutMs} ms`));
      } else this.#armTimer();
    }, this.#commandTimeoutMs);
  }

  async #connection(): Promise<Socket> {
    if (this.#closed) throw new RelayStoreError('The Redis store was closed');
    if (this.#socket) return this.#socket;
    if (Date.now() < this.#downUntil) throw new RelayStoreError(`Redis at ${this.#url.host} is unreachable`);
    this.#connecting ??= this.#open().finally(() => (this.#connecting = undefined));
    return this.#connecting;
  }

  async #open(): Promise<Socket> {
    const socket = connect({ host: this.#url.hostname.replace(/^\[|\]$/g, ''), port: Number(this.#url.port || 6379) });
    socket.setNoDelay(true);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('timed out')), this.#commandTimeoutMs);
        socket.once('connect', () => {
          clearTimeout(timer);
          resolve();
        });
        socket.once('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
      });
    } catch (error) {
      socket.destroy();
      this.#downUntil = Date.now() + this.#reconnectDelayMs;
      throw new RelayStoreError(
        `Redis at ${this.#url.host} is unreachable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      );
    }
    socket.on('data', (chunk: Buffer) => this.#receive(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.#socket === socket)
        this.#fail(new RelayStoreError(`The connection to Redis at ${this.#url.host} closed`));
    });
    this.#socket = socket;
    this.#received = Buffer.alloc(0);
    try {
      const password = decodeURIComponent(this.#url.password);
      const user = decodeURIComponent(this.#url.username);
      if (password !== '')
        await this.#checked(this.#send(socket, user === '' ? ['AUTH', password] : ['AUTH', user, password]));
      const db = this.#url.pathname.replace(/^\//, '');
      if (db !== '' && db !== '0') await this.#checked(this.#send(socket, ['SELECT', db]));
    } catch (error) {
      this.#fail(error instanceof RelayStoreError ? error : new RelayStoreError((error as Error).message));
      throw error;
    }
    return socket;
  }

  async #checked(reply: Promise<RespValue>): Promise<void> {
    const value = await reply;
    if (value instanceof RespError)
      throw new RelayStoreError('Redis refused the connection setup (AUTH or SELECT); check the Redis URL');
  }

  #receive(chunk: Buffer): void {
    this.#received = this.#received.length === 0 ? chunk : Buffer.concat([this.#received, chunk]);
    let offset = 0;
    for (;;) {
      let parsed: ReturnType<typeof parseReply>;
      try {
        parsed = parseReply(this.#received, offset);
      } catch (error) {
        this.#fail(error as RelayStoreError);
        return;
      }
      if (!parsed) break;
      offset = parsed.next;
      this.#replies += 1;
      const pending = this.#pending.shift();
      pending?.resolve(parsed.value);
    }
    this.#received = offset === this.#received.length ? Buffer.alloc(0) : this.#received.subarray(offset);
    if (this.#pending.length === 0 && this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  /** Drops the connection and fails every command in flight; the next command connects again. */
  #fail(error: RelayStoreError): void {
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.destroy();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const pending = this.#pending;
    this.#pending = [];
    for (const command of pending) command.reject(error);
  }
}

function encodeCommand(args: readonly string[]): Buffer {
  let text = `*${args.length}\r\n`;
  for (const arg of args) text += `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`;
  return Buffer.from(text);
}

/** One RESP2 reply starting at `offset`, or undefined when it has not fully arrived yet. */
function parseReply(buffer: Buffer, offset: number): { value: RespValue; next: number } | undefined {
  if (offset >= buffer.length) return undefined;
  const lineEnd = buffer.indexOf('\r\n', offset);
  if (lineEnd === -1) return undefined;
  const type = String.fromCharCode(buffer[offset]!);
  const line = buffer.toString('utf8', offset + 1, lineEnd);
  const afterLine = lineEnd + 2;
  switch (type) {
    case '+':
      return { value: line, next: afterLine };
    case '-':
      return { value: new RespError(line), next: afterLine };
    case ':':
      return { value: Number(line), next: afterLine };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, next: afterLine };
      if (buffer.length < afterLine + length + 2) return undefined;
      return { value: buffer.toString('utf8', afterLine, afterLine + length), next: afterLine + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, next: afterLine };
      const items: RespValue[] = [];
      let next = afterLine;
      for (let index = 0; index < count; index += 1) {
        const item = parseReply(buffer, next);
        if (!item) return undefined;
        items.push(item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      throw new RelayStoreError(`Redis sent a reply the relay cannot read (type ${JSON.stringify(type)})`);
  }
}

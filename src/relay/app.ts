/**
 * The relay as a Hono app: `createRelayApp(config)` returns one app object that the Node entry (node.ts), the
 * Cloudflare entry (cloudflare.ts) or any other runtime with a `fetch` handler serves. It holds the provider keys,
 * exposes one OpenAI-compatible API, and forwards each chat request to the provider configured for the alias the
 * browser chose. No routing logic, no state beyond per-instance rate and concurrency counters, so it scales by running
 * more copies.
 */
import { Hono, type Context, type ExecutionContext } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { bodyLimit } from 'hono/body-limit';
import type { GetConnInfo } from 'hono/conninfo';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { timingSafeEqual } from 'hono/utils/buffer';
import { clientAddress } from './client-address.ts';
import {
  parseClientTokens,
  toParsedRelayConfig,
  type ParsedRelayConfig,
  type RelayConfig,
  type UpstreamModel,
} from './config.ts';
import { ConcurrencyLimiter } from './concurrency-limiter.ts';
import { errorResponse } from './error-response.ts';
import { errorMessage, RelayConfigError } from './errors.ts';
import { originAllowed } from './origins.ts';
import { RateLimiter } from './rate-limiter.ts';
import { Redactor } from './redact.ts';
import { SpendPolicy, type Admission } from './spend-policy.ts';
import { promptOfMessages, type RouteVerdict, type VerifyOutcome, type VerifyRoute } from './verify.ts';
import { MemoryStore, type RelayStore } from './store.ts';
import { forwardChatCompletion, type ExchangeOutcome, type ForwardResult, type UpstreamFetch } from './upstream.ts';
import { costUsd, type Usage } from './usage.ts';

/** One line per request. It never holds a key, a client token, a header or a body. */
export interface RelayLogEntry {
  readonly time: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly durationMs: number;
  /** Who called: the client's address, or `token#<n>` when bearer tokens are configured. */
  readonly client: string;
  /** The alias, once it is known to be a configured one. */
  readonly model?: string;
  /** How a forwarded chat request ended. */
  readonly outcome?: ExchangeOutcome;
  /** The alias that answered, when it is not `model`; `fallback` says why. */
  readonly answeredBy?: string;
  readonly fallback?: Fallback;
  /** Tokens the provider reported, and what they cost at the alias's pricing. */
  readonly usage?: { readonly promptTokens: number; readonly completionTokens: number };
  readonly costUsd?: number;
  /** The counters' store failed while serving this request (the request was then refused or served unmetered). */
  readonly storeError?: string;
  /** What the verifier (`verify`) did with the request, the router's score, and why it failed. */
  readonly verified?: VerifyOutcome;
  readonly verifyScore?: number;
  readonly verifyError?: string;
  /** Set for a connection refused before any request reached the app (Node entry): why. */
  readonly refused?: string;
}

/** Why another alias answered: the client's budget or share was spent, or the provider failed. */
export type Fallback = 'budget' | 'share' | 'error';

export interface RelayAppOptions {
  /** Where keys and client tokens are read from: the bindings on a serverless platform. Default: `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The runtime's way of telling who is calling, for per-client limits. Without it all callers share one budget. */
  readonly getConnInfo?: GetConnInfo;
  /** Receives one entry per finished request; the default writes it as a JSON line to stdout. */
  readonly log?: (entry: RelayLogEntry) => void;
  /** How requests reach providers; default: the runtime's `fetch`. */
  readonly fetch?: UpstreamFetch;
  /**
   * Where budgets and shares are counted; default: this process's memory. Required for `store.redisUrlEnv` and
   * `store.durableObjectBinding` (the Node and Cloudflare entries make it).
   */
  readonly store?: RelayStore;
  /**
   * Judges each chat request before it is served (allow, downgrade to another alias, refuse). Required for the
   * config's `verify`, whose policy it carries: `createRouteVerifier` (routellm-web/relay-verify) runs a router; the
   * relay alone runs none.
   */
  readonly verifyRoute?: VerifyRoute;
}

type RelayEnv = {
  Variables: {
    client: string | undefined;
    model: string | undefined;
    /** Set when the response is a forwarded body still being sent: the log line waits for its end. */
    exchangeSettled: Promise<ExchangeRecord> | undefined;
    storeError: string | undefined;
    verified: VerifyOutcome | undefined;
    verifyScore: number | undefined;
    verifyError: string | undefined;
  };
};

/** What the log line says about a forwarded exchange. */
interface ExchangeRecord {
  readonly outcome: ExchangeOutcome;
  readonly answeredBy?: string;
  readonly fallback?: Fallback;
  readonly usage?: Usage;
  readonly costUsd?: number;
  readonly storeError?: string;
}

/** The relay's Hono app, as both entries serve it. */
export type RelayApp = Hono<RelayEnv>;

export interface AliasStatus {
  readonly alias: string;
  readonly available: boolean;
  /** The variable to set when the alias is unavailable. */
  readonly apiKeyEnv: string | undefined;
}

/** Which aliases can be served with the keys in `env`: those that need no key, or whose key variable is set. */
export function aliasStatuses(
  config: ParsedRelayConfig,
  env: Readonly<Record<string, string | undefined>>,
): AliasStatus[] {
  return [...config.models.values()].map((upstream) => ({
    alias: upstream.alias,
    available: upstream.apiKeyEnv === undefined || Boolean(env[upstream.apiKeyEnv]),
    apiKeyEnv: upstream.apiKeyEnv,
  }));
}

const CHAT_PATH = '/v1/chat/completions';
const MODELS_PATH = '/v1/models';
const USAGE_PATH = '/v1/usage';
/** Long enough for any alias, short enough that an error message never grows with hostile input. */
const MAX_ECHOED_CHARS = 64;

/**
 * `relayConfig` is the documented JSON shape (a plain object from `JSON.parse` will do) or the result of
 * `parseRelayConfig`. Throws RelayConfigError when the config is invalid or names a client-token variable that is
 * not set.
 */
export function createRelayApp(relayConfig: RelayConfig | ParsedRelayConfig, options: RelayAppOptions = {}): RelayApp {
  const config = toParsedRelayConfig(relayConfig);
  // A runtime without `process` (Cloudflare Workers without nodejs_compat) has to hand its bindings in.
  const env = options.env ?? (typeof process === 'undefined' ? {} : process.env);
  const log = options.log ?? ((entry: RelayLogEntry) => console.log(JSON.stringify(entry)));
  // Looked up per call rather than captured, so that a runtime (or a test) replacing the global is respected.
  const upstreamFetch: UpstreamFetch = options.fetch ?? ((url, init) => fetch(url, init));
  const clientTokens = config.auth ? parseClientTokens(config.auth.tokensEnv, env) : undefined;
  if (config.store.kind === 'redis' && !options.store) {
    throw new RelayConfigError(
      'store.redisUrlEnv: the Node entry (startNodeRelay, routellm-relay) connects to Redis; elsewhere pass a RelayStore as options.store',
    );
  }
  if (config.store.kind === 'durable-object' && !options.store) {
    throw new RelayConfigError(
      'store.durableObjectBinding: the Cloudflare entry (createRelayWorker) uses the Durable Object binding; elsewhere pass a RelayStore as options.store',
    );
  }
  if (config.verify && !options.verifyRoute) {
    throw new RelayConfigError(
      'verify: this relay runs no router itself (it installs no inference stack); start it with `npx routellm-web relay` from the routellm-web package (`npm run relay` in its repository), or pass a verifier as options.verifyRoute (createRouteVerifier from routellm-web/relay-verify)',
    );
  }
  const verifyRoute = options.verifyRoute;
  const verifyFailOpen = config.verify?.onError === 'open';
  const policy = new SpendPolicy(config, options.store ?? new MemoryStore());
  const failOpen = config.store.kind !== 'memory' && config.store.onUnavailable === 'open';
  // Every key the relay holds, whichever alias it belongs to: a provider may quote any of them.
  const redactor = new Redactor(
    [...config.models.values()].flatMap((model) =>
      model.apiKeyEnv !== undefined && env[model.apiKeyEnv] ? [env[model.apiKeyEnv]!] : [],
    ),
  );
  const rateLimiter = new RateLimiter(config.limits.requestsPerMinute);
  const concurrencyLimiter = new ConcurrencyLimiter(config.limits.maxConcurrentRequests);
  const availableAliases = aliasStatuses(config, env)
    .filter((status) => status.available)
    .map((status) => status.alias);
  const modelList = {
    object: 'list',
    data: availableAliases.map((alias) => {
      const { pricing } = config.models.get(alias)!;
      return {
        id: alias,
        object: 'model',
        created: Math.floor(Date.now() / 1000),
        owned_by: 'routellm-relay',
        // US dollars per 1M tokens, for the page's cost meter.
        pricing: { input: pricing.input, output: pricing.output },
      };
    }),
  };
  const anyOrigin = config.cors.origins.some((origin) => origin.kind === 'any');
  const addressOf = (c: Context) =>
    clientAddress(
      options.getConnInfo?.(c).remote.address ?? 'unknown',
      c.req.header('x-forwarded-for'),
      config.trustProxy,
    );
  const clientOf = (c: Context<RelayEnv>) => c.get('client') ?? addressOf(c);

  const app = new Hono<RelayEnv>();

  app.use(async (c, next) => {
    const startedAt = performance.now();
    await next();
    const status = c.res.status;
    const write = (exchange?: ExchangeRecord) =>
      log({
        time: new Date().toISOString(),
        method: c.req.method,
        path: c.req.path,
        // 499, as nginx logs it: the client went away, which is neither the relay's failure nor the provider's.
        status: exchange?.outcome === 'client_closed' ? 499 : status,
        durationMs: Math.round((performance.now() - startedAt) * 100) / 100,
        client: clientOf(c),
        ...(c.get('model') !== undefined && { model: c.get('model') }),
        ...exchange,
        ...(c.get('storeError') !== undefined && { storeError: c.get('storeError') }),
        ...(c.get('verified') !== undefined && { verified: c.get('verified') }),
        ...(c.get('verifyScore') !== undefined && { verifyScore: c.get('verifyScore') }),
        ...(c.get('verifyError') !== undefined && { verifyError: c.get('verifyError') }),
      });
    const verified = c.get('verified');
    if (verified !== undefined) c.res.headers.set('x-routellm-verified', verified);
    const settled = c.get('exchangeSettled');
    if (settled) void settled.then(write);
    else write();
  });

  // A browser page from an origin not on the list gets nothing, not even a refusal it could read. Checked on the
  // server as well as by the browser: a "simple" cross-site POST would otherwise reach the provider and cost money.
  app.use(async (c, next) => {
    const origin = c.req.header('origin');
    if (origin !== undefined && !originAllowed(config.cors.origins, origin)) {
      return errorResponse(
        403,
        'origin_not_allowed',
        'This origin is not allowed to call the relay (see cors.origins in the relay config).',
      );
    }
    await next();
  });

  app.use(
    cors({
      origin: (origin) => (anyOrigin ? '*' : origin),
      allowMethods: ['GET', 'POST', 'OPTIONS'],
      allowHeaders: ['Authorization', 'Content-Type'],
      exposeHeaders: ['Retry-After', 'X-Request-Id', 'X-Routellm-Model', 'X-Routellm-Fallback', 'X-Routellm-Verified'],
      credentials: config.cors.credentials,
      maxAge: 600,
    }),
  );

  if (clientTokens) {
    const tokenNotAccepted = () =>
      errorResponse(401, 'invalid_token', 'The bearer token is not one this relay accepts.', {
        'www-authenticate': 'Bearer error="invalid_token"',
      });
    app.use(
      '/v1/*',
      bearerAuth({
        verifyToken: async (token, c) => {
          for (const [index, candidate] of clientTokens.entries()) {
            if (await timingSafeEqual(candidate, token)) {
              (c as Context<RelayEnv>).set('client', `token#${index + 1}`);
              return true;
            }
          }
          return false;
        },
        noAuthenticationHeader: {
          message: () =>
            errorResponse(401, 'missing_token', 'This relay needs an "Authorization: Bearer <token>" header.', {
              'www-authenticate': 'Bearer',
            }),
        },
        invalidAuthenticationHeader: { message: tokenNotAccepted },
        invalidToken: { message: tokenNotAccepted },
      }),
    );
  }

  app.use('/v1/*', async (c, next) => {
    const decision = rateLimiter.take(clientOf(c));
    if (!decision.allowed) {
      return errorResponse(429, 'rate_limited', `Too many requests; retry in ${decision.retryAfterSeconds} s.`, {
        'retry-after': String(decision.retryAfterSeconds),
      });
    }
    await next();
  });

  app.get('/health', (c) => c.json({ status: 'ok', models: availableAliases.length }));

  app.get(MODELS_PATH, (c) => c.json(modelList));

  app.get(USAGE_PATH, async (c) => {
    try {
      return c.json(await policy.report(clientOf(c)));
    } catch (error) {
      c.set('storeError', errorMessage(error));
      return storeUnavailable();
    }
  });

  // The rest of a refused body stays unread, so the connection cannot carry another request: say so, or a client
  // that reuses it would see its next request fail.
  const tooLarge = () =>
    errorResponse(
      413,
      'request_too_large',
      `The request body is larger than the relay's limit of ${config.limits.maxBodyBytes} bytes.`,
      {
        connection: 'close',
      },
    );
  const limitStreamedBody = bodyLimit({ maxSize: config.limits.maxBodyBytes, onError: tooLarge });

  app.post(
    CHAT_PATH,
    (c, next) => {
      // A declared length is the whole story (the HTTP parser never delivers more than it), so it is checked here
      // without touching the body: Hono's bodyLimit reads `request.body`, which pushes Node's adapter off its fast
      // direct read of the body. Bodies without a length go through bodyLimit, which counts bytes as they arrive.
      const declaredLength = c.req.header('content-length');
      if (declaredLength !== undefined && c.req.header('transfer-encoding') === undefined) {
        return Number(declaredLength) > config.limits.maxBodyBytes ? tooLarge() : next();
      }
      return limitStreamedBody(c, next);
    },
    async (c) => {
      if (!/^application\/json\s*(;|$)/i.test(c.req.header('content-type') ?? '')) {
        return errorResponse(
          415,
          'unsupported_media_type',
          'Send the request body as JSON with "Content-Type: application/json".',
        );
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(await c.req.text());
      } catch (error) {
        return errorResponse(400, 'invalid_json', `The request body is not valid JSON: ${errorMessage(error)}`);
      }
      const request = checkChatRequest(parsed);
      if (typeof request === 'string') return errorResponse(400, 'invalid_request', request);

      const upstream = config.models.get(request.model);
      if (!upstream) {
        return errorResponse(
          404,
          'model_not_found',
          `The model ${echo(request.model)} does not exist on this relay. Available models: ${availableAliases.join(', ') || 'none'}.`,
        );
      }
      c.set('model', upstream.alias);
      const apiKey = upstream.apiKeyEnv === undefined ? undefined : env[upstream.apiKeyEnv];
      if (upstream.apiKeyEnv !== undefined && !apiKey) {
        return errorResponse(
          503,
          'model_unavailable',
          `Model "${upstream.alias}" is not available: set the environment variable ${upstream.apiKeyEnv} where the relay runs, then restart it.`,
          { 'x-should-retry': 'false' },
        );
      }

      try {
        JSON.stringify(request.body);
      } catch {
        return errorResponse(400, 'invalid_request', 'The request body is nested too deeply.');
      }

      const client = clientOf(c);
      // The alias the spending rules see: the one asked for, unless the verifier downgrades the request.
      let asked = upstream;
      if (verifyRoute) {
        let verdict: RouteVerdict | undefined;
        try {
          verdict = await verifyRoute({
            alias: upstream.alias,
            prompt: promptOfMessages(request.body['messages'] as unknown[]),
            client,
            signal: c.req.raw.signal,
          });
        } catch (error) {
          c.set('verified', 'failed');
          c.set('verifyError', errorMessage(error));
          if (!verifyFailOpen) {
            return errorResponse(
              503,
              'verification_failed',
              'The relay could not verify this request; retry shortly.',
              {
                'retry-after': '1',
              },
            );
          }
        }
        if (verdict?.score !== undefined) c.set('verifyScore', Math.round(verdict.score * 1e6) / 1e6);
        if (verdict?.action === 'refuse') {
          c.set('verified', 'refused');
          return errorResponse(403, 'route_refused', verdict.reason, { 'x-should-retry': 'false' });
        }
        if (verdict?.action === 'downgrade') {
          const instead = config.models.get(verdict.to);
          // Only a verifier written in code can name an alias the config lacks: a bug, answered as the relay's 500.
          if (!instead) throw new RelayConfigError(`The verifier downgraded to "${verdict.to}", which is not an alias`);
          c.set('verified', 'downgraded');
          asked = instead;
        } else if (verdict?.score !== undefined) c.set('verified', 'allowed');
      }
      let admission: Admission = { kind: 'serve', alias: asked.alias };
      if (policy.enforcing) {
        try {
          admission = await policy.admit(client, asked.alias);
        } catch (error) {
          c.set('storeError', errorMessage(error));
          if (!failOpen) return storeUnavailable();
        }
      }
      if (admission.kind === 'refuse') {
        return errorResponse(
          429,
          admission.reason === 'budget' ? 'budget_exceeded' : 'share_exceeded',
          admission.message,
          // Until the window ends nothing changes, so an SDK retrying at once would only be refused again.
          { 'retry-after': String(admission.retryAfterSeconds), 'x-should-retry': 'false' },
        );
      }

      const release = concurrencyLimiter.tryAcquire(client);
      if (!release) {
        return errorResponse(
          429,
          'too_many_concurrent_requests',
          `Too many requests in flight; this relay allows ${config.limits.maxConcurrentRequests} at once per client.`,
          { 'retry-after': '1' },
        );
      }
      let exchangeSettled!: (record: ExchangeRecord) => void;
      const settled = new Promise<ExchangeRecord>((resolve) => (exchangeSettled = resolve));
      c.set('exchangeSettled', settled);
      keepAliveUntil(c, settled);

      const first = config.models.get(admission.alias)!;
      const candidates = [first, ...first.fallbacks.map((alias) => config.models.get(alias)!)].filter(
        (candidate) => candidate.apiKeyEnv === undefined || Boolean(env[candidate.apiKeyEnv]),
      );
      const clientWantsUsage =
        (request.body['stream_options'] as { include_usage?: unknown } | undefined)?.include_usage === true;
      for (const [index, candidate] of candidates.entries()) {
        const fallback: Fallback | undefined = index > 0 ? 'error' : admission.fallback;
        const last = index === candidates.length - 1;
        let settledWith: { outcome: ExchangeOutcome; usage: Usage | undefined } | undefined;
        let final = false;
        const finish = ({ outcome, usage }: { outcome: ExchangeOutcome; usage: Usage | undefined }) => {
          release();
          const cost = usage === undefined ? undefined : costUsd(usage, candidate.pricing);
          // The log line waits for the spend to be counted, so that a store failing then is in it too.
          const recorded =
            cost !== undefined && cost > 0
              ? policy.record(client, candidate.alias, cost).then(
                  () => undefined,
                  (error: unknown) => errorMessage(error),
                )
              : Promise.resolve(undefined);
          void recorded.then((storeError) =>
            exchangeSettled({
              outcome,
              ...(candidate.alias !== upstream.alias && { answeredBy: candidate.alias }),
              ...(fallback !== undefined && { fallback }),
              ...(usage !== undefined && cost !== undefined && { usage, costUsd: Math.round(cost * 1e9) / 1e9 }),
              ...(storeError !== undefined && { storeError }),
            }),
          );
        };
        const attempt = (): Promise<ForwardResult> =>
          forwardChatCompletion({
            upstream: candidate,
            apiKey: candidate.apiKeyEnv === undefined ? undefined : env[candidate.apiKeyEnv],
            body: upstreamBodyFor(request, candidate),
            stream: request.stream,
            fetch: upstreamFetch,
            clientSignal: c.req.raw.signal,
            limits: config.limits,
            redactor,
            clientWantsUsage,
            ...(candidate.alias !== upstream.alias && { answeredAs: candidate.alias }),
            onSettled: (outcome, usage) => {
              // Until the chain has decided this attempt is the answer, another provider may still replace it.
              settledWith = { outcome, usage };
              if (final) finish(settledWith);
            },
          });
        let result = await attempt();
        const waitMs = result.retryable?.retryAfterMs;
        if (result.response.status === 429 && waitMs !== undefined && waitMs <= config.limits.upstreamRetryAfterMaxMs) {
          // The provider said when to come back, soon enough to wait for: once, on the same provider.
          await abortableDelay(waitMs, c.req.raw.signal);
          if (!c.req.raw.signal.aborted) result = await attempt();
        }
        if (result.retryable && !last && !c.req.raw.signal.aborted) continue;
        final = true;
        if (settledWith) finish(settledWith);
        if (result.response.ok) {
          result.response.headers.set('x-routellm-model', candidate.alias);
          if (fallback !== undefined) result.response.headers.set('x-routellm-fallback', fallback);
        }
        return result.response;
      }
      release();
      exchangeSettled({ outcome: 'upstream_error' });
      return errorResponse(
        503,
        'model_unavailable',
        `No provider for model "${admission.alias}" or its fallbacks has its key set.`,
        {
          'x-should-retry': 'false',
        },
      );
    },
  );

  app.all(CHAT_PATH, () => methodNotAllowed('POST'));
  app.all(MODELS_PATH, () => methodNotAllowed('GET, HEAD'));
  app.all(USAGE_PATH, () => methodNotAllowed('GET, HEAD'));
  app.all('/health', () => methodNotAllowed('GET, HEAD'));

  app.notFound((c) =>
    errorResponse(
      404,
      'not_found',
      `There is no ${echo(c.req.path)} here; the relay serves ${CHAT_PATH}, ${MODELS_PATH} and /health.`,
    ),
  );

  app.onError((error) => {
    if (error instanceof HTTPException) return error.getResponse();
    // Nothing of the error reaches the client (no message, no stack); the log line records the 500.
    return errorResponse(500, 'internal_error', 'The relay failed while handling this request.');
  });

  return app;
}

interface ChatRequest {
  readonly model: string;
  readonly stream: boolean;
  readonly body: Record<string, unknown>;
}

/** The few fields the relay relies on; everything else is the provider's to judge. Returns a message when invalid. */
function checkChatRequest(value: unknown): ChatRequest | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'The request body must be a JSON object.';
  const body = value as Record<string, unknown>;
  if (typeof body['model'] !== 'string')
    return '"model" must be a string naming one of the relay\'s models (see GET /v1/models).';
  const messages = body['messages'];
  if (!Array.isArray(messages) || messages.length === 0) return '"messages" must be a non-empty array.';
  for (const [index, message] of messages.entries()) {
    if (typeof message !== 'object' || message === null || Array.isArray(message))
      return `"messages[${index}]" must be an object.`;
    if (typeof (message as Record<string, unknown>)['role'] !== 'string')
      return `"messages[${index}].role" must be a string.`;
  }
  const stream = body['stream'];
  if (stream !== undefined && typeof stream !== 'boolean') return '"stream" must be true or false.';
  return { model: body['model'], stream: stream === true, body };
}

/** The client's body as the provider gets it: its model name, and the usage chunk asked for on every stream. */
function upstreamBodyFor(request: ChatRequest, upstream: UpstreamModel): string {
  const body: Record<string, unknown> = { ...request.body, model: upstream.model };
  if (request.stream) {
    const streamOptions = request.body['stream_options'];
    body['stream_options'] = {
      ...(typeof streamOptions === 'object' && streamOptions !== null ? streamOptions : {}),
      include_usage: true,
    };
  }
  return JSON.stringify(body);
}

/**
 * On Cloudflare Workers, work still pending once the response has been sent is cancelled: the runtime is told to
 * wait for the exchange to settle, which is when its cost reaches the store. Node has no execution context.
 */
function keepAliveUntil(c: Context<RelayEnv>, work: Promise<unknown>): void {
  let executionCtx: ExecutionContext;
  try {
    executionCtx = c.executionCtx;
  } catch {
    return;
  }
  executionCtx.waitUntil(work);
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

function storeUnavailable(): Response {
  return errorResponse(503, 'store_unavailable', 'The relay cannot check spending limits right now; retry shortly.', {
    'retry-after': '1',
  });
}

function methodNotAllowed(allow: string): Response {
  return errorResponse(405, 'method_not_allowed', `Use ${allow.split(', ')[0]} here.`, { allow });
}

/** A client-supplied string quoted in a message: JSON-escaped and cut short. */
function echo(text: string): string {
  return JSON.stringify(text.length > MAX_ECHOED_CHARS ? `${text.slice(0, MAX_ECHOED_CHARS)}…` : text);
}

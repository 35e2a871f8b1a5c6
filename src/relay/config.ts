/**
 * The relay's configuration: which model aliases exist and where each one goes, who may call, and the limits.
 * It is plain data (a JSON file for Node, a bundled JSON module for Cloudflare, or an object in code), checked once
 * at start by `parseRelayConfig`. Secrets never live here: provider keys and client tokens are read from environment
 * variables that the config only names.
 */
import { LOOPBACK_ORIGINS, parseOriginPattern, type OriginPattern } from './origins.ts';
import { parseCidr, type TrustProxy } from './client-address.ts';
import { errorMessage, RelayConfigError } from './errors.ts';

/** One alias as written in a config: where it is forwarded and what it costs. */
export interface RelayModelConfig {
  /** The provider's OpenAI-compatible base URL (`https://api.openai.com/v1`). */
  readonly baseURL: string;
  /** The provider's own model name, sent upstream in place of the alias. */
  readonly model: string;
  /** The NAME of the environment variable that holds the provider key; omitted for servers that need none. */
  readonly apiKeyEnv?: string;
  /** US dollars per 1M tokens, shown to the browser for its cost meter. */
  readonly pricing: { readonly input: number; readonly output: number };
  /** Fixed, non-secret headers the provider wants (OpenRouter's `HTTP-Referer` and `X-Title`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Aliases tried in order when this one's provider fails (5xx, unreachable, no first byte in time). */
  readonly fallbacks?: readonly string[];
  /** The alias that answers instead once a client's budget or share for this one is spent; without it, a 429. */
  readonly budgetFallback?: string;
}

/** What each client may spend: US dollars per window, counted from the providers' reported usage. */
export interface RelayBudgetsConfig {
  /** A client's spend across all aliases; once reached, every chat request gets a 429 until the window ends. */
  readonly usd?: number;
  /** A client's spend per alias; once reached, the alias's `budgetFallback` answers, or a 429. */
  readonly models?: Readonly<Record<string, number>>;
  /** The window's length; default one day (86,400). */
  readonly windowSeconds?: number;
}

/**
 * The config as written: the documented JSON shape, whether it comes from `JSON.parse`, a JSON import or
 * `defineRelayConfig` in code. In JSON files `"//"` keys hold comments.
 */
export interface RelayConfig {
  /** Keyed by alias, the name the browser asks for (`strong`, `weak`, or any other). */
  readonly models: Readonly<Record<string, RelayModelConfig>>;
  /** Default: only pages served from this machine (`http://localhost:*`, `http://127.0.0.1:*`, `http://[::1]:*`). */
  readonly cors?: { readonly origins?: readonly string[]; readonly credentials?: boolean };
  /** When set, every /v1 request needs `Authorization: Bearer <token>` with one of the tokens in this variable. */
  readonly auth?: { readonly tokensEnv: string };
  /** Each omitted limit takes its default (DEFAULT_LIMITS). */
  readonly limits?: Partial<RelayLimits>;
  /** Per-client spending caps. */
  readonly budgets?: RelayBudgetsConfig;
  /**
   * The largest share of a client's chat calls an alias may take in a window, e.g. `{ "strong": 0.5,
   * "windowSeconds": 3600 }`; a call over it goes to the alias's `budgetFallback`, or gets a 429.
   */
  readonly maxShare?: Readonly<Record<string, number>>;
  /** Proxies in front of the relay whose `X-Forwarded-For` is believed: a hop count, or their addresses / CIDR ranges. */
  readonly trustProxy?: number | readonly string[];
  /** Where counters live: this process (default), a Redis all replicas share, or Durable Objects on Cloudflare. */
  readonly store?: RelayStoreConfig;
  /**
   * Opt-in: run a router on the relay (Node, `routellm-web relay`) and downgrade or refuse requests for a verified
   * alias whose prompt scores under the threshold, whatever the browser decided.
   */
  readonly verify?: RelayVerifyConfig;
}

export interface RelayVerifyConfig {
  /** The router to run, by name (`length`, `knn-gain`, ...), with its shipped weights. */
  readonly router: string;
  /** A verified alias's prompt must score at least this (0 to 1); the page's own threshold, or a little under it. */
  readonly threshold: number;
  /** Under the threshold: `downgrade` to `to` (default), or `refuse` with a 403. */
  readonly action?: 'downgrade' | 'refuse';
  /** The alias that answers a downgraded request (required for `downgrade`). */
  readonly to?: string;
  /** The aliases whose requests are verified; default `["strong"]`. */
  readonly models?: readonly string[];
  /** A folder of trained weights for the router (from `npm run train`), instead of the shipped ones. */
  readonly weights?: string;
  /** When the verifier fails: `closed` answers 503 (default), `open` serves the request unverified. */
  readonly onError?: 'open' | 'closed';
}

/** Exactly one of `redisUrlEnv` (Node) and `durableObjectBinding` (Cloudflare Workers). */
export interface RelayStoreConfig {
  /** Node: the NAME of the environment variable holding the Redis URL (`redis://[:password@]host:port/db`). */
  readonly redisUrlEnv?: string;
  /** Cloudflare Workers: the name of the Durable Object binding of the `RelayCounter` class (`RELAY_COUNTERS`). */
  readonly durableObjectBinding?: string;
  /** When the store cannot be reached: `closed` refuses chat requests with a 503 (default), `open` serves them unmetered. */
  readonly onUnavailable?: 'open' | 'closed';
}

/** Types a config written in code, as Vite's defineConfig does; the relay checks it when it starts. */
export function defineRelayConfig(config: RelayConfig): RelayConfig {
  return config;
}

/** Where one alias is forwarded, once checked. */
export interface UpstreamModel {
  /** The name the browser asks for (`strong`, `weak`, or any other). */
  readonly alias: string;
  /** The provider's OpenAI-compatible base URL, without a trailing slash (`https://api.openai.com/v1`). */
  readonly baseURL: string;
  /** The provider's own model name, sent upstream in place of the alias. */
  readonly model: string;
  /** The environment variable that holds the provider key; absent for servers that need none (a local Ollama). */
  readonly apiKeyEnv: string | undefined;
  /** Price in US dollars per 1M tokens, shown to the browser for its cost meter. */
  readonly pricing: { readonly input: number; readonly output: number };
  /** Fixed, non-secret headers the provider wants (OpenRouter's `HTTP-Referer` and `X-Title`). */
  readonly headers: Readonly<Record<string, string>>;
  readonly fallbacks: readonly string[];
  readonly budgetFallback: string | undefined;
}

export interface RelayLimits {
  /** Largest accepted request body. */
  readonly maxBodyBytes: number;
  /** Sustained requests per minute per client (a token bucket holding one minute's worth). */
  readonly requestsPerMinute: number;
  /** Chat requests one client may have in flight at once. */
  readonly maxConcurrentRequests: number;
  /** How long the provider may take to start answering (connect plus response headers) before a 504. */
  readonly upstreamFirstByteTimeoutMs: number;
  /** Longest silence allowed between two chunks of a provider's response before the relay gives up on it. */
  readonly upstreamIdleTimeoutMs: number;
  /** A provider's 429 with a Retry-After up to this is waited out and the request sent once more. */
  readonly upstreamRetryAfterMaxMs: number;
  /** Node entry: how long a client may take to send its request headers before a 408. */
  readonly headersTimeoutMs: number;
  /** Node entry: how long a client may take to send its whole request, body included, before a 408. */
  readonly requestTimeoutMs: number;
  /** Node entry: open connections at once; one more is answered 503 and closed. */
  readonly maxConnections: number;
}

/** A checked config with its defaults filled in, as `parseRelayConfig` returns it. */
export interface ParsedRelayConfig {
  /** Keyed by alias; a Map so that a client asking for `constructor` or `__proto__` finds nothing. */
  readonly models: ReadonlyMap<string, UpstreamModel>;
  readonly cors: { readonly origins: readonly OriginPattern[]; readonly credentials: boolean };
  /** When set, every /v1 request needs `Authorization: Bearer <token>` with one of the tokens in this variable. */
  readonly auth: { readonly tokensEnv: string } | undefined;
  readonly limits: RelayLimits;
  readonly budgets: ParsedBudgets | undefined;
  readonly maxShare: ParsedMaxShare | undefined;
  readonly trustProxy: TrustProxy | undefined;
  readonly verify: ParsedVerify | undefined;
  readonly store:
    | { readonly kind: 'memory' }
    | { readonly kind: 'redis'; readonly urlEnv: string; readonly onUnavailable: 'open' | 'closed' }
    | { readonly kind: 'durable-object'; readonly binding: string; readonly onUnavailable: 'open' | 'closed' };
}

export interface ParsedBudgets {
  readonly usd: number | undefined;
  readonly models: ReadonlyMap<string, number>;
  readonly windowMs: number;
}

export interface ParsedVerify {
  readonly router: string;
  readonly threshold: number;
  readonly action: 'downgrade' | 'refuse';
  /** Set exactly when `action` is `downgrade`. */
  readonly to: string | undefined;
  readonly models: readonly string[];
  readonly weights: string | undefined;
  readonly onError: 'open' | 'closed';
}

export interface ParsedMaxShare {
  readonly models: ReadonlyMap<string, number>;
  readonly windowMs: number;
}

export const DEFAULT_BUDGET_WINDOW_SECONDS = 86_400;
export const DEFAULT_SHARE_WINDOW_SECONDS = 3_600;

export const DEFAULT_LIMITS: RelayLimits = {
  maxBodyBytes: 1024 * 1024,
  requestsPerMinute: 120,
  maxConcurrentRequests: 8,
  upstreamFirstByteTimeoutMs: 120_000,
  upstreamIdleTimeoutMs: 120_000,
  upstreamRetryAfterMaxMs: 5_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxConnections: 4_096,
};

const ALIAS = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;
/** As the router registry names routers. */
const ROUTER_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** Credentials reach a provider only through `apiKeyEnv`, so they can never sit in a file that gets committed. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key', 'api-key']);
/** Headers the relay itself sets for every upstream request. */
const RESERVED_HEADERS = new Set([
  'content-type',
  'content-length',
  'accept',
  'accept-encoding',
  'host',
  'connection',
  'transfer-encoding',
]);
/** A JSON file cannot hold comments, so `"//"` carries them. */
const COMMENT_KEY = '//';
/** Where people paste keys by habit; reported with their own explanation rather than as unknown settings. */
const SECRET_FIELDS = ['apiKey', 'api_key', 'key'];

/**
 * Checks a config in the documented shape (straight from `JSON.parse` is fine) and fills in defaults. `source`, a
 * file name for instance, names it in the error message. Throws RelayConfigError listing every problem, each with the
 * path of its field (`models."strong".baseURL`); the message never repeats a value that might be a secret.
 */
export function parseRelayConfig(value: unknown, source?: string): ParsedRelayConfig {
  const problems: string[] = [];
  const invalid = () =>
    new RelayConfigError(`Invalid relay config${source === undefined ? '' : ` ${source}`}: ${problems.join('; ')}`);
  const root = objectAt(value, 'the config', problems);
  if (!root) throw invalid();
  onlyKeys(
    root,
    ['models', 'cors', 'auth', 'limits', 'budgets', 'maxShare', 'trustProxy', 'store', 'verify'],
    '',
    problems,
  );

  const models = new Map<string, UpstreamModel>();
  const modelEntries = objectAt(root['models'], 'models', problems);
  if (modelEntries) {
    if (Object.keys(modelEntries).length === 0) problems.push('models must name at least one alias');
    for (const [alias, entry] of Object.entries(modelEntries)) {
      const model = parseUpstreamModel(alias, entry, problems);
      if (model) models.set(alias, model);
    }
  }

  const cors = parseCors(root['cors'], problems);
  const auth = parseAuth(root['auth'], problems);
  const limits = parseLimits(root['limits'], problems);
  const isAlias = (name: string) =>
    models.has(name) || (modelEntries !== undefined && Object.hasOwn(modelEntries, name));
  for (const model of models.values()) checkFallbackAliases(model, isAlias, problems);
  const budgets = parseBudgets(root['budgets'], isAlias, problems);
  const maxShare = parseMaxShare(root['maxShare'], isAlias, problems);
  const trustProxy = parseTrustProxy(root['trustProxy'], problems);
  const store = parseStore(root['store'], problems);
  const verify = parseVerify(root['verify'], isAlias, problems);

  if (problems.length > 0 || !cors) throw invalid();
  return { models, cors, auth, limits, budgets, maxShare, trustProxy, store, verify };
}

/** The checked form of either shape: a config from `parseRelayConfig` passes through, any other is checked now. */
export function toParsedRelayConfig(config: RelayConfig | ParsedRelayConfig): ParsedRelayConfig {
  // A JSON value cannot hold a Map, so a Map of models only ever comes from parseRelayConfig.
  return config.models instanceof Map ? (config as ParsedRelayConfig) : parseRelayConfig(config);
}

function parseUpstreamModel(alias: string, value: unknown, problems: string[]): UpstreamModel | undefined {
  const path = `models.${JSON.stringify(alias)}`;
  if (!ALIAS.test(alias)) {
    problems.push(`${path}: an alias is 1-128 letters, digits or . _ : / - and starts with a letter or digit`);
  }
  const entry = objectAt(value, path, problems);
  if (!entry) return undefined;
  if (SECRET_FIELDS.some((field) => field in entry)) {
    problems.push(
      `${path}: keys are never read from the config file; put the key in an environment variable and name that variable in apiKeyEnv`,
    );
  }
  onlyKeys(
    entry,
    ['baseURL', 'model', 'apiKeyEnv', 'pricing', 'headers', 'fallbacks', 'budgetFallback'],
    `${path}.`,
    problems,
    SECRET_FIELDS,
  );

  const baseURL = parseBaseURL(entry['baseURL'], `${path}.baseURL`, problems);
  const model = entry['model'];
  if (typeof model !== 'string' || model.trim() === '')
    problems.push(`${path}.model must be the provider's model name`);

  const apiKeyEnv = entry['apiKeyEnv'];
  if (apiKeyEnv !== undefined && (typeof apiKeyEnv !== 'string' || !ENV_NAME.test(apiKeyEnv))) {
    // The value is not repeated: a key pasted here by mistake must not end up in a terminal or a CI log.
    problems.push(
      `${path}.apiKeyEnv must be the NAME of an environment variable (letters, digits, _), not the key itself`,
    );
  }

  const pricing = objectAt(entry['pricing'], `${path}.pricing`, problems);
  let input = NaN;
  let output = NaN;
  if (pricing) {
    onlyKeys(pricing, ['input', 'output'], `${path}.pricing.`, problems);
    input = priceAt(pricing['input'], `${path}.pricing.input`, problems);
    output = priceAt(pricing['output'], `${path}.pricing.output`, problems);
  }

  const headers = parseHeaders(entry['headers'], `${path}.headers`, problems);
  const fallbacks = entry['fallbacks'] ?? [];
  if (!Array.isArray(fallbacks) || fallbacks.some((name) => typeof name !== 'string')) {
    problems.push(`${path}.fallbacks must be a list of aliases, such as ["strong-backup", "weak"]`);
  }
  const budgetFallback = entry['budgetFallback'];
  if (budgetFallback !== undefined && typeof budgetFallback !== 'string')
    problems.push(`${path}.budgetFallback must be an alias`);
  if (baseURL === undefined || typeof model !== 'string' || !headers || !pricing) return undefined;
  return {
    alias,
    baseURL,
    model,
    apiKeyEnv: typeof apiKeyEnv === 'string' ? apiKeyEnv : undefined,
    pricing: { input, output },
    headers,
    fallbacks: Array.isArray(fallbacks) ? (fallbacks as string[]) : [],
    budgetFallback: typeof budgetFallback === 'string' ? budgetFallback : undefined,
  };
}

function checkFallbackAliases(model: UpstreamModel, isAlias: (name: string) => boolean, problems: string[]): void {
  const path = `models.${JSON.stringify(model.alias)}`;
  for (const [index, name] of model.fallbacks.entries()) {
    if (name === model.alias) problems.push(`${path}.fallbacks[${index}] names the alias itself`);
    else if (!isAlias(name))
      problems.push(`${path}.fallbacks[${index}]: ${JSON.stringify(name)} is not an alias in models`);
  }
  if (new Set(model.fallbacks).size !== model.fallbacks.length) problems.push(`${path}.fallbacks names an alias twice`);
  const budgetFallback = model.budgetFallback;
  if (budgetFallback === model.alias) problems.push(`${path}.budgetFallback names the alias itself`);
  else if (budgetFallback !== undefined && !isAlias(budgetFallback)) {
    problems.push(`${path}.budgetFallback: ${JSON.stringify(budgetFallback)} is not an alias in models`);
  }
}

function windowMsAt(value: unknown, path: string, fallbackSeconds: number, problems: string[]): number {
  if (value === undefined) return fallbackSeconds * 1000;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 366 * 86_400) {
    problems.push(`${path} must be a number of seconds, more than 0 and at most a year`);
    return fallbackSeconds * 1000;
  }
  return Math.round(value * 1000);
}

function usdAt(value: unknown, path: string, problems: string[]): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  problems.push(`${path} must be an amount in US dollars (0 or more)`);
  return undefined;
}

function parseBudgets(
  value: unknown,
  isAlias: (name: string) => boolean,
  problems: string[],
): ParsedBudgets | undefined {
  if (value === undefined) return undefined;
  const budgets = objectAt(value, 'budgets', problems);
  if (!budgets) return undefined;
  onlyKeys(budgets, ['usd', 'models', 'windowSeconds'], 'budgets.', problems);
  const usd = budgets['usd'] === undefined ? undefined : usdAt(budgets['usd'], 'budgets.usd', problems);
  const models = new Map<string, number>();
  if (budgets['models'] !== undefined) {
    const entries = objectAt(budgets['models'], 'budgets.models', problems) ?? {};
    for (const [alias, amount] of Object.entries(entries)) {
      if (alias === COMMENT_KEY) continue;
      const path = `budgets.models.${JSON.stringify(alias)}`;
      if (!isAlias(alias)) problems.push(`${path}: ${JSON.stringify(alias)} is not an alias in models`);
      const parsed = usdAt(amount, path, problems);
      if (parsed !== undefined) models.set(alias, parsed);
    }
  }
  if (budgets['usd'] === undefined && budgets['models'] === undefined) {
    problems.push("budgets needs usd (a client's total) or models (per alias), in US dollars per window");
  }
  return {
    usd,
    models,
    windowMs: windowMsAt(budgets['windowSeconds'], 'budgets.windowSeconds', DEFAULT_BUDGET_WINDOW_SECONDS, problems),
  };
}

function parseMaxShare(
  value: unknown,
  isAlias: (name: string) => boolean,
  problems: string[],
): ParsedMaxShare | undefined {
  if (value === undefined) return undefined;
  const maxShare = objectAt(value, 'maxShare', problems);
  if (!maxShare) return undefined;
  const models = new Map<string, number>();
  for (const [alias, share] of Object.entries(maxShare)) {
    if (alias === COMMENT_KEY || alias === 'windowSeconds') continue;
    const path = `maxShare.${JSON.stringify(alias)}`;
    if (!isAlias(alias))
      problems.push(`${path}: ${JSON.stringify(alias)} is not an alias in models (or windowSeconds)`);
    else if (typeof share !== 'number' || !(share >= 0 && share <= 1))
      problems.push(`${path} must be a share from 0 to 1, such as 0.5`);
    else models.set(alias, share);
  }
  if (Object.keys(maxShare).every((key) => key === COMMENT_KEY || key === 'windowSeconds')) {
    problems.push('maxShare must name at least one alias, such as { "strong": 0.5 }');
  }
  return {
    models,
    windowMs: windowMsAt(maxShare['windowSeconds'], 'maxShare.windowSeconds', DEFAULT_SHARE_WINDOW_SECONDS, problems),
  };
}

function parseTrustProxy(value: unknown, problems: string[]): TrustProxy | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 1 && value <= 32) return { kind: 'hops', hops: value };
  } else if (Array.isArray(value) && value.length > 0 && value.every((entry) => typeof entry === 'string')) {
    const ranges = [];
    for (const entry of value as string[]) {
      try {
        ranges.push(parseCidr(entry));
      } catch (error) {
        problems.push(`trustProxy: ${errorMessage(error)}`);
      }
    }
    return { kind: 'ranges', ranges };
  }
  problems.push(
    'trustProxy must be the number of proxies in front of the relay (1-32) or a list of their addresses or CIDR ranges',
  );
  return undefined;
}

function parseStore(value: unknown, problems: string[]): ParsedRelayConfig['store'] {
  if (value === undefined) return { kind: 'memory' };
  const store = objectAt(value, 'store', problems);
  if (!store) return { kind: 'memory' };
  onlyKeys(store, ['redisUrlEnv', 'durableObjectBinding', 'onUnavailable'], 'store.', problems);
  const urlEnv = store['redisUrlEnv'];
  const binding = store['durableObjectBinding'];
  const onUnavailable = store['onUnavailable'] ?? 'closed';
  const openOrClosed = onUnavailable === 'open' || onUnavailable === 'closed';
  if (!openOrClosed) problems.push('store.onUnavailable must be "open" or "closed"');
  if ((urlEnv === undefined) === (binding === undefined)) {
    problems.push(
      'store needs exactly one of redisUrlEnv (Node: the variable holding the Redis URL) and durableObjectBinding (Cloudflare Workers: the RelayCounter binding in wrangler.toml)',
    );
    return { kind: 'memory' };
  }
  if (binding !== undefined) {
    if (typeof binding !== 'string' || !ENV_NAME.test(binding)) {
      problems.push(
        'store.durableObjectBinding must be the name of the Durable Object binding in wrangler.toml, such as "RELAY_COUNTERS"',
      );
      return { kind: 'memory' };
    }
    return openOrClosed ? { kind: 'durable-object', binding, onUnavailable } : { kind: 'memory' };
  }
  if (typeof urlEnv !== 'string' || !ENV_NAME.test(urlEnv)) {
    problems.push(
      'store.redisUrlEnv must be the NAME of an environment variable holding the Redis URL, not the URL itself',
    );
    return { kind: 'memory' };
  }
  return openOrClosed ? { kind: 'redis', urlEnv, onUnavailable } : { kind: 'memory' };
}

function parseVerify(value: unknown, isAlias: (name: string) => boolean, problems: string[]): ParsedVerify | undefined {
  if (value === undefined) return undefined;
  const verify = objectAt(value, 'verify', problems);
  if (!verify) return undefined;
  onlyKeys(verify, ['router', 'threshold', 'action', 'to', 'models', 'weights', 'onError'], 'verify.', problems);
  const before = problems.length;
  const { router, threshold, to, weights } = verify;
  const action = verify['action'] ?? 'downgrade';
  const onError = verify['onError'] ?? 'closed';
  const models = verify['models'] ?? ['strong'];
  if (typeof router !== 'string' || !ROUTER_NAME.test(router))
    problems.push('verify.router must name a router, such as "length" or "knn-gain"');
  if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 1))
    problems.push('verify.threshold must be a score from 0 to 1, such as 0.3');
  if (action !== 'downgrade' && action !== 'refuse') problems.push('verify.action must be "downgrade" or "refuse"');
  if (onError !== 'open' && onError !== 'closed') problems.push('verify.onError must be "open" or "closed"');
  if (weights !== undefined && (typeof weights !== 'string' || weights === ''))
    problems.push('verify.weights must be the path of a trained router folder');
  if (!Array.isArray(models) || models.length === 0 || models.some((alias) => typeof alias !== 'string')) {
    problems.push('verify.models must be a non-empty list of aliases, such as ["strong"]');
  } else {
    for (const alias of models as string[])
      if (!isAlias(alias))
        problems.push(
          `verify.models: ${JSON.stringify(alias)} is not an alias in models${verify['models'] === undefined ? ' (the default; list the aliases to verify)' : ''}`,
        );
  }
  if (action === 'downgrade') {
    if (typeof to !== 'string')
      problems.push('verify.to must name the alias that answers a downgraded request, such as "weak"');
    else if (!isAlias(to)) problems.push(`verify.to: ${JSON.stringify(to)} is not an alias in models`);
    else if (Array.isArray(models) && models.includes(to))
      problems.push(`verify.to: ${JSON.stringify(to)} is itself verified (in verify.models)`);
  } else if (to !== undefined) problems.push('verify.to applies only to action "downgrade"');
  if (problems.length > before) return undefined;
  return {
    router: router as string,
    threshold: threshold as number,
    action: action as ParsedVerify['action'],
    to: action === 'downgrade' ? (to as string) : undefined,
    models: models as string[],
    weights: weights as string | undefined,
    onError: onError as ParsedVerify['onError'],
  };
}

function parseBaseURL(value: unknown, path: string, problems: string[]): string | undefined {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    problems.push(`${path} must be an http(s) URL such as https://api.openai.com/v1`);
    return undefined;
  }
  if (url.username !== '' || url.password !== '') {
    problems.push(`${path} must not contain credentials; name the key's environment variable in apiKeyEnv`);
    return undefined;
  }
  if (url.search !== '' || url.hash !== '') {
    problems.push(`${path} must not have a query or fragment`);
    return undefined;
  }
  return url.href.replace(/\/+$/, '');
}

function parseHeaders(value: unknown, path: string, problems: string[]): Record<string, string> | undefined {
  if (value === undefined) return {};
  const entries = objectAt(value, path, problems);
  if (!entries) return undefined;
  const headers: Record<string, string> = {};
  for (const [name, headerValue] of Object.entries(entries)) {
    const lower = name.toLowerCase();
    if (!HEADER_NAME.test(name)) problems.push(`${path}: ${JSON.stringify(name)} is not a header name`);
    else if (CREDENTIAL_HEADERS.has(lower)) {
      problems.push(
        `${path}: ${name} carries a credential; credentials come only from the environment variable named in apiKeyEnv`,
      );
    } else if (RESERVED_HEADERS.has(lower)) problems.push(`${path}: ${name} is set by the relay itself`);
    else if (typeof headerValue !== 'string' || !HEADER_VALUE.test(headerValue)) {
      problems.push(`${path}.${name} must be a single-line string`);
    } else headers[lower] = headerValue;
  }
  return headers;
}

function parseCors(value: unknown, problems: string[]): ParsedRelayConfig['cors'] | undefined {
  const defaults = { origins: LOOPBACK_ORIGINS.map(parseOriginPattern), credentials: false };
  if (value === undefined) return defaults;
  const cors = objectAt(value, 'cors', problems);
  if (!cors) return undefined;
  onlyKeys(cors, ['origins', 'credentials'], 'cors.', problems);

  let origins = defaults.origins;
  const originList = cors['origins'];
  if (originList !== undefined) {
    if (!Array.isArray(originList) || originList.some((origin) => typeof origin !== 'string')) {
      problems.push('cors.origins must be a list of origins');
      return undefined;
    }
    origins = [];
    for (const origin of originList as string[]) {
      try {
        origins.push(parseOriginPattern(origin));
      } catch (error) {
        problems.push(`cors.origins: ${errorMessage(error)}`);
      }
    }
  }

  const credentials = cors['credentials'] ?? false;
  if (typeof credentials !== 'boolean') {
    problems.push('cors.credentials must be true or false');
    return undefined;
  }
  // Browsers refuse `*` with credentials, and echoing any origin instead would hand every site the user's session.
  if (credentials && origins.some((origin) => origin.kind === 'any')) {
    problems.push('cors.origins must list origins explicitly (no "*") when cors.credentials is true');
  }
  return { origins, credentials };
}

function parseAuth(value: unknown, problems: string[]): ParsedRelayConfig['auth'] {
  if (value === undefined) return undefined;
  const auth = objectAt(value, 'auth', problems);
  if (!auth) return undefined;
  onlyKeys(auth, ['tokensEnv'], 'auth.', problems);
  const tokensEnv = auth['tokensEnv'];
  if (typeof tokensEnv !== 'string' || !ENV_NAME.test(tokensEnv)) {
    problems.push('auth.tokensEnv must be the NAME of an environment variable holding comma-separated client tokens');
    return undefined;
  }
  return { tokensEnv };
}

function parseLimits(value: unknown, problems: string[]): RelayLimits {
  if (value === undefined) return DEFAULT_LIMITS;
  const limits = objectAt(value, 'limits', problems);
  if (!limits) return DEFAULT_LIMITS;
  const names = Object.keys(DEFAULT_LIMITS) as (keyof RelayLimits)[];
  onlyKeys(limits, names, 'limits.', problems);
  const parsed = { ...DEFAULT_LIMITS };
  for (const name of names) {
    const limit = limits[name];
    if (limit === undefined) continue;
    if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit <= 0) {
      problems.push(`limits.${name} must be a positive whole number`);
    } else parsed[name] = limit;
  }
  return parsed;
}

/** Client tokens from the variable `auth.tokensEnv` names: comma-separated, each usable as a Bearer token. */
export function parseClientTokens(tokensEnv: string, env: Readonly<Record<string, string | undefined>>): string[] {
  const raw = env[tokensEnv];
  if (raw === undefined || raw.trim() === '') {
    throw new RelayConfigError(
      `auth.tokensEnv names ${tokensEnv}, which is not set: set it to a comma-separated list of client tokens, or remove "auth" from the config`,
    );
  }
  const tokens = raw
    .split(',')
    .map((token) => token.trim())
    .filter((token) => token !== '');
  // The characters RFC 6750 allows in a Bearer token, which is also what Hono's bearerAuth accepts.
  if (tokens.some((token) => !/^[A-Za-z0-9._~+/-]+=*$/.test(token))) {
    throw new RelayConfigError(
      `${tokensEnv} holds a token with characters a Bearer token cannot carry (use letters, digits, . _ ~ + / -)`,
    );
  }
  return tokens;
}

function objectAt(value: unknown, path: string, problems: string[]): Record<string, unknown> | undefined {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  problems.push(`${path} must be an object`);
  return undefined;
}

function onlyKeys(
  value: Record<string, unknown>,
  allowed: readonly string[],
  prefix: string,
  problems: string[],
  reportedElsewhere: readonly string[] = [],
): void {
  for (const key of Object.keys(value)) {
    if (key === COMMENT_KEY || allowed.includes(key) || reportedElsewhere.includes(key)) continue;
    problems.push(`${prefix}${key} is not a known setting (known: ${allowed.join(', ')})`);
  }
}

function priceAt(value: unknown, path: string, problems: string[]): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  problems.push(`${path} must be a price in US dollars per 1M tokens (0 or more)`);
  return NaN;
}

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, parseClientTokens, parseRelayConfig } from '../../src/relay/config.ts';
import { RelayConfigError } from '../../src/relay/errors.ts';
import { errorMessage } from '../../src/core/errors.ts';

const minimal = {
  models: {
    strong: {
      baseURL: 'https://api.openai.com/v1/',
      model: 'gpt-4.1',
      apiKeyEnv: 'OPENAI_API_KEY',
      pricing: { input: 2, output: 8 },
    },
  },
};

/** The message of the RelayConfigError that parsing `value` throws. */
function problemsWith(value: unknown): string {
  try {
    parseRelayConfig(value, 'test.json');
  } catch (error) {
    expect(error).toBeInstanceOf(RelayConfigError);
    return errorMessage(error);
  }
  throw new Error('expected the config to be rejected');
}

describe('parseRelayConfig', () => {
  it('reads aliases and fills in defaults', () => {
    const config = parseRelayConfig(minimal, 'test.json');
    expect([...config.models.keys()]).toEqual(['strong']);
    expect(config.models.get('strong')).toEqual({
      alias: 'strong',
      baseURL: 'https://api.openai.com/v1',
      model: 'gpt-4.1',
      apiKeyEnv: 'OPENAI_API_KEY',
      pricing: { input: 2, output: 8 },
      headers: {},
      fallbacks: [],
      budgetFallback: undefined,
    });
    expect(config.limits).toEqual(DEFAULT_LIMITS);
    expect(config.store).toEqual({ kind: 'memory' });
    expect([config.budgets, config.maxShare, config.trustProxy]).toEqual([undefined, undefined, undefined]);
    expect(config.auth).toBeUndefined();
    expect(config.cors.credentials).toBe(false);
    expect(config.cors.origins.map((origin) => origin.kind)).toEqual(['any-port', 'any-port', 'any-port']);
  });

  it('accepts every example config and the default one', () => {
    const directory = new URL('../../src/relay/examples/', import.meta.url);
    const files = readdirSync(directory).filter((name) => name.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(7);
    for (const name of files) {
      const config = parseRelayConfig(JSON.parse(readFileSync(new URL(name, directory), 'utf8')), name);
      expect(config.models.size, name).toBeGreaterThan(0);
    }
    const defaults = parseRelayConfig(
      JSON.parse(readFileSync(new URL('../../src/relay/relay.config.json', import.meta.url), 'utf8')),
      'default',
    );
    expect([...defaults.models.keys()]).toEqual(['strong', 'weak']);
  });

  it('lists every problem at once, with where it is', () => {
    const message = problemsWith({
      models: {
        strong: { baseURL: 'ftp://x', model: '', pricing: { input: -1, output: '8' } },
        'bad alias!': { baseURL: 'https://x.example/v1', model: 'm', pricing: { input: 0, output: 0 } },
      },
      limits: { maxBodyBytes: 0, requestsPerMinut: 5 },
      extra: true,
    });
    for (const expected of [
      'Invalid relay config test.json:',
      'models."strong".baseURL must be an http(s) URL',
      `models."strong".model must be the provider's model name`,
      'models."strong".pricing.input must be a price in US dollars per 1M tokens',
      'models."strong".pricing.output must be a price',
      'models."bad alias!": an alias is',
      'limits.maxBodyBytes must be a positive whole number',
      'limits.requestsPerMinut is not a known setting',
      'extra is not a known setting',
    ]) {
      expect(message).toContain(expected);
    }
  });

  it('refuses keys in the file, and never repeats them', () => {
    const key = 'sk-proj-abcdefghijklmnop1234';
    const withKey = problemsWith({ models: { strong: { ...minimal.models.strong, apiKey: key } } });
    expect(withKey).toContain('keys are never read from the config file');
    const keyAsName = problemsWith({ models: { strong: { ...minimal.models.strong, apiKeyEnv: key } } });
    expect(keyAsName).toContain('must be the NAME of an environment variable');
    const inURL = problemsWith({
      models: { strong: { ...minimal.models.strong, baseURL: `https://user:${key}@api.openai.com/v1` } },
    });
    expect(inURL).toContain('must not contain credentials');
    const inHeader = problemsWith({
      models: { strong: { ...minimal.models.strong, headers: { Authorization: `Bearer ${key}` } } },
    });
    expect(inHeader).toContain('Authorization carries a credential');
    for (const message of [withKey, keyAsName, inURL, inHeader]) expect(message).not.toContain(key);
  });

  it('refuses headers the relay sets itself, and multi-line values', () => {
    expect(
      problemsWith({ models: { strong: { ...minimal.models.strong, headers: { Host: 'evil.example' } } } }),
    ).toContain('Host is set by the relay');
    expect(
      problemsWith({ models: { strong: { ...minimal.models.strong, headers: { 'X-Title': 'a\r\nX-Injected: 1' } } } }),
    ).toContain('headers.X-Title must be a single-line string');
  });

  it('refuses base URLs with a query, and configs without models', () => {
    expect(
      problemsWith({ models: { strong: { ...minimal.models.strong, baseURL: 'https://x.example/v1?api-version=1' } } }),
    ).toContain('must not have a query or fragment');
    expect(problemsWith({ models: {} })).toContain('models must name at least one alias');
    expect(problemsWith([])).toContain('the config must be an object');
  });

  it('refuses "*" origins together with credentials, and origins that are not origins', () => {
    expect(problemsWith({ ...minimal, cors: { origins: ['*'], credentials: true } })).toContain(
      'no "*") when cors.credentials is true',
    );
    expect(problemsWith({ ...minimal, cors: { origins: ['https://app.example.com/'] } })).toContain(
      '"https://app.example.com/" is not an origin',
    );
    expect(problemsWith({ ...minimal, cors: { origins: 'https://app.example.com' } })).toContain(
      'cors.origins must be a list of origins',
    );
  });

  it('reads an auth section naming the token variable', () => {
    expect(parseRelayConfig({ ...minimal, auth: { tokensEnv: 'RELAY_TOKENS' } }, 'x').auth).toEqual({
      tokensEnv: 'RELAY_TOKENS',
    });
    expect(problemsWith({ ...minimal, auth: { tokensEnv: 'not a name' } })).toContain(
      'auth.tokensEnv must be the NAME',
    );
  });
});

describe('parseClientTokens', () => {
  it('splits the variable on commas', () => {
    expect(parseClientTokens('T', { T: ' a-1, b_2 ,,c.3 ' })).toEqual(['a-1', 'b_2', 'c.3']);
  });

  it('fails clearly when the variable is unset or holds unusable tokens, without repeating them', () => {
    expect(() => parseClientTokens('T', {})).toThrow(/T, which is not set/);
    expect(() => parseClientTokens('T', { T: '  ' })).toThrow(/T, which is not set/);
    expect(() => parseClientTokens('T', { T: 'good, bad token' })).toThrow(/T holds a token with characters/);
    expect(() => parseClientTokens('T', { T: 'good, bad token' })).not.toThrow(/bad token/);
  });
});

describe('parseRelayConfig: spending, fallbacks, proxies, store', () => {
  const two = {
    models: {
      strong: { ...minimal.models.strong, fallbacks: ['weak'], budgetFallback: 'weak' },
      weak: { ...minimal.models.strong, model: 'gpt-4.1-mini' },
    },
  };

  it('reads budgets, the share cap, trustProxy and a Redis store, with defaults', () => {
    const config = parseRelayConfig({
      ...two,
      budgets: { usd: 0.5, models: { strong: 0.3 } },
      maxShare: { strong: 0.5, windowSeconds: 600 },
      trustProxy: ['10.0.0.0/8', '::1'],
      store: { redisUrlEnv: 'REDIS_URL' },
    });
    expect(config.models.get('strong')).toMatchObject({ fallbacks: ['weak'], budgetFallback: 'weak' });
    expect(config.budgets).toEqual({ usd: 0.5, models: new Map([['strong', 0.3]]), windowMs: 86_400_000 });
    expect(config.maxShare).toEqual({ models: new Map([['strong', 0.5]]), windowMs: 600_000 });
    expect(config.trustProxy).toMatchObject({ kind: 'ranges', ranges: [{ text: '10.0.0.0/8' }, { text: '::1' }] });
    expect(config.store).toEqual({ kind: 'redis', urlEnv: 'REDIS_URL', onUnavailable: 'closed' });
    expect(
      parseRelayConfig({ ...two, store: { durableObjectBinding: 'RELAY_COUNTERS', onUnavailable: 'open' } }).store,
    ).toEqual({ kind: 'durable-object', binding: 'RELAY_COUNTERS', onUnavailable: 'open' });
    expect(parseRelayConfig({ ...two, trustProxy: 2 }).trustProxy).toEqual({ kind: 'hops', hops: 2 });
  });

  it('names the field of every problem', () => {
    const message = problemsWith({
      models: { strong: { ...minimal.models.strong, fallbacks: ['strong', 'nope'], budgetFallback: 'missing' } },
      budgets: { usd: -1, models: { ghost: 1 }, windowSeconds: 0 },
      maxShare: { strong: 1.5, other: 0.2 },
      trustProxy: ['10.0.0.0/33'],
      store: { redisUrlEnv: 'redis://secret@host', onUnavailable: 'maybe' },
    });
    for (const expected of [
      'models."strong".fallbacks[0] names the alias itself',
      'models."strong".fallbacks[1]: "nope" is not an alias in models',
      'models."strong".budgetFallback: "missing" is not an alias in models',
      'budgets.usd must be an amount in US dollars (0 or more)',
      'budgets.models."ghost": "ghost" is not an alias in models',
      'budgets.windowSeconds must be a number of seconds',
      'maxShare."strong" must be a share from 0 to 1',
      'maxShare."other": "other" is not an alias in models',
      'trustProxy: "10.0.0.0/33" is not an address or range',
      'store.redisUrlEnv must be the NAME of an environment variable',
      'store.onUnavailable must be "open" or "closed"',
    ]) {
      expect(message).toContain(expected);
    }
    expect(message).not.toContain('secret');
    expect(problemsWith({ ...two, budgets: {} })).toContain('budgets needs usd');
    expect(
      problemsWith({ ...two, store: { redisUrlEnv: 'REDIS_URL', durableObjectBinding: 'RELAY_COUNTERS' } }),
    ).toContain('store needs exactly one of redisUrlEnv');
    expect(problemsWith({ ...two, store: { durableObjectBinding: 'relay counters' } })).toContain(
      'store.durableObjectBinding must be the name of the Durable Object binding in wrangler.toml',
    );
    expect(problemsWith({ ...two, trustProxy: 0 })).toContain('trustProxy must be the number of proxies');
    expect(problemsWith({ ...two, maxShare: { windowSeconds: 60 } })).toContain(
      'maxShare must name at least one alias',
    );
  });
});

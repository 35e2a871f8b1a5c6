/** The relay's side of verification: the hook, the policy over scores, the config's `verify`, and their answers. */
import { afterEach, describe, expect, it } from 'vitest';
import { createRelayApp, type RelayLogEntry } from '../../src/relay/app.ts';
import { parseRelayConfig, type RelayConfig } from '../../src/relay/config.ts';
import { promptOfMessages, verifierFromScores, type VerifyRoute } from '../../src/relay/verify.ts';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { TEST_KEY } from './harness.ts';

const models = (baseURL: string): RelayConfig['models'] => ({
  strong: { baseURL, model: 'upstream-strong', apiKeyEnv: 'TEST_PROVIDER_KEY', pricing: { input: 2, output: 8 } },
  weak: { baseURL, model: 'upstream-weak', apiKeyEnv: 'TEST_PROVIDER_KEY', pricing: { input: 0.1, output: 0.4 } },
});

const problemsWith = (verify: unknown, aliases = models('http://127.0.0.1:9/v1')) => {
  try {
    parseRelayConfig({ models: aliases, verify });
  } catch (error) {
    return (error as Error).message;
  }
  return '';
};

describe('verify in the relay config', () => {
  it('fills in the defaults: downgrade, the strong alias, fail closed', () => {
    expect(
      parseRelayConfig({
        models: models('http://127.0.0.1:9/v1'),
        verify: { router: 'length', threshold: 0.3, to: 'weak' },
      }).verify,
    ).toEqual({
      router: 'length',
      threshold: 0.3,
      action: 'downgrade',
      to: 'weak',
      models: ['strong'],
      weights: undefined,
      onError: 'closed',
    });
  });

  it('names every problem', () => {
    const message = problemsWith({ router: 'Length!', threshold: 2, action: 'maybe', onError: 'sometimes', extra: 1 });
    for (const expected of [
      'verify.router must name a router, such as "length" or "knn-gain"',
      'verify.threshold must be a score from 0 to 1, such as 0.3',
      'verify.action must be "downgrade" or "refuse"',
      'verify.onError must be "open" or "closed"',
      'verify.extra is not a known setting',
    ])
      expect(message).toContain(expected);
    expect(problemsWith({ router: 'length', threshold: 0.3 })).toContain(
      'verify.to must name the alias that answers a downgraded request, such as "weak"',
    );
    expect(problemsWith({ router: 'length', threshold: 0.3, to: 'cheap' })).toContain(
      'verify.to: "cheap" is not an alias in models',
    );
    expect(problemsWith({ router: 'length', threshold: 0.3, to: 'weak', models: ['strong', 'weak'] })).toContain(
      'verify.to: "weak" is itself verified (in verify.models)',
    );
    expect(problemsWith({ router: 'length', threshold: 0.3, action: 'refuse', to: 'weak' })).toContain(
      'verify.to applies only to action "downgrade"',
    );
    expect(problemsWith({ router: 'length', threshold: 0.3, action: 'refuse', models: [] })).toContain(
      'verify.models must be a non-empty list of aliases',
    );
    const { strong: _strong, ...onlyWeak } = models('http://127.0.0.1:9/v1');
    expect(problemsWith({ router: 'length', threshold: 0.3, action: 'refuse' }, onlyWeak)).toContain(
      'verify.models: "strong" is not an alias in models (the default; list the aliases to verify)',
    );
  });

  it('is refused by a relay given no verifier, with what to run instead', () => {
    expect(() =>
      createRelayApp({
        models: models('http://127.0.0.1:9/v1'),
        verify: { router: 'length', threshold: 0.3, to: 'weak' },
      }),
    ).toThrow(
      'verify: this relay runs no router itself (it installs no inference stack); start it with `npx routellm-web relay`',
    );
  });
});

describe('verifierFromScores', () => {
  const policy = (action: 'downgrade' | 'refuse') =>
    parseRelayConfig({
      models: models('http://127.0.0.1:9/v1'),
      verify: { router: 'length', threshold: 0.5, action, ...(action === 'downgrade' && { to: 'weak' }) },
    }).verify!;
  const check = (alias: string, prompt: string) => ({
    alias,
    prompt,
    client: 'c',
    signal: new AbortController().signal,
  });
  const byLength = async (prompt: string) => prompt.length / 10;

  it('scores verified aliases only, and applies the threshold inclusively', async () => {
    const verify = verifierFromScores(policy('downgrade'), byLength);
    expect(await verify(check('weak', 'x'))).toEqual({ action: 'allow' });
    expect(await verify(check('strong', 'xxxxx'))).toEqual({ action: 'allow', score: 0.5 });
    expect(await verify(check('strong', 'xx'))).toMatchObject({ action: 'downgrade', to: 'weak', score: 0.2 });
    expect(await verifierFromScores(policy('refuse'), byLength)(check('strong', 'xx'))).toMatchObject({
      action: 'refuse',
      score: 0.2,
    });
  });
});

describe('promptOfMessages', () => {
  it('is the last user message, its text parts joined, as the SDK routes it', () => {
    expect(
      promptOfMessages([
        { role: 'user', content: 'first' },
        { role: 'assistant', content: 'answer' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'a' },
            { type: 'image_url', image_url: { url: 'x' } },
            { type: 'text', text: 'b' },
          ],
        },
        { role: 'tool', content: 'tool output' },
      ]),
    ).toBe('a\nb');
    expect(promptOfMessages([{ role: 'system', content: 'only a system message' }])).toBe('');
    expect(promptOfMessages([{ role: 'user', content: null }])).toBe('');
  });
});

describe('a relay app with a verifier', () => {
  let upstream: FakeUpstream | undefined;
  afterEach(async () => {
    await upstream?.close();
    upstream = undefined;
  });

  async function appWith(verifyRoute: VerifyRoute, extra: Omit<RelayConfig, 'models'> = {}) {
    upstream = await startFakeUpstream();
    const logs: RelayLogEntry[] = [];
    const app = createRelayApp(
      { models: models(upstream.url), ...extra },
      { env: { TEST_PROVIDER_KEY: TEST_KEY }, log: (entry) => logs.push(entry), verifyRoute },
    );
    const chat = (model: string) =>
      app.request('/v1/chat/completions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Hello?' }] }),
      });
    return { chat, logs };
  }

  const failing: VerifyRoute = async () => {
    throw new Error('the encoder crashed');
  };

  it('answers 503 verification_failed when the verifier fails, unless verify.onError is open', async () => {
    const closed = await appWith(failing);
    const refused = await closed.chat('strong');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('x-routellm-verified')).toBe('failed');
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toMatchObject({ error: { code: 'verification_failed' } });
    expect(closed.logs[0]).toMatchObject({ status: 503, verified: 'failed', verifyError: 'the encoder crashed' });
    await upstream!.close();

    const open = await appWith(failing, { verify: { router: 'length', threshold: 0.3, to: 'weak', onError: 'open' } });
    const served = await open.chat('strong');
    expect(served.status).toBe(200);
    expect(served.headers.get('x-routellm-verified')).toBe('failed');
    expect(served.headers.get('x-routellm-model')).toBe('strong');
  });

  it('downgrades to the alias a verifier in code names, with spending rules applied to that alias', async () => {
    const { chat } = await appWith(async () => ({ action: 'downgrade', to: 'weak', reason: 'a test' }), {
      maxShare: { weak: 0 },
    });
    const response = await chat('strong');
    // The share cap of the alias it was downgraded to applies: weak may take no calls at all.
    expect(response.status).toBe(429);
    expect(await response.json()).toMatchObject({ error: { code: 'share_exceeded' } });
    expect(response.headers.get('x-routellm-verified')).toBe('downgraded');
  });

  it('answers 500 when a verifier in code downgrades to an alias the config does not have', async () => {
    const { chat, logs } = await appWith(async () => ({ action: 'downgrade', to: 'nowhere', reason: 'a bug' }));
    expect((await chat('strong')).status).toBe(500);
    expect(logs[0]).toMatchObject({ status: 500 });
  });
});

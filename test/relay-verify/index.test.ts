/**
 * Server-side verification through the real relay (startVerifyingRelay, as `routellm-web relay` starts it) in front
 * of the fake provider: real routers (`length`, and `knn-gain` with its shipped weights and the int8 encoder) score
 * each `strong` request's prompt, and one under the threshold is downgraded or refused.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/node/paths.ts';
import { startVerifyingRelay } from '../../src/cli/relay.ts';
import type { RelayLogEntry } from '../../src/relay/app.ts';
import type { RelayConfig, RelayVerifyConfig } from '../../src/relay/config.ts';
import type { NodeRelay } from '../../src/relay/node.ts';
import { createRouteVerifier, loadRouterScorer } from '../../src/relay-verify/index.ts';
import { parseRelayConfig } from '../../src/relay/config.ts';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { TEST_KEY, upstreamAlias } from '../relay/harness.ts';

const HARD_PROMPT =
  'Prove that for every prime p > 3, p^2 - 1 is divisible by 24. Then generalise: for which integers n is n^2 - 1 ' +
  'divisible by 24? Give a complete, rigorous proof, and explain each step of the modular arithmetic involved, ' +
  'including the cases modulo 3 and modulo 8.';

let upstream: FakeUpstream | undefined;
let relay: NodeRelay | undefined;
afterEach(async () => {
  await relay?.close();
  await upstream?.close();
  relay = undefined;
  upstream = undefined;
});

async function startRelay(verify: RelayVerifyConfig) {
  upstream = await startFakeUpstream();
  const alias = (model: string) => upstreamAlias(upstream!.url, model);
  const config: RelayConfig = {
    models: { strong: alias('upstream-strong'), weak: alias('upstream-weak') },
    verify,
  };
  const logs: RelayLogEntry[] = [];
  relay = await startVerifyingRelay({
    config,
    port: 0,
    env: { TEST_PROVIDER_KEY: TEST_KEY },
    log: (entry) => logs.push(entry),
  });
  const chat = async (model: string, prompt: string, stream = false) => {
    const response = await fetch(`${relay!.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: prompt }] }),
    });
    return { response, text: await response.text() };
  };
  return { chat, logs };
}

describe('a relay that verifies strong requests', () => {
  it('with length: downgrades "hi" to weak, lets a long hard prompt through, and never scores weak requests', async () => {
    const { chat, logs } = await startRelay({ router: 'length', threshold: 0.3, action: 'downgrade', to: 'weak' });

    const short = await chat('strong', 'hi');
    expect(short.response.status).toBe(200);
    expect(short.response.headers.get('x-routellm-verified')).toBe('downgraded');
    expect(short.response.headers.get('x-routellm-model')).toBe('weak');
    expect(JSON.parse(short.text)).toMatchObject({ model: 'weak' });
    expect(upstream!.requests[0]!.json).toMatchObject({ model: 'upstream-weak' });

    const hard = await chat('strong', HARD_PROMPT, true);
    expect(hard.response.status).toBe(200);
    expect(hard.response.headers.get('x-routellm-verified')).toBe('allowed');
    expect(hard.response.headers.get('x-routellm-model')).toBe('strong');
    expect(upstream!.requests[1]!.json).toMatchObject({ model: 'upstream-strong' });

    const weak = await chat('weak', 'hi');
    expect(weak.response.status).toBe(200);
    expect(weak.response.headers.get('x-routellm-verified')).toBeNull();

    await expect.poll(() => logs.length).toBe(3);
    expect(logs.map(({ model, answeredBy, verified }) => ({ model, answeredBy, verified }))).toEqual([
      { model: 'strong', answeredBy: 'weak', verified: 'downgraded' },
      { model: 'strong', answeredBy: undefined, verified: 'allowed' },
      { model: 'weak', answeredBy: undefined, verified: undefined },
    ]);
    // length scores characters / (characters + 500): "hi" is 2 / 502.
    expect(logs[0]!.verifyScore).toBeCloseTo(2 / 502, 6);
    expect(logs[1]!.verifyScore).toBeGreaterThan(0.3);
  });

  it('with action refuse: answers 403 route_refused with the score, and no provider is called', async () => {
    const { chat } = await startRelay({ router: 'length', threshold: 0.3, action: 'refuse' });
    const refused = await chat('strong', 'hi');
    expect(refused.response.status).toBe(403);
    expect(refused.response.headers.get('x-routellm-verified')).toBe('refused');
    expect(refused.response.headers.get('x-should-retry')).toBe('false');
    expect(JSON.parse(refused.text)).toEqual({
      error: {
        type: 'permission_error',
        code: 'route_refused',
        message:
          'The relay\'s length router scored this prompt 0.0040, under the threshold of 0.3 for model "strong"; ask for another model.',
      },
    });
    expect(upstream!.requests).toHaveLength(0);
    expect((await chat('strong', HARD_PROMPT)).response.status).toBe(200);
  });

  it('with knn-gain (shipped weights, int8 encoder, offline): downgrades "hi" and lets a hard proof through', async () => {
    const { chat, logs } = await startRelay({ router: 'knn-gain', threshold: 0.3, to: 'weak' });
    const short = await chat('strong', 'hi');
    expect(short.response.headers.get('x-routellm-verified')).toBe('downgraded');
    expect(short.response.headers.get('x-routellm-model')).toBe('weak');
    const hard = await chat('strong', HARD_PROMPT);
    expect(hard.response.headers.get('x-routellm-verified')).toBe('allowed');
    expect(hard.response.headers.get('x-routellm-model')).toBe('strong');
    await expect.poll(() => logs.length).toBe(2);
    expect(logs[0]!.verifyScore).toBeLessThan(0.1);
    expect(logs[1]!.verifyScore).toBeGreaterThan(0.4);
  });
});

describe('loading a verifier', () => {
  const policy = (verify: RelayVerifyConfig) =>
    parseRelayConfig({
      models: {
        strong: { baseURL: 'http://127.0.0.1:9/v1', model: 's', pricing: { input: 1, output: 1 } },
        weak: { baseURL: 'http://127.0.0.1:9/v1', model: 'w', pricing: { input: 1, output: 1 } },
      },
      verify,
    }).verify!;

  it('names the known routers for an unknown one, and refuses routers that would download a model', async () => {
    await expect(createRouteVerifier(policy({ router: 'lenght', threshold: 0.3, to: 'weak' }))).rejects.toThrow(
      /Unknown router 'lenght'\. Known routers: length, random, .*knn-gain/,
    );
    await expect(loadRouterScorer('causal-llm')).rejects.toThrow(
      /'causal-llm' needs a causal LM downloaded at run time, which the relay does not do; choose one of length, /,
    );
  });

  it('says where it looked for weights that are not there', async () => {
    await expect(
      createRouteVerifier(policy({ router: 'knn-gain', threshold: 0.3, to: 'weak', weights: '/nonexistent/knn' })),
    ).rejects.toThrow('No router weights at /nonexistent/knn/ (manifest.json is missing).');
  });

  it('fails the relay start with one line naming the router when it cannot load', async () => {
    await expect(
      startVerifyingRelay({
        config: {
          models: {
            strong: { baseURL: 'http://127.0.0.1:9/v1', model: 's', pricing: { input: 1, output: 1 } },
            weak: { baseURL: 'http://127.0.0.1:9/v1', model: 'w', pricing: { input: 1, output: 1 } },
          },
          verify: { router: 'knn-gain', threshold: 0.3, to: 'weak', weights: '/nonexistent/knn' },
        },
        port: 0,
      }),
    ).rejects.toThrow(/^verify: the knn-gain router could not be loaded: /);
  });
});

describe('the commands', () => {
  const configFile = () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'relay-verify-')), 'relay.json');
    writeFileSync(
      file,
      JSON.stringify({
        models: {
          strong: { baseURL: 'http://127.0.0.1:9/v1', model: 's', pricing: { input: 1, output: 1 } },
          weak: { baseURL: 'http://127.0.0.1:9/v1', model: 'w', pricing: { input: 1, output: 1 } },
        },
        verify: { router: 'length', threshold: 0.2837, to: 'weak' },
      }),
    );
    return file;
  };
  const run = (script: string, args: string[]) =>
    spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });

  it('routellm-web relay (npm run relay) loads the router the config names and says what it verifies', async () => {
    const child = run('src/cli/routellm-web.ts', ['relay', '--config', configFile(), '--port', '0']);
    try {
      const lines: string[] = [];
      for await (const line of createInterface({ input: child.stdout })) if (lines.push(line) === 2) break;
      expect(lines[0]).toMatch(/^relay listening on http:\/\/127\.0\.0\.1:\d+$/);
      expect(lines[1]).toBe(
        'relay: verifying "strong" with the length router: a prompt scoring under 0.2837 is sent to "weak"',
      );
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('routellm-relay, the relay alone, refuses such a config in one line naming the command to use', async () => {
    const child = run('src/relay/node.ts', ['--config', configFile(), '--port', '0']);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error: verify: this relay runs no router itself .* `npx routellm-web relay`/);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });
});

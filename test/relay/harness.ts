/** Starting a real relay on 127.0.0.1 in front of the fake upstream, with its log lines captured. */
import type { RelayLogEntry } from '../../src/relay/app.ts';
import type { RelayConfig } from '../../src/relay/config.ts';
import { startNodeRelay, type NodeRelay } from '../../src/relay/node.ts';
import type { UpstreamRequestInit } from '../../src/relay/upstream.ts';

export const TEST_KEY = 'sk-test-3c1f0b8e9d7a46b2a5e4-DO-NOT-LEAK';

export interface TestRelay extends NodeRelay {
  readonly logs: RelayLogEntry[];
  /** `fetch` against the relay: `call('/v1/models')`. */
  call(path: string, init?: RequestInit): Promise<Response>;
  /** A chat completion request with a JSON body. */
  chat(body: unknown, init?: { headers?: Record<string, string>; signal?: AbortSignal }): Promise<Response>;
}

/** An alias for provider model `model` at `upstreamURL` (key in TEST_KEY's variable; $2 / $8 per 1M tokens). */
export function upstreamAlias(upstreamURL: string, model: string) {
  return { baseURL: upstreamURL, model, apiKeyEnv: 'TEST_PROVIDER_KEY', pricing: { input: 2, output: 8 } };
}

/**
 * A config as a file holds it, with one `strong` alias pointing at `upstreamURL` (key in TEST_KEY's variable), plus
 * the top-level settings in `extra`.
 */
export function configFor(upstreamURL: string, extra: Omit<RelayConfig, 'models'> = {}): RelayConfig {
  return { models: { strong: upstreamAlias(upstreamURL, 'upstream-strong') }, ...extra };
}

/** The two ways the relay reaches providers: Node's own transport (the Node entry's) and `fetch` (serverless). */
export const TRANSPORTS = {
  'node:http': undefined,
  fetch: (url: string, init: UpstreamRequestInit) => fetch(url, init),
} as const;
export type TransportName = keyof typeof TRANSPORTS;

export async function startTestRelay(
  config: RelayConfig,
  env: Record<string, string | undefined> = { TEST_PROVIDER_KEY: TEST_KEY },
  transport: TransportName = 'node:http',
): Promise<TestRelay> {
  const logs: RelayLogEntry[] = [];
  const upstreamFetch = TRANSPORTS[transport];
  const relay = await startNodeRelay({
    config,
    port: 0,
    env,
    log: (entry) => logs.push(entry),
    ...(upstreamFetch && { fetch: upstreamFetch }),
  });
  const call = (path: string, init?: RequestInit) => fetch(relay.url + path, init);
  return {
    ...relay,
    logs,
    call,
    chat: (body, init = {}) =>
      call('/v1/chat/completions', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...init.headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
        ...(init.signal && { signal: init.signal }),
      }),
  };
}

export const HELLO = { model: 'strong', messages: [{ role: 'user', content: 'Hello?' }] };

/** Waits until `condition` holds, polling; fails with `what` after `timeoutMs`. */
export async function eventually(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { RelayConfigError } from '../../src/relay/config.ts';
import { DEFAULT_HOST, DEFAULT_PORT, loadRelayConfig, nodeRelayOptionsFrom, startNodeRelay, type NodeRelay } from '../../src/relay/node.ts';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const localExample = join(projectRoot, 'src/relay/examples/local.json');

describe('nodeRelayOptionsFrom', () => {
  it('takes flags first, then RELAY_* variables, then defaults', () => {
    expect(nodeRelayOptionsFrom([], {})).toEqual({ port: DEFAULT_PORT, host: DEFAULT_HOST, env: {} });
    const env = { RELAY_PORT: '9000', RELAY_CONFIG: 'env.json', RELAY_HOST: '0.0.0.0' };
    expect(nodeRelayOptionsFrom([], env)).toEqual({ port: 9000, host: '0.0.0.0', configPath: 'env.json', env });
    expect(nodeRelayOptionsFrom(['--port', '0', '--config', 'flag.json', '--host', '::1'], env)).toEqual({
      port: 0,
      host: '::1',
      configPath: 'flag.json',
      env,
    });
  });

  it('rejects bad ports and unknown flags', () => {
    for (const port of ['abc', '-1', '65536', '80.5', '']) expect(() => nodeRelayOptionsFrom([`--port=${port}`], {}), port).toThrow(/--port must be a port number/);
    expect(() => nodeRelayOptionsFrom([], { RELAY_PORT: 'http' })).toThrow(/--port must be a port number/);
    expect(() => nodeRelayOptionsFrom(['--prot', '1'], {})).toThrow(/--prot/);
  });
});

describe('loadRelayConfig', () => {
  const directory = mkdtempSync(join(tmpdir(), 'relay-config-'));

  it('says when the file is missing or not JSON', async () => {
    await expect(loadRelayConfig(join(directory, 'missing.json'))).rejects.toThrow(/Cannot read the relay config .*missing\.json: ENOENT/);
    const broken = join(directory, 'broken.json');
    writeFileSync(broken, '{ "models": ');
    await expect(loadRelayConfig(broken)).rejects.toThrow(RelayConfigError);
    await expect(loadRelayConfig(broken)).rejects.toThrow(/broken\.json is not valid JSON/);
  });

  it('reads and checks a config file', async () => {
    const config = await loadRelayConfig(localExample);
    expect([...config.models.keys()]).toEqual(['weak', 'vllm', 'llamacpp']);
  });
});

describe('startNodeRelay', () => {
  let relay: NodeRelay | undefined;
  afterEach(async () => {
    await relay?.close();
    relay = undefined;
  });

  it('serves the app on the address it reports', async () => {
    relay = await startNodeRelay({ configPath: localExample, port: 0, env: {}, log: () => undefined });
    expect(relay.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(`${relay.url}/health`)).json()).toEqual({ status: 'ok', models: 3 });
  });

  it('uses the default config when given none', async () => {
    relay = await startNodeRelay({ port: 0, env: {}, log: () => undefined });
    expect([...relay.config.models.keys()]).toEqual(['strong', 'weak']);
  });
});

describe('npm run relay (the CLI)', () => {
  function runCli(args: string[], env: Record<string, string> = {}) {
    const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('RELAY_') && !name.endsWith('_API_KEY')));
    return spawn(process.execPath, ['--import', 'tsx', 'src/relay/node.ts', ...args], {
      cwd: projectRoot,
      env: { ...cleanEnv, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  it('prints one line with its URL, warns about missing keys on stderr, and serves', async () => {
    const child = runCli(['--port', '0'], { RELAY_CONFIG: join(projectRoot, 'src/relay/examples/mixed.json') });
    try {
      const stderr: string[] = [];
      child.stderr.setEncoding('utf8').on('data', (text: string) => stderr.push(text));
      const [firstLine] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
      const match = /^relay listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(firstLine);
      expect(match, firstLine).not.toBeNull();
      const models = (await (await fetch(`${match![1]}/v1/models`)).json()) as { data: { id: string }[] };
      expect(models.data.map((model) => model.id)).toEqual(['local']);
      expect(stderr.join('')).toContain('model "strong" is unavailable until OPENAI_API_KEY is set');
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  });

  it('exits 1 with a one-line error for a bad config', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'relay-cli-'));
    const bad = join(directory, 'bad.json');
    writeFileSync(bad, JSON.stringify({ models: { strong: { baseURL: 'nope', model: 'm', apiKey: 'sk-secret-value', pricing: { input: 1, output: 1 } } } }));
    const child = runCli(['--config', bad, '--port', '0']);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^relay: Invalid relay config .*bad\.json: /);
    expect(stderr).toContain('keys are never read from the config file');
    expect(stderr).toContain('baseURL must be an http(s) URL');
    expect(stderr).not.toContain('sk-secret-value');
  });
});

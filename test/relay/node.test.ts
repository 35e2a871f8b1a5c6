import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { RelayConfigError } from '../../src/relay/errors.ts';
import {
  DEFAULT_HOST,
  DEFAULT_PORT,
  loadRelayConfig,
  nodeRelayOptionsFrom,
  startNodeRelay,
  type NodeRelay,
} from '../../src/relay/node.ts';

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
    for (const port of ['abc', '-1', '65536', '80.5', ''])
      expect(() => nodeRelayOptionsFrom([`--port=${port}`], {}), port).toThrow(/--port must be a port number/);
    expect(() => nodeRelayOptionsFrom([], { RELAY_PORT: 'http' })).toThrow(RelayConfigError);
    expect(() => nodeRelayOptionsFrom(['--prot', '1'], {})).toThrow(/--prot/);
  });
});

describe('loadRelayConfig', () => {
  const directory = mkdtempSync(join(tmpdir(), 'relay-config-'));

  it('says when the file is missing or not JSON', async () => {
    await expect(loadRelayConfig(join(directory, 'missing.json'))).rejects.toThrow(
      /Cannot read the relay config .*missing\.json: ENOENT/,
    );
    const broken = join(directory, 'broken.json');
    writeFileSync(broken, '{ "models": ');
    await expect(loadRelayConfig(broken)).rejects.toThrow(RelayConfigError);
    await expect(loadRelayConfig(broken)).rejects.toThrow(/broken\.json is not valid JSON/);
  });

  it('every example config has the strong and weak aliases the chat calls', async () => {
    const folder = join(projectRoot, 'src/relay/examples');
    const examples = readdirSync(folder).filter((name) => name.endsWith('.json'));
    expect(examples.length).toBeGreaterThanOrEqual(7);
    for (const name of examples) {
      const config = await loadRelayConfig(join(folder, name));
      expect([...config.models.keys()], name).toEqual(expect.arrayContaining(['strong', 'weak']));
    }
  });

  it('reads and checks a config file', async () => {
    const config = await loadRelayConfig(localExample);
    expect([...config.models.keys()]).toEqual(['weak', 'strong', 'llamacpp']);
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

describe('routellm-relay (the command, npm run relay)', () => {
  function runCli(args: string[], env: Record<string, string> = {}, script = 'src/relay/node.ts') {
    const cleanEnv = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('RELAY_') && !name.endsWith('_API_KEY')),
    );
    return spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: projectRoot,
      env: { ...cleanEnv, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  async function outcome(
    child: ReturnType<typeof runCli>,
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const [code] = (await once(child, 'exit')) as [number | null];
    return { code, stdout, stderr };
  }

  it('serves a config file on a free port, started through a symlink as npm installs it', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'relay-bin-'));
    const configPath = join(directory, 'relay.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        models: { local: { baseURL: 'http://127.0.0.1:9/v1', model: 'm', pricing: { input: 0, output: 0 } } },
      }),
    );
    const bin = join(directory, 'routellm-relay');
    symlinkSync(join(projectRoot, 'src/relay/node.ts'), bin);
    const child = runCli(['--config', configPath, '--port', '0'], {}, bin);
    try {
      const [firstLine] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
      const url = /^relay listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(firstLine)?.[1];
      expect(url, firstLine).toBeDefined();
      expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: 'ok', models: 1 });
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  });

  it('prints its usage for --help', async () => {
    const { code, stdout } = await outcome(runCli(['--help']));
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: routellm-relay \[--config FILE\] \[--port N\] \[--host ADDRESS\]\n/);
  });

  it('exits 1 with one error line for a bad flag', async () => {
    const cases = [['--prot', '1'], ['--port', 'http'], ['--config']];
    const outcomes = await Promise.all(cases.map((args) => outcome(runCli(args))));
    for (const [index, { code, stdout, stderr }] of outcomes.entries()) {
      const args = cases[index]!;
      expect(code, args.join(' ')).toBe(1);
      expect(stdout).toBe('');
      expect(stderr, args.join(' ')).toMatch(/^error: [^\n]+\n$/);
    }
  });

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
    writeFileSync(
      bad,
      JSON.stringify({
        models: {
          strong: { baseURL: 'nope', model: 'm', apiKey: 'sk-secret-value', pricing: { input: 1, output: 1 } },
        },
      }),
    );
    const { code, stderr } = await outcome(runCli(['--config', bad, '--port', '0']));
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^error: Invalid relay config .*bad\.json: /);
    expect(stderr).toContain('keys are never read from the config file');
    expect(stderr).toContain('baseURL must be an http(s) URL');
    expect(stderr).not.toContain('sk-secret-value');
  });
});

/**
 * The packages as their users get them: `npm pack` of routellm-web and routellm-relay, installed from the tarballs
 * (and everything else from the npm registry) into throwaway apps in a scratch folder, then used the documented way.
 * Install times, node_modules sizes and transferred bytes are printed as figures, never asserted.
 */
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect, type Page, test } from '@playwright/test';
import { PROJECT_ROOT } from '../src/node/paths.ts';
import { freePort } from '../scripts/free-port.ts';
import { startRelayFixture, type RelayFixture } from './fixtures/relay.ts';
import { trackOutsideRequests } from './fixtures/outside-requests.ts';

// Versions a new user would install today next to ours (the repository pins the same Vite and TypeScript).
const VITE = '8.3.8';
const TYPESCRIPT = '5.9.3';
const OPENAI = '7.60.0';
const AI = '7.0.185';
const AI_OPENAI_COMPATIBLE = '3.0.97';
const TRANSFORMERS = '4.3.1';

const scratch = mkdtempSync(path.join(tmpdir(), 'routellm-consumers-'));
let tarballs: { web: string; relay: string };
let relay: RelayFixture;

/** Runs a command without blocking this process, which serves the fake provider and the relay meanwhile. */
async function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<string> {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd} (exit ${status}):\n${stdout}\n${stderr}`);
  return stdout;
}

function folderBytes(folder: string): number {
  let total = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}

/** A fresh app folder with a package.json, its dependencies installed as a user would; prints the figures. */
async function createApp(
  name: string,
  dependencies: string[],
  files: Record<string, string> = {},
  env: Record<string, string> = {},
): Promise<string> {
  const app = path.join(scratch, name);
  await mkdir(app, { recursive: true });
  await writeFile(path.join(app, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }, null, 2));
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(app, file)), { recursive: true });
    await writeFile(path.join(app, file), text);
  }
  const started = performance.now();
  await run('npm', ['install', '--no-audit', '--no-fund', ...dependencies], app, env);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `[figure] ${name}: npm install ${seconds} s, node_modules ${(folderBytes(path.join(app, 'node_modules')) / 1e6).toFixed(1)} MB`,
  );
  return app;
}

function installed(app: string, pkg: string): boolean {
  return existsSync(path.join(app, 'node_modules', pkg));
}

/** Serves a folder over HTTP on 127.0.0.1, as any static host would (no special headers). */
async function serveStatic(root: string): Promise<{ url: string; server: Server }> {
  const types: Record<string, string> = {
    '.html': 'text/html',
    '.js': 'text/javascript',
    '.mjs': 'text/javascript',
    '.json': 'application/json',
    '.wasm': 'application/wasm',
  };
  const server = createServer((req, res) => {
    const file = path.join(root, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': types[path.extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** Sums what the page downloaded, gzip-compressed as a server with compression would send it. */
function trackTransfer(page: Page): () => Promise<{ requests: number; bytes: number; gzipBytes: number }> {
  const sizes: Promise<[number, number]>[] = [];
  page.on('response', (response) => {
    sizes.push(
      response.body().then(
        (body) => [body.byteLength, gzipSync(body).byteLength] as [number, number],
        () => [0, 0] as [number, number],
      ),
    );
  });
  return async () => {
    const all = await Promise.all(sizes);
    return {
      requests: all.length,
      bytes: all.reduce((sum, [raw]) => sum + raw, 0),
      gzipBytes: all.reduce((sum, [, gzip]) => sum + gzip, 0),
    };
  };
}

async function sendAndAwaitReply(page: Page, prompt: string) {
  const chat = page.locator('route-chat');
  await chat.locator('textarea').fill(prompt);
  await chat.locator('textarea').press('Enter');
  const answer = chat.locator('[part~="assistant"]').first();
  await expect(answer).toHaveAttribute('aria-busy', 'false', { timeout: 90_000 });
  return answer;
}

test.describe.configure({ mode: 'serial', timeout: 15 * 60_000 });

test.beforeAll(async () => {
  test.setTimeout(15 * 60_000);
  await run(
    process.execPath,
    [path.join(PROJECT_ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/build-package.ts'],
    PROJECT_ROOT,
  );
  // Packed as `npm publish` would, with the build above standing in for prepack.
  await run('npm', ['pack', '--ignore-scripts', '--pack-destination', scratch], PROJECT_ROOT);
  await run(
    'npm',
    ['pack', '--ignore-scripts', '--pack-destination', scratch],
    path.join(PROJECT_ROOT, 'packages', 'relay'),
  );
  const find = (prefix: string) =>
    path.join(scratch, readdirSync(scratch).find((file) => file.startsWith(prefix) && file.endsWith('.tgz'))!);
  tarballs = { web: find('routellm-web-'), relay: find('routellm-relay-') };
  for (const tarball of Object.values(tarballs))
    console.log(`[figure] ${path.basename(tarball)}: ${(statSync(tarball).size / 1e6).toFixed(1)} MB packed`);
  relay = await startRelayFixture();
});

test.afterAll(async () => {
  await relay?.close();
});

test('plain Node ESM, relay only: routellm-relay starts from a JSON config and openai-node streams through it', async () => {
  const app = await createApp('relay-app', [tarballs.relay, `openai@${OPENAI}`], {
    'relay.json': JSON.stringify({
      models: {
        strong: {
          baseURL: relay.upstream.url,
          model: 'fake-strong-model',
          apiKeyEnv: 'FAKE_PROVIDER_KEY',
          pricing: { input: 10, output: 30 },
        },
        weak: {
          baseURL: relay.upstream.url,
          model: 'fake-weak-model',
          apiKeyEnv: 'FAKE_PROVIDER_KEY',
          pricing: { input: 0.5, output: 1.5 },
        },
      },
    }),
    'main.js': `
      import { readFile } from 'node:fs/promises';
      import OpenAI from 'openai';
      import { startNodeRelay } from 'routellm-relay/node';
      const config = JSON.parse(await readFile('relay.json', 'utf8'));
      const relay = await startNodeRelay({ config, port: 0, log: () => {} });
      const client = new OpenAI({ baseURL: relay.url + '/v1', apiKey: 'not-a-provider-key' });
      const plain = await client.chat.completions.create({ model: 'weak', messages: [{ role: 'user', content: 'Hi' }] });
      let streamed = '';
      let streamedModel;
      for await (const chunk of await client.chat.completions.create({ model: 'strong', messages: [{ role: 'user', content: 'Hi' }], stream: true })) {
        streamed += chunk.choices[0]?.delta?.content ?? '';
        streamedModel = chunk.model;
      }
      const models = (await client.models.list()).data.map((model) => model.id);
      console.log(JSON.stringify({ plain: { model: plain.model, text: plain.choices[0].message.content }, streamed: { model: streamedModel, text: streamed }, models }));
      await relay.close();
    `,
  });
  expect(installed(app, 'onnxruntime-node'), 'onnxruntime-node installed for a relay-only user').toBe(false);
  expect(installed(app, 'onnxruntime-web'), 'onnxruntime-web installed for a relay-only user').toBe(false);
  expect(installed(app, 'sharp'), 'sharp installed for a relay-only user').toBe(false);
  expect(installed(app, '@huggingface/transformers')).toBe(false);
  const relayOnly = folderBytes(path.join(app, 'node_modules')) - folderBytes(path.join(app, 'node_modules', 'openai'));
  console.log(`[figure] relay-app: node_modules without the openai client ${(relayOnly / 1e6).toFixed(1)} MB`);

  const result = JSON.parse(
    (await run(process.execPath, ['main.js'], app, { FAKE_PROVIDER_KEY: 'sk-consumer' })).trim().split('\n').pop()!,
  );
  expect(result.plain.model).toBe('fake-weak-model');
  expect(result.plain.text.length).toBeGreaterThan(0);
  expect(result.streamed.model).toBe('fake-strong-model');
  expect(result.streamed.text.length).toBeGreaterThan(0);
  expect(result.models.sort()).toEqual(['strong', 'weak']);
  // The command too: --help answers, as the bin a user runs.
  expect(await run(path.join(app, 'node_modules/.bin/routellm-relay'), ['--help'], app)).toMatch(/--config/);
});

test('a Vite app with the template config plus our plugin: tsc and vite build pass, the SDK routes and <route-chat> streams', async ({
  page,
}) => {
  const outside = trackOutsideRequests(page);
  const app = await createApp('vite-app', [tarballs.web, `vite@${VITE}`, `typescript@${TYPESCRIPT}`], {
    // The vanilla-ts template's tsconfig, unchanged.
    'tsconfig.json': JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        useDefineForClassFields: true,
        module: 'ESNext',
        lib: ['ES2022', 'DOM', 'DOM.Iterable'],
        types: ['vite/client'],
        skipLibCheck: true,
        moduleResolution: 'bundler',
        allowImportingTsExtensions: true,
        verbatimModuleSyntax: true,
        moduleDetection: 'force',
        noEmit: true,
        strict: true,
        noUnusedLocals: true,
        noUnusedParameters: true,
        erasableSyntaxOnly: true,
        noFallthroughCasesInSwitch: true,
        noUncheckedSideEffectImports: true,
      },
      include: ['src'],
    }),
    'vite.config.ts': `import { defineConfig } from 'vite';\nimport { routellmWeb } from 'routellm-web/vite';\n\nexport default defineConfig({ plugins: [routellmWeb()] });\n`,
    'index.html': `<!doctype html><html><head><meta charset="utf-8"><title>consumer</title></head><body><pre id="decision"></pre><route-chat></route-chat><script type="module" src="/src/main.ts"></script></body></html>`,
    'src/main.ts': `
      import { createRouter, type RouteDecision } from 'routellm-web';
      import 'routellm-web/elements';

      const params = new URLSearchParams(location.search);
      const chat = document.querySelector('route-chat')!;
      chat.setAttribute('relay-url', params.get('relay-url') ?? '');
      chat.setAttribute('router', 'length');
      chat.setAttribute('threshold', '0.3');

      const router = createRouter({ router: 'knn-gain', strongPct: 0.5, device: 'wasm' });
      const decision: RouteDecision = await router.route('Prove that there are infinitely many primes of the form 4k+3.');
      document.querySelector('#decision')!.textContent = JSON.stringify(decision);
    `,
  });
  await run(path.join(app, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], app);
  await run(path.join(app, 'node_modules/.bin/vite'), ['build'], app);
  const port = await freePort();
  const preview = spawn(
    path.join(app, 'node_modules/.bin/vite'),
    ['preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'],
    { cwd: app, stdio: 'ignore' },
  );
  try {
    await expect
      .poll(
        async () =>
          fetch(`http://127.0.0.1:${port}/`).then(
            (r) => r.status,
            () => 0,
          ),
        { timeout: 30_000 },
      )
      .toBe(200);
    const transfer = trackTransfer(page);
    const started = performance.now();
    await page.goto(`http://127.0.0.1:${port}/?${new URLSearchParams({ 'relay-url': relay.relayUrl })}`);
    await expect(page.locator('#decision')).toContainText('"router":"knn-gain"', { timeout: 90_000 });
    const firstRouteMs = performance.now() - started;
    const decision = JSON.parse((await page.locator('#decision').textContent())!);
    expect(['strong', 'weak']).toContain(decision.tier);
    expect(decision.fallback).toBeFalsy();
    const answer = await sendAndAwaitReply(page, 'What is 2+2?');
    await expect(answer.locator('[part~="decision"]')).toContainText(/fake-weak-model/);
    await page.waitForLoadState('networkidle');
    const { requests, bytes, gzipBytes } = await transfer();
    console.log(
      `[figure] vite-app cold load: ${requests} requests, ${(bytes / 1e6).toFixed(1)} MB, ${(gzipBytes / 1e6).toFixed(1)} MB gzip; first route ${firstRouteMs.toFixed(0)} ms after navigation`,
    );
    expect(outside).toEqual([]);
  } finally {
    preview.kill();
  }
});

test('the one-script element straight from node_modules on a static host', async ({ page }) => {
  const outside = trackOutsideRequests(page);
  const assets = path.join(scratch, 'vite-app', 'node_modules', 'routellm-web', 'assets');
  await writeFile(
    path.join(assets, 'consumer.html'),
    `<!doctype html><html><head><meta charset="utf-8"><script type="module" src="./route-chat.js"></script></head><body><route-chat relay-url="${relay.relayUrl}" router="knn-gain" strong-pct="0.5" device="wasm"></route-chat></body></html>`,
  );
  const host = await serveStatic(assets);
  try {
    await page.goto(`${host.url}/consumer.html`);
    await expect(page.locator('route-chat [part~="status"]')).toHaveText('knn-gain router on WASM', {
      timeout: 90_000,
    });
    const answer = await sendAndAwaitReply(page, 'Hello there!');
    await expect(answer.locator('[part~="decision"]')).toContainText(/fake-(weak|strong)-model/);
    expect(outside).toEqual([]);
  } finally {
    host.server.close();
  }
});

test('the AI SDK adapter in Node: generateText and streamText go to the model the router chose', async () => {
  const app = await createApp(
    'ai-sdk-app',
    [
      tarballs.web,
      `ai@${AI}`,
      `@ai-sdk/openai-compatible@${AI_OPENAI_COMPATIBLE}`,
      `@huggingface/transformers@${TRANSFORMERS}`,
    ],
    {
      'main.js': `
        import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
        import { generateText, streamText } from 'ai';
        import { routedModel } from 'routellm-web/ai-sdk';
        import { createNodeRouter } from 'routellm-web/node';
        const relay = createOpenAICompatible({ name: 'relay', baseURL: process.env.RELAY_URL + '/v1', apiKey: 'not-a-provider-key' });
        const router = createNodeRouter({ router: 'knn-gain', strongPct: 0.5 });
        const model = routedModel({ router, strong: relay.chatModel('strong'), weak: relay.chatModel('weak') });
        const small = await generateText({ model, prompt: 'hi' });
        const hard = streamText({ model, prompt: 'Prove that the square root of 2 is irrational, then derive a closed form for the sum of the first n cubes and prove it by induction.' });
        let hardText = '';
        for await (const part of hard.textStream) hardText += part;
        const summary = (text, metadata, response) => ({ text, tier: metadata.routellm.tier, router: metadata.routellm.router, modelId: response.modelId });
        console.log(JSON.stringify({
          small: summary(small.text, small.providerMetadata, small.response),
          hard: summary(hardText, await hard.providerMetadata, await hard.response),
        }));
        await router.dispose?.();
      `,
    },
    // onnxruntime-node's install script would fetch CUDA libraries from outside the npm registry on linux-x64.
    { ONNXRUNTIME_NODE_INSTALL: 'skip' },
  );
  const result = JSON.parse(
    (await run(process.execPath, ['main.js'], app, { RELAY_URL: relay.relayUrl })).trim().split('\n').pop()!,
  );
  expect(result.small).toMatchObject({ tier: 'weak', router: 'knn-gain', modelId: 'fake-weak-model' });
  expect(result.hard).toMatchObject({ tier: 'strong', router: 'knn-gain', modelId: 'fake-strong-model' });
  expect(result.small.text.length).toBeGreaterThan(0);
  expect(result.hard.text.length).toBeGreaterThan(0);
});

test('npx routellm-web assets copies what a page serves, for any bundler or static host', async () => {
  const app = path.join(scratch, 'vite-app');
  const out = path.join(app, 'static');
  const printed = await run(path.join(app, 'node_modules/.bin/routellm-web'), ['assets', 'static'], app);
  expect(printed).toMatch(/^Copied \d+ files/);
  for (const file of [
    'route-chat.js',
    'ort/ort-wasm-simd-threaded.wasm',
    'ort/ort-wasm-simd-threaded.asyncify.wasm',
    'models/universal-sentence-encoder-lite/onnx/model_int8.onnx',
    'models/universal-sentence-encoder-lite/tokenizer.json',
    'routers/knn-gain/manifest.json',
  ]) {
    expect(existsSync(path.join(out, file)), file).toBe(true);
  }
  // The Node variants of the encoder stay out of what a page serves.
  expect(existsSync(path.join(out, 'models/universal-sentence-encoder-lite/onnx/model.onnx'))).toBe(false);
  await expect(run(path.join(app, 'node_modules/.bin/routellm-web'), ['assets'], app)).rejects.toThrow(
    /error: assets takes one folder/,
  );
});

/**
 * Each file is fetched once per page, and the one-script element loads only the runtime its device needs. Every
 * request of a cold load and its first route is recorded at the browser context, which sees the router worker's
 * fetches too (the encoder, its tokenizer, the router weights, ONNX Runtime's files).
 *
 * The element is served as a plain static host serves it: each file streamed without content-length or cache
 * headers (transformers.js then reads a file's size by fetching it again) and without cross-origin isolation, so
 * ONNX Runtime runs one thread. The demo runs on the dev server, which serves modules unbundled: the page, the
 * router worker and each of ONNX Runtime's thread workers import their modules for themselves, so there only the
 * files that are not scripts (models, weights, the WASM binary, the explorer's data) are held to one fetch.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type BrowserContext, expect, type Page, test } from '@playwright/test';
import { buildRouteChat } from '../scripts/build-route-chat.ts';
import { PROJECT_ROOT } from '../src/node/paths.ts';
import { useDemoData } from './fixtures/demo-data.ts';
import { startRelayFixture, type RelayFixture } from './fixtures/relay.ts';

const BUNDLE = path.join(PROJECT_ROOT, 'dist', 'e2e-fetch-once');
/** onnxruntime-web's builds with the WebGPU execution provider (JSEP, asyncify, JSPI), script and binary. */
const WEBGPU_RUNTIME = /\/ort-wasm-simd-threaded\.(?:jsep|asyncify|jspi)\.(?:mjs|wasm)$/;
/** Its WASM-only build. */
const WASM_RUNTIME = /\/ort-wasm-simd-threaded\.(?:mjs|wasm)$/;
const ENCODER = /\/models\/universal-sentence-encoder-lite\/onnx\/model_int8\.onnx$/;
/** Query parameters that only defeat caches (the dev server's module versions and timestamps). */
const CACHE_BUSTERS = ['v', 't'];
/** The page a site would write: one script, and the element with its attributes (from the query string). */
function pageFor(query: URLSearchParams): string {
  const escapeAttribute = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  const attributes = [...query]
    .map(([name, value]) => ` ${escapeAttribute(name)}="${escapeAttribute(value)}"`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>fetch once</title>
<script type="module" src="/route-chat.js"></script></head><body><route-chat${attributes}></route-chat></body></html>`;
}

interface RecordedRequest {
  /** Method and URL, cache busters removed: two entries with one key are the same file fetched twice. */
  key: string;
  url: URL;
  script: boolean;
}

function recordRequests(context: BrowserContext): RecordedRequest[] {
  const log: RecordedRequest[] = [];
  context.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol === 'data:' || url.protocol === 'blob:') return;
    for (const name of CACHE_BUSTERS) url.searchParams.delete(name);
    log.push({ key: `${request.method()} ${url.href}`, url, script: request.resourceType() === 'script' });
  });
  return log;
}

/** The page's own files requested more than once, as "GET <url> x2". The relay's API calls are not files. */
function fetchedTwice(log: readonly RecordedRequest[], origin: string): string[] {
  const counts = new Map<string, number>();
  for (const { key, url } of log) if (url.origin === origin) counts.set(key, (counts.get(key) ?? 0) + 1);
  return [...counts].filter(([, count]) => count > 1).map(([key, count]) => `${key} x${count}`);
}

const fetched = (log: readonly RecordedRequest[], pattern: RegExp) =>
  log.filter(({ url }) => pattern.test(url.pathname)).map(({ url }) => url.pathname);

/** Sends a prompt as a user would and waits for the routed answer and for the network to settle. */
async function routeFirstPrompt(page: Page, prompt: string) {
  const chat = page.locator('route-chat');
  await chat.locator('textarea').fill(prompt);
  await chat.locator('textarea').press('Enter');
  const answer = chat.locator('[part~="assistant"]').first();
  await expect(answer).toHaveAttribute('aria-busy', 'false', { timeout: 90_000 });
  await page.waitForLoadState('networkidle');
  return answer;
}

test.describe('the one-script element', () => {
  let relay: RelayFixture;
  let server: Server;
  let origin: string;

  test.beforeAll(async () => {
    const quiet = { stdout: { write: () => true }, stderr: { write: () => true, isTTY: false }, env: process.env };
    await buildRouteChat(['--out', BUNDLE], quiet);
    relay = await startRelayFixture();
    server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://x');
      const pathname = decodeURIComponent(url.pathname);
      if (pathname === '/page.html')
        return void response.writeHead(200, { 'content-type': 'text/html' }).end(pageFor(url.searchParams));
      const file = path.join(BUNDLE, pathname);
      if (!file.startsWith(BUNDLE) || !existsSync(file) || !statSync(file).isFile())
        return void response.writeHead(404).end();
      const type = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' }[
        path.extname(file)
      ];
      response.writeHead(200, { 'content-type': type ?? 'application/octet-stream' });
      createReadStream(file).pipe(response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  test.afterAll(async () => {
    await relay?.close();
    await new Promise((resolve) => server?.close(resolve));
    await rm(BUNDLE, { recursive: true, force: true });
  });

  test('a cold load and first route fetch each file once, and no WebGPU runtime on the default device', async ({
    page,
    context,
  }) => {
    const log = recordRequests(context);
    await page.goto(`${origin}/page.html?${new URLSearchParams({ 'relay-url': relay.relayUrl, router: 'knn-gain' })}`);
    const answer = await routeFirstPrompt(page, 'Hi! How are you today?');
    await expect(page.locator('route-chat [part~="status"]')).toHaveText('knn-gain router on WASM');
    await expect(answer.locator('[part~="why"]')).toContainText('this looks like small talk');

    expect(fetchedTwice(log, origin)).toEqual([]);
    // The worker's fetches are in the log: the encoder it loads, once.
    expect(fetched(log, ENCODER)).toHaveLength(1);
    expect(fetched(log, WASM_RUNTIME).map((file) => path.basename(file))).toEqual([
      'ort-wasm-simd-threaded.mjs',
      'ort-wasm-simd-threaded.wasm',
    ]);
    expect(fetched(log, WEBGPU_RUNTIME)).toEqual([]);
  });

  test('choosing WebGPU fetches its runtime (once) instead of the WASM-only one', async ({ page, context }) => {
    const log = recordRequests(context);
    await page.goto(
      `${origin}/page.html?${new URLSearchParams({ 'relay-url': relay.relayUrl, router: 'knn-gain', device: 'webgpu' })}`,
    );
    await routeFirstPrompt(page, 'What is the capital of France?');
    await expect(page.locator('route-chat [part~="status"]')).toHaveText('knn-gain router on WEBGPU');

    expect(fetchedTwice(log, origin)).toEqual([]);
    expect(fetched(log, WEBGPU_RUNTIME).map((file) => path.basename(file))).toEqual([
      'ort-wasm-simd-threaded.asyncify.mjs',
      'ort-wasm-simd-threaded.asyncify.wasm',
    ]);
    expect(fetched(log, WASM_RUNTIME)).toEqual([]);
    expect(fetched(log, ENCODER)).toHaveLength(1);
  });
});

test.describe('the demo', () => {
  const demoData = useDemoData();
  let relay: RelayFixture;
  test.beforeAll(async () => {
    relay = await startRelayFixture();
  });
  test.afterAll(async () => {
    await relay?.close();
  });

  test('a cold load and a first route with a learned router fetch each file that is not a script once', async ({
    page,
    context,
    baseURL,
  }) => {
    await page.route('**/demo-data/*', (route) =>
      route.fulfill({ path: path.join(demoData(), path.basename(new URL(route.request().url()).pathname)) }),
    );
    const log = recordRequests(context);
    await page.goto('/');
    const chat = page.locator('route-chat');
    await chat.evaluate((element, relayUrl) => {
      element.setAttribute('relay-url', relayUrl);
      element.setAttribute('router', 'knn-gain');
    }, relay.relayUrl);
    await routeFirstPrompt(page, 'Hi! How are you today?');
    await expect(chat.locator('[part~="status"]')).toHaveText(/^knn-gain router on /);
    await expect(page.locator('benchmark-explorer [part~="metrics"]')).toBeVisible();

    const origin = new URL(baseURL!).origin;
    expect(
      fetchedTwice(
        log.filter((request) => !request.script),
        origin,
      ),
    ).toEqual([]);
    expect(fetched(log, ENCODER)).toHaveLength(1);
  });
});
